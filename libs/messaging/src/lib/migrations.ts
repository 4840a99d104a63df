import { RUNTIME_ROLE, type Migration } from '@custodian/platform';

/**
 * Schema `messaging`: the bus's own bookkeeping (the events themselves live in the event store).
 * - relay_checkpoints: per relay, the global position of the last event the broker acknowledged;
 * - consumer_checkpoints: per consumer group and topic, the Postgres log's read position;
 * - inbox: the event ids each group handled successfully (deduplication, both adapters);
 * - dead_letters: messages a Postgres-log group gave up on, with the error of the last attempt.
 */
export const messagingMigrations: Migration[] = [
  {
    id: 'messaging/001-bus',
    sql: `
CREATE SCHEMA IF NOT EXISTS messaging;

CREATE TABLE messaging.relay_checkpoints (
  relay      text PRIMARY KEY,
  position   bigint NOT NULL CHECK (position >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE messaging.consumer_checkpoints (
  consumer_group text NOT NULL,
  topic          text NOT NULL,
  position       bigint NOT NULL CHECK (position >= 0),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic)
);

CREATE TABLE messaging.inbox (
  consumer_group text NOT NULL,
  event_id       text NOT NULL,
  topic          text NOT NULL,
  handled_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);
CREATE INDEX inbox_handled_at ON messaging.inbox (handled_at);

CREATE TABLE messaging.dead_letters (
  id              bigserial PRIMARY KEY,
  consumer_group  text NOT NULL,
  topic           text NOT NULL,
  event_id        text NOT NULL,
  global_position bigint NOT NULL,
  message         jsonb NOT NULL,
  error           text NOT NULL,
  attempts        integer NOT NULL,
  failed_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (consumer_group, event_id)
);
CREATE INDEX dead_letters_group_topic ON messaging.dead_letters (consumer_group, topic, id);

GRANT USAGE ON SCHEMA messaging TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE ON messaging.relay_checkpoints, messaging.consumer_checkpoints TO ${RUNTIME_ROLE};
-- DELETE on the inbox only for pruning old ids (Inbox.prune).
GRANT SELECT, INSERT, DELETE ON messaging.inbox TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE ON messaging.dead_letters TO ${RUNTIME_ROLE};
GRANT USAGE ON SEQUENCE messaging.dead_letters_id_seq TO ${RUNTIME_ROLE};
`,
  },
];
