import type { Pool, PoolClient } from 'pg';

export interface SessionLockOptions {
  /**
   * The lock session commits asynchronously (`synchronous_commit = off`). Only for bookkeeping
   * whose loss in a server crash merely repeats work (checkpoints, inbox rows); never for
   * writes others rely on (ledger leaves). @defaultValue false
   */
  asyncCommit?: boolean;
  /** Told when the session dies under the lock (server restart, idle timeout, terminated). */
  onLost?: (error: Error) => void;
}

/**
 * A session-level PostgreSQL advisory lock on a dedicated connection: whoever holds `(space,
 * name)` is the single active instance (a relay, a consumer group member, the ledger's sequencer,
 * the webhook dispatcher). It assigns no transaction id, so holding it never holds back the event
 * store's readers. The lock ends with its connection: a cut session is noticed (never an
 * uncaught error), `held` turns false and `onLost` is told; writes made through `query` then fail
 * instead of running without the lock. Holders re-acquire and re-read their position.
 */
export class SessionLock {
  private client: PoolClient | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly space: number,
    private readonly name: string,
    private readonly options: SessionLockOptions = {},
  ) {}

  get held(): boolean {
    return this.client !== undefined;
  }

  /** Takes the lock if free; false when another session holds it. */
  async tryAcquire(): Promise<boolean> {
    if (this.client) return true;
    const client = await this.pool.connect();
    try {
      const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [this.space, this.name]);
      if (!res.rows[0]?.ok) {
        client.release();
        return false;
      }
      if (this.options.asyncCommit) await client.query('SET synchronous_commit TO off');
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.on('error', (error: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.release(true);
      this.options.onLost?.(error);
    });
    this.client = client;
    return true;
  }

  /** Runs a statement on the lock's own session (so it fails when the lock is gone). */
  async query<R extends object>(sql: string, params: unknown[] = []): Promise<R[]> {
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
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [this.space, this.name]);
      if (this.options.asyncCommit) await client.query('RESET synchronous_commit');
      client.release();
    } catch {
      // A session whose unlock failed is discarded, never returned to the pool holding the lock.
      client.release(true);
    }
  }
}
