import type { Pool, PoolClient } from 'pg';

/** First key of the bus's two-key advisory locks (a key space apart from the one-key locks elsewhere). */
const BUS_LOCK_SPACE = 727_300;

/**
 * A session-level PostgreSQL advisory lock held on a dedicated connection: the holder of a
 * name is the only active member (a Postgres-log consumer group, a relay). It assigns no
 * transaction id, so holding it never holds back the event store's readers (their watermark
 * is the oldest running transaction). The lock ends with its connection: `lost()` callers
 * must re-acquire and re-read their checkpoint.
 */
export class SessionLock {
  private client: PoolClient | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly name: string,
  ) {}

  get held(): boolean {
    return this.client !== undefined;
  }

  /**
   * Takes the lock if free; false when another session holds it. The lock's session commits
   * asynchronously (`synchronous_commit = off`): its writes are bookkeeping (checkpoints, inbox
   * rows) whose loss in a server crash only moves a reader back, so events come again — at least
   * once, never a gap — and the fsync wait leaves the delivery path.
   */
  async tryAcquire(): Promise<boolean> {
    if (this.client) return true;
    const client = await this.pool.connect();
    try {
      const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [BUS_LOCK_SPACE, this.name]);
      if (res.rows[0]?.ok) {
        await client.query('SET synchronous_commit TO off');
        this.client = client;
        return true;
      }
      client.release();
      return false;
    } catch (error) {
      client.release(true);
      throw error;
    }
  }

  /** Runs a query on the lock's connection (so it fails when the lock is gone). */
  async query<R extends object>(sql: string, params: unknown[]): Promise<R[]> {
    if (!this.client) throw new Error(`lock ${this.name} is not held`);
    return (await this.client.query<R>(sql, params)).rows;
  }

  /** Releases the lock; `broken` drops the connection instead of returning it to the pool. */
  async release(broken = false): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (broken) {
      client.release(true);
      return;
    }
    try {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [BUS_LOCK_SPACE, this.name]);
      await client.query('RESET synchronous_commit');
      client.release();
    } catch {
      client.release(true);
    }
  }
}
