import type { Pool } from 'pg';
import { SessionLock } from '@custodian/platform';

/** First key of the bus's two-key advisory locks (a key space apart from the platform's other locks). */
const BUS_LOCK_SPACE = 727_300;

/**
 * The bus's session lock (a relay, a Postgres-log consumer group's active member). Its session
 * commits asynchronously: its writes are bookkeeping (checkpoints, inbox rows) whose loss in a
 * server crash only moves a reader back, so events come again — at least once, never a gap.
 */
export function busLock(pool: Pool, name: string): SessionLock {
  return new SessionLock(pool, BUS_LOCK_SPACE, name, { asyncCommit: true });
}
