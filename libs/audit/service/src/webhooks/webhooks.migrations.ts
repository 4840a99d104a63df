import { RUNTIME_ROLE, type Migration } from '@custodian/platform';

/**
 * Webhooks are configuration rows, not events: who created or deleted one is in the activity
 * log, and a webhook's own changes are not integration events for integrators to receive.
 * - audit.webhooks: one row per webhook, never deleted (a deleted one keeps its row with
 *   `deleted_at` and its delivery log). `position` is the dispatcher's durable cursor in the
 *   global log; `generation` is bumped by a replay so an in-flight delivery cannot move it.
 * - audit.webhook_deliveries: one row per (webhook, event) delivery, its state updated as
 *   attempts end; `seq` orders the log (newest first) exactly, whatever the clock. audit.webhook_attempts: one row per HTTP request, append-only for the runtime
 *   role (the delivery log is evidence, like the activity log).
 */
export const webhookMigrations: Migration[] = [
  {
    id: 'audit/webhooks-001',
    sql: `
CREATE TABLE audit.webhooks (
  webhook_id       uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL,
  url              text NOT NULL,
  event_types      text[] NOT NULL,
  secret_encrypted text NOT NULL,
  status           text NOT NULL CHECK (status IN ('active', 'disabled')),
  position         bigint NOT NULL CHECK (position >= 0),
  generation       int NOT NULL DEFAULT 0,
  replay_until     bigint NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL,
  created_by       text NOT NULL,
  updated_at       timestamptz NOT NULL,
  deleted_at       timestamptz
);
CREATE INDEX webhooks_tenant ON audit.webhooks (tenant_id, created_at DESC, webhook_id DESC) WHERE deleted_at IS NULL;
CREATE INDEX webhooks_active ON audit.webhooks (webhook_id) WHERE status = 'active' AND deleted_at IS NULL;

CREATE TABLE audit.webhook_deliveries (
  delivery_id  uuid PRIMARY KEY,
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  webhook_id   uuid NOT NULL REFERENCES audit.webhooks (webhook_id),
  event_id     uuid NOT NULL,
  event_type   text NOT NULL,
  position     bigint NOT NULL,
  replay       boolean NOT NULL,
  state        text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts     int NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_log ON audit.webhook_deliveries (webhook_id, seq DESC);
CREATE INDEX webhook_deliveries_pending ON audit.webhook_deliveries (webhook_id, event_id) WHERE state = 'pending';

CREATE TABLE audit.webhook_attempts (
  delivery_id  uuid NOT NULL REFERENCES audit.webhook_deliveries (delivery_id),
  attempt      int NOT NULL CHECK (attempt >= 1),
  at           timestamptz NOT NULL,
  status_code  int,
  error        text,
  duration_ms  int NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

GRANT SELECT, INSERT, UPDATE ON audit.webhooks, audit.webhook_deliveries TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT ON audit.webhook_attempts TO ${RUNTIME_ROLE};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO ${RUNTIME_ROLE};
`,
  },
];
