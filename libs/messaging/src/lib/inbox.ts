import type { Pool, PoolClient } from 'pg';

/**
 * The ids of events a consumer group handled successfully (`messaging.inbox`): what makes the
 * consumers idempotent by event id. An id is recorded only after its handler succeeded.
 *
 * One inbox holds one connection of its own (taken on first use, dropped and re-taken after an
 * error), whose session commits asynchronously (`synchronous_commit = off`): a row lost in a
 * server crash only means one more delivery of an event already handled (at least once), and
 * the delivery path does not wait for the WAL flush.
 */
export class Inbox {
  private client: PoolClient | undefined;
  private connecting: Promise<PoolClient> | undefined;

  constructor(private readonly pool: Pool) {}

  /** Which of `eventIds` the group handled already. */
  async seen(group: string, eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await this.query<{ event_id: string }>('SELECT event_id FROM messaging.inbox WHERE consumer_group = $1 AND event_id = ANY($2::text[])', [group, eventIds]);
    return new Set(rows.map((r) => r.event_id));
  }

  /** Records handled ids in one statement; an id recorded already is left as it is. */
  async recordMany(group: string, topic: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.query('INSERT INTO messaging.inbox (consumer_group, event_id, topic) SELECT $1, id, $3 FROM unnest($2::text[]) AS id ON CONFLICT DO NOTHING', [group, eventIds, topic]);
  }

  /**
   * Forgets ids handled before `before`. Safe once no redelivery that old can arrive (Kafka
   * retention, relay checkpoint age); returns the number of ids removed.
   */
  async prune(before: Date): Promise<number> {
    const res = await this.pool.query('DELETE FROM messaging.inbox WHERE handled_at < $1', [before]);
    return res.rowCount ?? 0;
  }

  /** Returns the connection to the pool. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.query('RESET synchronous_commit');
      client.release();
    } catch {
      client.release(true);
    }
  }

  private async query<R extends object>(sql: string, params: unknown[]): Promise<R[]> {
    const client = await this.connection();
    try {
      return (await client.query<R>(sql, params)).rows;
    } catch (error) {
      if (this.client === client) this.client = undefined;
      client.release(true);
      throw error;
    }
  }

  private connection(): Promise<PoolClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = await this.pool.connect();
      try {
        await client.query('SET synchronous_commit TO off');
      } catch (error) {
        client.release(true);
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }
}
