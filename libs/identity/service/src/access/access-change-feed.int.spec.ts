import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { PostgresEventStore, eventStoreMigrations } from '@custodian/event-store';
import { loginStreamId, userStreamId, type AccessChangesResponse } from '@custodian/identity/contracts';
import type { NewEvent } from '@custodian/kernel';
import { createPool, migrate } from '@custodian/platform';
import { createDatabase, dropDatabase, testAdminUrl } from '@custodian/testing';
import { AccessChangeFeed } from './access-change-feed';

/**
 * The invalidation feed on a real event store: what it reports, when it makes callers reset, and
 * that it wakes long-polls. It follows the whole log, so it gets a database of its own: other
 * suites' appends would otherwise overflow its window and wake its polls.
 */
describe('AccessChangeFeed', () => {
  const database = `custodian_feed_${Date.now()}_${process.pid}`;
  let pool: Pool;
  let store: PostgresEventStore;
  let feed: AccessChangeFeed;
  const tenantId = randomUUID();

  beforeAll(async () => {
    const url = await createDatabase(testAdminUrl(), database);
    const owner = createPool({ connectionString: url, runtimeRole: false, max: 1 });
    await migrate(owner, eventStoreMigrations);
    await owner.end();
    pool = createPool({ connectionString: url, max: 4 });
    store = new PostgresEventStore(pool);
    feed = new AccessChangeFeed(store, { capacity: 5, idleMs: 5 });
    await feed.start();
  });
  afterAll(async () => {
    await feed?.stop();
    await pool?.end();
    await dropDatabase(testAdminUrl(), database);
  });

  const ask = (after: number | undefined, waitMs = 0): Promise<AccessChangesResponse> => feed.handle({ meta: { requestId: 't' }, body: { after, waitMs } });
  const event = (type: string, data: Record<string, string>): NewEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    tenantId,
    data: { tenantId, at: new Date().toISOString(), ...data },
    metadata: { actorId: 'test', correlationId: 't' },
  });
  const revoke = (userId: string) => store.append(userStreamId(userId), [event('identity.ModuleAccessRevoked', { userId, module: 'records', revokedAt: new Date().toISOString() })], 'any');
  /** Resolves once the feed has seen `position`. */
  const seen = async (position: number) => {
    for (let i = 0; i < 400; i++) {
      const r = await ask(position - 1);
      if (!r.reset && r.position >= position) return;
      await new Promise((res) => setTimeout(res, 5));
    }
    throw new Error(`feed never reached ${position}`);
  };

  it('makes a first caller reset and tells it where to start', async () => {
    const first = await ask(undefined);
    expect(first).toEqual({ reset: true, position: expect.any(Number), changes: [] });
  });

  it('reports each access change after the caller position with the id it concerns, and nothing else', async () => {
    const { position: start } = await ask(undefined);
    const userId = randomUUID();
    const sessionId = randomUUID();
    await store.append(loginStreamId(userId), [event('identity.LoginSucceeded', { userId, ip: '127.0.0.1', userAgent: 'x' })], 'any');
    const r1 = await revoke(userId);
    const r2 = await store.append(loginStreamId(userId), [event('identity.SessionRevoked', { userId, sessionId, reason: 'logout' })], 'any');
    await seen(r2.lastGlobalPosition);
    const res = await ask(start);
    expect(res.reset).toBe(false);
    expect(res.changes).toEqual([
      { position: r1.lastGlobalPosition, kind: 'user', id: userId },
      { position: r2.lastGlobalPosition, kind: 'session', id: sessionId },
    ]);
    expect((await ask(r1.lastGlobalPosition)).changes).toEqual([{ position: r2.lastGlobalPosition, kind: 'session', id: sessionId }]);
  });

  it('holds a long-poll until a change arrives, then answers it at once', async () => {
    const { position } = await ask(undefined);
    const userId = randomUUID();
    const started = Date.now();
    const pending = ask(position, 5_000);
    await new Promise((r) => setTimeout(r, 50));
    await revoke(userId);
    const res = await pending;
    expect(res.changes.map((c) => c.id)).toEqual([userId]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers a quiet long-poll with nothing when its wait is over', async () => {
    const { position } = await ask(undefined);
    const res = await ask(position, 100);
    expect(res).toEqual({ reset: false, position, changes: [] });
  });

  it('makes a caller reset when it is further behind than the feed remembers (capacity 5)', async () => {
    const { position } = await ask(undefined);
    let last = 0;
    for (let i = 0; i < 7; i++) last = (await revoke(randomUUID())).lastGlobalPosition;
    await seen(last);
    expect((await ask(position)).reset).toBe(true);
    expect((await ask(last - 1)).reset).toBe(false);
  });

  it('makes a caller reset when it is ahead of the feed (another replica, or a restored database)', async () => {
    const { position } = await ask(undefined);
    expect(await ask(position + 1_000)).toEqual({ reset: true, position, changes: [] });
  });

  it('refuses a malformed wait', async () => {
    await expect(feed.handle({ meta: { requestId: 't' }, body: { after: 0, waitMs: -1 } })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
