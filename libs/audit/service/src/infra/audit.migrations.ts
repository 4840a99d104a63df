import { RUNTIME_ROLE, type Migration } from '@custodian/platform';

/**
 * The audit service's own tables (schema `audit`). The ledger's leaves and checkpoints, and the
 * activity log, are append-only for the runtime role (INSERT and SELECT only; no UPDATE or
 * DELETE): what was sequenced, signed or recorded is never rewritten by the service itself.
 * Read models rebuilt from events (incidents, blocklist) and the monitor's working tables are
 * ordinary.
 */
export const auditMigrations: Migration[] = [
  {
    id: 'audit/001-ledger-activity-security',
    sql: `
CREATE SCHEMA IF NOT EXISTS audit;

-- One row per event of the platform's log, in sequencing order: leaf i of the Merkle tree.
CREATE TABLE audit.ledger_leaves (
  leaf_index      bigint PRIMARY KEY,
  global_position bigint NOT NULL UNIQUE,
  event_id        uuid NOT NULL UNIQUE,
  tenant_id       text NOT NULL,
  stream_id       text NOT NULL,
  stream_version  int NOT NULL,
  recorded_at     timestamptz NOT NULL,
  event_hash      bytea NOT NULL
);
CREATE INDEX ledger_leaves_stream ON audit.ledger_leaves (stream_id, stream_version);

-- Signed tree heads; the first signature at each size is kept.
CREATE TABLE audit.checkpoints (
  tree_size  bigint PRIMARY KEY,
  root_hash  bytea NOT NULL,
  origin     text NOT NULL,
  signed_at  timestamptz NOT NULL,
  key_id     text NOT NULL,
  signature  text NOT NULL
);

CREATE TABLE audit.signing_keys (
  key_id                text PRIMARY KEY,
  public_key_pem        text NOT NULL,
  private_key_encrypted text NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE audit.activity (
  activity_id  uuid PRIMARY KEY,
  tenant_id    uuid,
  at           timestamptz NOT NULL,
  request_id   text NOT NULL,
  actor_kind   text NOT NULL,
  user_id      text,
  api_key_id   text,
  action       text NOT NULL,
  operation    text NOT NULL,
  target_ids   jsonb NOT NULL,
  status       int NOT NULL,
  result       text NOT NULL,
  error_code   text,
  ip           text NOT NULL,
  user_agent   text,
  duration_ms  int NOT NULL,
  gateway      text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX activity_tenant_time ON audit.activity (tenant_id, at DESC, activity_id DESC);
CREATE INDEX activity_tenant_user ON audit.activity (tenant_id, user_id, at DESC);
CREATE INDEX activity_ip_time ON audit.activity (ip, at DESC);

-- Security monitor: signals seen (from events and activity), and the actions its rules decided.
CREATE TABLE audit.security_signals (
  signal_id  bigserial PRIMARY KEY,
  -- The monitor's consumer group (one per deployment; independent monitors count separately).
  monitor    text NOT NULL,
  tenant_id  uuid NOT NULL,
  kind       text NOT NULL,
  subject    text NOT NULL,
  at         timestamptz NOT NULL,
  -- The event or activity entry that raised it: a redelivered one is not counted twice.
  source_id  text NOT NULL,
  UNIQUE (monitor, kind, source_id)
);
CREATE INDEX security_signals_window ON audit.security_signals (monitor, tenant_id, kind, subject, at);

CREATE TABLE audit.security_actions (
  action_id   uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  rule        text NOT NULL,
  kind        text NOT NULL,
  subject     text NOT NULL,
  detail      jsonb NOT NULL,
  decided_at  timestamptz NOT NULL,
  done_at     timestamptz,
  attempts    int NOT NULL DEFAULT 0,
  last_error  text,
  next_attempt_at timestamptz NOT NULL DEFAULT '-infinity'
);
CREATE INDEX security_actions_pending ON audit.security_actions (next_attempt_at) WHERE done_at IS NULL;

CREATE TABLE audit.notifications (
  notification_id uuid PRIMARY KEY,
  tenant_id       uuid NOT NULL,
  at              timestamptz NOT NULL,
  audience        text NOT NULL,
  kind            text NOT NULL,
  text            text NOT NULL,
  incident_id     uuid
);
CREATE INDEX notifications_tenant_time ON audit.notifications (tenant_id, at DESC, notification_id DESC);

CREATE TABLE audit.incidents (
  incident_id  uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL,
  kind         text NOT NULL,
  severity     text NOT NULL,
  status       text NOT NULL,
  detected_at  timestamptz NOT NULL,
  deadline     timestamptz,
  notified     boolean NOT NULL DEFAULT false,
  entries      int NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX incidents_tenant ON audit.incidents (tenant_id, detected_at DESC, incident_id DESC);
CREATE INDEX incidents_deadline ON audit.incidents (deadline) WHERE deadline IS NOT NULL AND NOT notified AND status <> 'resolved';

GRANT USAGE ON SCHEMA audit TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT ON audit.ledger_leaves, audit.checkpoints, audit.signing_keys, audit.activity TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON audit.security_signals, audit.security_actions, audit.notifications, audit.incidents TO ${RUNTIME_ROLE};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO ${RUNTIME_ROLE};
`,
  },
];
