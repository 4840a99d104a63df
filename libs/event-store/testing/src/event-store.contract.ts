import { randomUUID } from 'node:crypto';
import { ConcurrencyError, ConflictError, GENESIS_HASH, type EventStore, type NewEvent, type RecordedEvent } from '@custodian/kernel';

export interface EventStoreContractTarget {
  store: EventStore;
  /** Releases what the factory opened (pools, connections). */
  teardown?: () => Promise<void>;
}

/** Builds events for one tenant with fresh ids; `data` may be overridden per event. */
export function makeEvents(count: number, tenantId = randomUUID(), type = 'test.SomethingHappened', data: (i: number) => NewEvent['data'] = (i) => ({ n: i })): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    tenantId,
    data: data(i),
    metadata: { actorId: 'user:test', correlationId: randomUUID(), actorIp: '127.0.0.1' },
  }));
}

export const uniqueStream = (prefix = 'contract') => `${prefix}-${randomUUID()}`;

/**
 * The behaviour every EventStore adapter must show (libs/kernel event-store.port.ts). Call it
 * inside a Jest file with a factory that returns a ready store. Tests isolate by unique stream
 * ids and never clear the store, so they may run against a shared database.
 */
export function runEventStoreContract(adapterName: string, factory: () => Promise<EventStoreContractTarget>): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let target: EventStoreContractTarget;
    let store: EventStore;

    beforeAll(async () => {
      target = await factory();
      store = target.store;
    });
    afterAll(async () => {
      await target.teardown?.();
    });

    describe('append and readStream', () => {
      it('stores a new stream with consecutive versions from 1, chained hashes and global positions', async () => {
        const stream = uniqueStream();
        const events = makeEvents(3);
        const result = await store.append(stream, events, 'no_stream');
        expect(result.nextExpectedVersion).toBe(3);
        expect(result.alreadyAppended).toBe(false);
        const read = await store.readStream(stream);
        expect(read.map((e) => e.version)).toEqual([1, 2, 3]);
        expect(read.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
        expect(read[0].prevHash).toBe(GENESIS_HASH);
        expect(read[1].prevHash).toBe(read[0].hash);
        expect(read[2].prevHash).toBe(read[1].hash);
        expect(new Set(read.map((e) => e.hash)).size).toBe(3);
        expect(read[0].globalPosition).toBeLessThan(read[1].globalPosition);
        expect(result.events).toEqual(read);
        expect(result.lastGlobalPosition).toBe(read[2].globalPosition);
      });

      it('keeps data, metadata and time exactly as appended', async () => {
        const stream = uniqueStream();
        const [event] = makeEvents(1, randomUUID(), 'test.Rich', () => ({
          text: 'Zürich — 東京 — "quoted" \\ back',
          float: 0.1 + 0.2,
          big: 1e21,
          negative: -17,
          nested: { list: [1, 'two', null, true, { deep: [] }] },
          nothing: null,
        }));
        event.metadata = { actorId: 'user:42', actorIp: '203.0.113.9', correlationId: randomUUID(), causationId: randomUUID(), traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
        await store.append(stream, [event], 'no_stream');
        const [read] = await store.readStream(stream);
        expect(read.data).toEqual(event.data);
        expect(read.metadata).toEqual(event.metadata);
        expect(read.tenantId).toBe(event.tenantId);
        expect(read.type).toBe('test.Rich');
        expect(read.schemaVersion).toBe(1);
        expect(read.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 1, headHash: read.hash });
      });

      it('reads from a version, with a limit', async () => {
        const stream = uniqueStream();
        await store.append(stream, makeEvents(5), 'no_stream');
        expect((await store.readStream(stream, { fromVersion: 3 })).map((e) => e.version)).toEqual([3, 4, 5]);
        expect((await store.readStream(stream, { fromVersion: 2, limit: 2 })).map((e) => e.version)).toEqual([2, 3]);
        expect(await store.readStream(uniqueStream('missing'))).toEqual([]);
        expect(await store.streamVersion(stream)).toBe(5);
        expect(await store.streamVersion(uniqueStream('missing'))).toBe(0);
      });
    });

    describe('expected version', () => {
      it('accepts the exact version and refuses any other with ConcurrencyError', async () => {
        const stream = uniqueStream();
        await store.append(stream, makeEvents(2), 'no_stream');
        await expect(store.append(stream, makeEvents(1), 1)).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(store.append(stream, makeEvents(1), 3)).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(store.append(stream, makeEvents(1), 'no_stream')).rejects.toBeInstanceOf(ConcurrencyError);
        const ok = await store.append(stream, makeEvents(1), 2);
        expect(ok.nextExpectedVersion).toBe(3);
        expect(await store.streamVersion(stream)).toBe(3);
      });

      it("'any' appends whatever the version, 'stream_exists' only to an existing stream", async () => {
        const stream = uniqueStream();
        await expect(store.append(stream, makeEvents(1), 'stream_exists')).rejects.toBeInstanceOf(ConcurrencyError);
        await store.append(stream, makeEvents(1), 'any');
        await store.append(stream, makeEvents(2), 'any');
        await store.append(stream, makeEvents(1), 'stream_exists');
        expect(await store.streamVersion(stream)).toBe(4);
        expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 4 });
      });

      it('lets exactly one of many concurrent appends at the same version win', async () => {
        const stream = uniqueStream();
        await store.append(stream, makeEvents(1), 'no_stream');
        const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.append(stream, makeEvents(1), 1)));
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(7);
        for (const l of lost) expect(l.reason).toBeInstanceOf(ConcurrencyError);
        expect(await store.streamVersion(stream)).toBe(2);
      });

      it("keeps the chain intact under concurrent 'any' appends", async () => {
        const stream = uniqueStream();
        await Promise.all(Array.from({ length: 10 }, () => store.append(stream, makeEvents(2), 'any')));
        expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 20 });
      });
    });

    describe('idempotent append', () => {
      it('treats a repeated append of stored ids with the same content as a no-op', async () => {
        const stream = uniqueStream();
        const events = makeEvents(2);
        const first = await store.append(stream, events, 'no_stream');
        const again = await store.append(stream, events, 'no_stream');
        expect(again.alreadyAppended).toBe(true);
        expect(again.nextExpectedVersion).toBe(2);
        expect(again.events.map((e) => e.hash)).toEqual(first.events.map((e) => e.hash));
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('refuses a stored id with other content, or in another stream', async () => {
        const stream = uniqueStream();
        const [event] = makeEvents(1);
        await store.append(stream, [event], 'no_stream');
        await expect(store.append(stream, [{ ...event, data: { n: 999 } }], 'any')).rejects.toBeInstanceOf(ConflictError);
        await expect(store.append(uniqueStream(), [event], 'no_stream')).rejects.toBeInstanceOf(ConflictError);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('readAll and subscribeAll', () => {
      it('reads the global log in position order, after a position, filtered by type prefix', async () => {
        const tenant = randomUUID();
        const type = `contract${randomUUID().slice(0, 8)}.Happened`;
        const a = uniqueStream();
        const b = uniqueStream();
        const before = await lastPosition(store);
        await store.append(a, makeEvents(2, tenant, type), 'no_stream');
        await store.append(b, makeEvents(2, tenant, type), 'no_stream');
        await store.append(a, makeEvents(1, tenant, type), 2);
        const mine = await readAllSettled(store, before, [type.split('.')[0] + '.'], 5);
        expect(mine.map((e) => `${e.streamId === a ? 'a' : 'b'}${e.version}`)).toEqual(['a1', 'a2', 'b1', 'b2', 'a3']);
        const positions = mine.map((e) => e.globalPosition);
        expect([...positions].sort((x, y) => x - y)).toEqual(positions);
        const afterSecond = await store.readAll({ after: positions[1], typePrefixes: [type.split('.')[0] + '.'] });
        expect(afterSecond.map((e) => e.globalPosition)).toEqual(positions.slice(2));
        const limited = await store.readAll({ after: before, limit: 2, typePrefixes: [type.split('.')[0] + '.'] });
        expect(limited).toHaveLength(2);
      });

      it('delivers every event of concurrent writers exactly once, in position order', async () => {
        const type = `sub${randomUUID().slice(0, 8)}.Happened`;
        const prefix = type.split('.')[0] + '.';
        const from = await lastPosition(store);
        const seen: RecordedEvent[] = [];
        const sub = store.subscribeAll({ after: from, typePrefixes: [prefix], idleMs: 10, onEvent: async (e) => void seen.push(e) });
        const writers = Array.from({ length: 6 }, async () => {
          const stream = uniqueStream();
          for (let i = 0; i < 10; i++) await store.append(stream, makeEvents(1 + (i % 3), randomUUID(), type), 'any');
        });
        await Promise.all(writers);
        // 6 writers × (1+2+3+1+2+3+1+2+3+1) events
        const all = await readAllSettled(store, from, [prefix], 6 * 19);
        expect(all).toHaveLength(6 * 19);
        await sub.caughtUpTo(all[all.length - 1].globalPosition);
        await sub.stop();
        expect(seen.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
        expect(new Set(seen.map((e) => e.eventId)).size).toBe(seen.length);
      });
    });

    describe('verifyStream', () => {
      it('reports ok with the event count and head hash', async () => {
        const stream = uniqueStream();
        const r = await store.append(stream, makeEvents(4), 'no_stream');
        expect(await store.verifyStream(stream)).toEqual({ ok: true, streamId: stream, events: 4, headHash: r.events[3].hash });
      });
    });
  });
}

async function lastPosition(store: EventStore): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: 5000 });
    if (page.length === 0) return after;
    after = page[page.length - 1].globalPosition;
  }
}

/**
 * Reads until at least `expected` events are visible (bounded wait). readAll only returns events
 * once every older transaction on the server has finished, so right after an append — with
 * other work in flight — they may not be visible yet; they must become visible, in order.
 */
export async function readAllSettled(store: EventStore, after: number, typePrefixes: string[], expected: number, timeoutMs = 15_000): Promise<RecordedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await readAllAfter(store, after, typePrefixes);
    if (events.length >= expected || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function readAllAfter(store: EventStore, after: number, typePrefixes: string[]): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after, limit: 500, typePrefixes });
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1].globalPosition;
  }
}
