import { RUNTIME_ROLE, type Migration } from '@custodian/platform';

/** Advisory-lock key of the position critical section in append_events (see below). */
export const SEQUENCER_LOCK_KEY = 727_100;

/**
 * Schema `event_store`: the append-only event log.
 *
 * Ordering contract (why readers never skip a late commit): append_events assigns, inside one
 * short critical section under a session advisory lock, first the transaction's id and then
 * the events' global positions. Position order therefore equals transaction-id order, and a
 * reader that only returns rows whose tx_id is below the oldest running transaction
 * (pg_snapshot_xmin) sees a gap-free prefix of everything that will ever commit.
 * This holds because every append is its own transaction (the adapter never wraps appends
 * in a larger one).
 */
export const eventStoreMigrations: Migration[] = [
  {
    id: 'event-store/001-events',
    sql: `
CREATE SCHEMA IF NOT EXISTS event_store;

CREATE SEQUENCE event_store.global_position_seq AS bigint;

CREATE TABLE event_store.streams (
  stream_id  text PRIMARY KEY,
  version    integer NOT NULL CHECK (version >= 0),
  head_hash  char(64) NOT NULL
);

CREATE TABLE event_store.events (
  global_position bigint      PRIMARY KEY,
  tx_id           xid8        NOT NULL,
  event_id        uuid        NOT NULL UNIQUE,
  stream_id       text        NOT NULL,
  version         integer     NOT NULL CHECK (version >= 1),
  type            text        NOT NULL,
  schema_version  integer     NOT NULL CHECK (schema_version >= 1),
  tenant_id       text        NOT NULL,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL,
  recorded_at     timestamptz NOT NULL,
  prev_hash       char(64)    NOT NULL,
  hash            char(64)    NOT NULL,
  UNIQUE (stream_id, version)
);

-- Append-only: no row of the log is ever changed or removed, whoever asks.
CREATE FUNCTION event_store.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'event_store.events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON event_store.events
  FOR EACH ROW EXECUTE FUNCTION event_store.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON event_store.events
  FOR EACH STATEMENT EXECUTE FUNCTION event_store.refuse_change();

-- Appends a batch to one stream atomically. Returns a status instead of raising for the
-- expected failures, so the caller can tell them apart:
--   'ok'                 appended; positions returned
--   'wrong_version'      p_expected did not hold (current version and head returned)
--   'stale_head'         p_prev_hash is not the stream's head hash (current version and head returned)
--   'duplicate'          some event id is already stored (caller compares content)
-- p_expected: -1 any, -2 stream_exists, N >= 0 exactly N events (0 = no stream).
CREATE FUNCTION event_store.append_events(
  p_stream_id   text,
  p_expected    integer,
  p_prev_hash   text,
  p_recorded_at timestamptz,
  p_events      jsonb
) RETURNS TABLE (status text, version integer, head_hash text, positions bigint[])
LANGUAGE plpgsql AS $$
DECLARE
  v_count     integer := jsonb_array_length(p_events);
  v_xid       xid8;
  v_positions bigint[];
  v_version   integer;
  v_head      text;
  v_last_hash text;
BEGIN
  -- Critical section: transaction id, then positions, in lock order (see the ordering contract).
  PERFORM pg_advisory_lock(${SEQUENCER_LOCK_KEY});
  v_xid := pg_current_xact_id();
  SELECT array_agg(nextval('event_store.global_position_seq') ORDER BY g) INTO v_positions
    FROM generate_series(1, v_count) AS g;
  PERFORM pg_advisory_unlock(${SEQUENCER_LOCK_KEY});

  INSERT INTO event_store.streams AS s (stream_id, version, head_hash)
    VALUES (p_stream_id, 0, repeat('0', 64))
    ON CONFLICT (stream_id) DO NOTHING;
  SELECT s.version, s.head_hash INTO v_version, v_head
    FROM event_store.streams s WHERE s.stream_id = p_stream_id FOR UPDATE;

  IF EXISTS (SELECT 1 FROM event_store.events e
             WHERE e.event_id IN (SELECT (x->>'eventId')::uuid FROM jsonb_array_elements(p_events) x)) THEN
    RETURN QUERY SELECT 'duplicate'::text, v_version, v_head::text, NULL::bigint[];
    RETURN;
  END IF;
  IF (p_expected >= 0 AND v_version <> p_expected) OR (p_expected = -2 AND v_version = 0) THEN
    RETURN QUERY SELECT 'wrong_version'::text, v_version, v_head::text, NULL::bigint[];
    RETURN;
  END IF;
  IF p_prev_hash <> v_head THEN
    RETURN QUERY SELECT 'stale_head'::text, v_version, v_head::text, NULL::bigint[];
    RETURN;
  END IF;

  INSERT INTO event_store.events (global_position, tx_id, event_id, stream_id, version, type,
      schema_version, tenant_id, data, metadata, recorded_at, prev_hash, hash)
    SELECT v_positions[x.ord], v_xid, (x.ev->>'eventId')::uuid, p_stream_id, v_version + x.ord::integer,
           x.ev->>'type', (x.ev->>'schemaVersion')::integer, x.ev->>'tenantId', x.ev->'data',
           x.ev->'metadata', p_recorded_at, x.ev->>'prevHash', x.ev->>'hash'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(ev, ord);

  v_last_hash := p_events->(v_count - 1)->>'hash';
  UPDATE event_store.streams s SET version = v_version + v_count, head_hash = v_last_hash
    WHERE s.stream_id = p_stream_id;
  RETURN QUERY SELECT 'ok'::text, v_version + v_count, v_last_hash, v_positions;
END $$;

-- The runtime role may read and append, never change or remove events.
GRANT USAGE ON SCHEMA event_store TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT ON event_store.events TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE ON event_store.streams TO ${RUNTIME_ROLE};
GRANT USAGE ON SEQUENCE event_store.global_position_seq TO ${RUNTIME_ROLE};
GRANT EXECUTE ON FUNCTION event_store.append_events(text, integer, text, timestamptz, jsonb) TO ${RUNTIME_ROLE};
`,
  },
];
