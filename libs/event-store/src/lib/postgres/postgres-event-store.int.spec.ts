import { randomUUID } from 'node:crypto';
import { Client, type Pool } from 'pg';
import type { RecordedEvent } from '@custodian/kernel';
import { createPool, migrate } from '@custodian/platform';
import { makeEvents, readAllSettled, runEventStoreContract, uniqueStream } from '@custodian/event-store/testing';
import { testDatabaseUrl } from '@custodian/testing';
import { eventStoreMigrations } from './migrations';
import { PostgresEventStore } from './postgres-event-store';

async function migrated(): Promise<void> {
  const owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 1 });
  await migrate(owner, eventStoreMigrations);
  await owner.end();
}

runEventStoreContract('PostgreSQL', async () => {
  await migrated();
  const pool = createPool({ connectionString: testDatabaseUrl(), max: 12 });
  return { store: new PostgresEventStore(pool), teardown: () => pool.end() };
});

describe('PostgresEventStore specifics', () => {
  let runtime: Pool;
  let owner: Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    await migrated();
    runtime = createPool({ connectionString: testDatabaseUrl(), max: 12 });
    owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 4 });
    store = new PostgresEventStore(runtime);
  });
  afterAll(async () => {
    await runtime.end();
    await owner.end();
  });

  describe('append-only', () => {
    let stream: string;
    beforeAll(async () => {
      stream = uniqueStream('append-only');
      await store.append(stream, makeEvents(2), 'no_stream');
    });

    it('refuses UPDATE and DELETE by the runtime role for lack of grants', async () => {
      await expect(runtime.query(`UPDATE event_store.events SET data = '{}' WHERE stream_id = $1`, [stream])).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
      await expect(runtime.query(`DELETE FROM event_store.events WHERE stream_id = $1`, [stream])).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
    });

    it('refuses UPDATE, DELETE and TRUNCATE by the owner through the trigger', async () => {
      await expect(owner.query(`UPDATE event_store.events SET data = '{}' WHERE stream_id = $1`, [stream])).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(owner.query(`DELETE FROM event_store.events WHERE stream_id = $1`, [stream])).rejects.toThrow(/append-only: DELETE refused/);
      await expect(owner.query(`TRUNCATE event_store.events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
      expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 2 });
    });
  });

  describe('tamper evidence', () => {
    /** As a superuser with triggers disabled — what an attacker with full database access could do. */
    async function asSuperuserBypassingTriggers(sql: string, params: unknown[]): Promise<void> {
      const c = new Client({ connectionString: testDatabaseUrl() });
      await c.connect();
      try {
        await c.query('SET session_replication_role = replica');
        await c.query(sql, params);
      } finally {
        await c.end();
      }
    }

    it('names the version whose data was altered', async () => {
      const stream = uniqueStream('tamper');
      await store.append(stream, makeEvents(5), 'no_stream');
      await asSuperuserBypassingTriggers(`UPDATE event_store.events SET data = '{"n": 1000}' WHERE stream_id = $1 AND version = 3`, [stream]);
      expect(await store.verifyStream(stream)).toMatchObject({ ok: false, brokenAtVersion: 3, reason: expect.stringMatching(/hash does not match/) });
    });

    it('names the version after a deleted event', async () => {
      const stream = uniqueStream('tamper');
      await store.append(stream, makeEvents(4), 'no_stream');
      await asSuperuserBypassingTriggers(`DELETE FROM event_store.events WHERE stream_id = $1 AND version = 2`, [stream]);
      expect(await store.verifyStream(stream)).toMatchObject({ ok: false, brokenAtVersion: 2, reason: expect.stringMatching(/missing/) });
    });

    it('detects a rewritten hash (the next link no longer matches)', async () => {
      const stream = uniqueStream('tamper');
      await store.append(stream, makeEvents(3), 'no_stream');
      await asSuperuserBypassingTriggers(
        `UPDATE event_store.events SET metadata = jsonb_set(metadata, '{actorId}', '"user:mallory"'), hash = repeat('a', 64) WHERE stream_id = $1 AND version = 2`,
        [stream],
      );
      const r = await store.verifyStream(stream);
      expect(r.ok).toBe(false);
      expect(r).toMatchObject({ brokenAtVersion: 2 });
    });
  });

  describe('late commits behind higher positions', () => {
    it('never skips an event whose transaction commits after later positions were committed', async () => {
      const type = `late${randomUUID().slice(0, 8)}.Happened`;
      const prefix = type.split('.')[0] + '.';
      const from = await lastPosition(store);
      const seen: RecordedEvent[] = [];
      const sub = store.subscribeAll({ after: from, typePrefixes: [prefix], idleMs: 5, onEvent: async (e) => void seen.push(e) });

      // A long transaction takes the lowest position, then stays open while others commit.
      const slow = new Client({ connectionString: testDatabaseUrl() });
      await slow.connect();
      await slow.query('SET ROLE custodian_runtime');
      await slow.query('BEGIN');
      const lateStream = uniqueStream('late');
      const lateEvents = makeEvents(1, randomUUID(), type);
      const pending = await slow.query(
        `SELECT status, positions FROM event_store.append_events($1, 0, repeat('0', 64), now(), $2)`,
        [lateStream, JSON.stringify(lateEvents.map((e) => ({ ...e, prevHash: '0'.repeat(64), hash: 'f'.repeat(64) })))],
      );
      expect(pending.rows[0].status).toBe('ok');
      const latePosition = Number(pending.rows[0].positions[0]);

      // Concurrent writers commit higher positions meanwhile.
      await Promise.all(Array.from({ length: 4 }, async () => {
        const s = uniqueStream('late-other');
        for (let i = 0; i < 5; i++) await store.append(s, makeEvents(1, randomUUID(), type), 'any');
      }));
      const visibleMeanwhile = await store.readAll({ after: from, typePrefixes: [prefix] });
      // Nothing at or after the open transaction's position may be visible yet…
      expect(visibleMeanwhile.filter((e) => e.globalPosition > latePosition)).toEqual([]);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.filter((e) => e.globalPosition > latePosition)).toEqual([]);

      await slow.query('COMMIT');
      await slow.end();
      const all = await readAllSettled(store, from, [prefix], 21);
      expect(all).toHaveLength(21);
      expect(all[0].globalPosition).toBe(latePosition);
      await sub.caughtUpTo(all[all.length - 1].globalPosition);
      await sub.stop();
      // …and afterwards the subscription has every event once, in position order.
      expect(seen.map((e) => e.globalPosition)).toEqual(all.map((e) => e.globalPosition));
    });

    it('delivers the events of a rolled-back transaction never, and does not stall on it', async () => {
      const type = `rb${randomUUID().slice(0, 8)}.Happened`;
      const prefix = type.split('.')[0] + '.';
      const from = await lastPosition(store);
      const c = new Client({ connectionString: testDatabaseUrl() });
      await c.connect();
      await c.query('BEGIN');
      await c.query(`SELECT event_store.append_events($1, 0, repeat('0', 64), now(), $2)`, [
        uniqueStream('rb'),
        JSON.stringify(makeEvents(1, randomUUID(), type).map((e) => ({ ...e, prevHash: '0'.repeat(64), hash: 'f'.repeat(64) }))),
      ]);
      await store.append(uniqueStream('rb-other'), makeEvents(1, randomUUID(), type), 'no_stream');
      await c.query('ROLLBACK');
      await c.end();
      // The rolled-back event had the lower position: had it been visible, it would be by now.
      const page = await readAllSettled(store, from, [prefix], 1);
      expect(page).toHaveLength(1);
      expect(page[0].streamId).toMatch(/^rb-other-/);
    });
  });

  it('turns data PostgreSQL cannot store into a ValidationError, storing nothing', async () => {
    const stream = uniqueStream('bad');
    await expect(store.append(stream, makeEvents(1, randomUUID(), 'test.Bad', () => ({ s: 'nul\u0000byte' })), 'no_stream')).rejects.toMatchObject({ kind: 'validation' });
    expect(await store.streamVersion(stream)).toBe(0);
    // The sequencer lock was not left held: another append goes through at once.
    await store.append(uniqueStream('after-bad'), makeEvents(1), 'no_stream');
  });
});

async function lastPosition(store: PostgresEventStore): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: 5000 });
    if (page.length === 0) return after;
    after = page[page.length - 1].globalPosition;
  }
}
