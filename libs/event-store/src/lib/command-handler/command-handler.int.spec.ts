import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  CommandHandler,
  ConcurrencyError,
  ConflictError,
  IllegalStateError,
  InfrastructureError,
  ValidationError,
  foldEvents,
  httpStatusOf,
  type CommandContext,
  type CommandHandlerOptions,
  type CommandOutcome,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@custodian/kernel';
import { createPool, migrate } from '@custodian/platform';
import { uniqueStream } from '@custodian/event-store/testing';
import { testDatabaseUrl } from '@custodian/testing';
import { eventStoreMigrations } from '../postgres/migrations';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import {
  shiftDecider,
  type BookCleaners,
  type CleanerBooked,
  type ShiftCommand,
  type ShiftEvent,
  type ShiftOpened,
  type ShiftState,
} from './testing/shift-booking.decider';
import { Barrier, ConnectionLostStore, DelegatingStore, OvertakenStore, ReadsTogetherStore } from './testing/store-wrappers';

/**
 * The kernel's CommandHandler (load → decide → append, retry on version conflicts,
 * Idempotency-Key replay) against the real PostgreSQL event store. Races are forced with a
 * barrier, never left to timing; every test works on its own stream and tenant.
 */

type ShiftHandler = CommandHandler<ShiftState, ShiftCommand, ShiftEvent>;
type ShiftOutcome = CommandOutcome<ShiftState, ShiftEvent>;

const OPENED_AT = '2025-03-01T08:00:00.000Z';
const BOOKED_AT = '2025-03-01T09:00:00.000Z';

let pool: Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  const owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 1 });
  await migrate(owner, eventStoreMigrations);
  await owner.end();
  pool = createPool({ connectionString: testDatabaseUrl(), max: 16 });
  store = new PostgresEventStore(pool);
});
afterAll(() => pool.end());

// ---------------------------------------------------------------------------------------------
// Given / when / then

const opened = (capacity: number): ShiftOpened => ({ type: 'cmdtest.ShiftOpened', schemaVersion: 1, data: { shiftId: 'shift-1', capacity, openedAt: OPENED_AT } });
const booked = (cleanerId: string): CleanerBooked => ({ type: 'cmdtest.CleanerBooked', schemaVersion: 1, data: { shiftId: 'shift-1', cleanerId, bookedAt: BOOKED_AT } });
const book = (...cleanerIds: string[]): BookCleaners => ({ type: 'BookCleaners', data: { cleanerIds, at: BOOKED_AT } });

interface Scenario {
  stream: string;
  tenantId: string;
}

/** Given: a fresh stream (and tenant) already holding these events, as earlier commands left them. */
function given(...history: ShiftEvent[]): Promise<Scenario> {
  return givenInTenant(randomUUID(), ...history);
}

async function givenInTenant(tenantId: string, ...history: ShiftEvent[]): Promise<Scenario> {
  const scenario = { stream: uniqueStream('cmdtest-shift'), tenantId };
  if (history.length > 0) {
    const setup: EventMetadata = { actorId: 'user:setup', correlationId: randomUUID() };
    await store.append(scenario.stream, history.map((e): NewEvent => ({ ...e, eventId: randomUUID(), tenantId, metadata: setup })), 'no_stream');
  }
  return scenario;
}

interface ContextOverrides {
  actorId?: string;
  actorIp?: string | null;
  correlationId?: string;
  idempotencyKey?: string;
}

function contextFor(scenario: Scenario, overrides: ContextOverrides = {}): CommandContext {
  const { idempotencyKey, ...metadata } = overrides;
  return {
    tenantId: scenario.tenantId,
    now: BOOKED_AT,
    metadata: { actorId: 'user:ann', correlationId: randomUUID(), actorIp: '198.51.100.4', ...metadata },
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
}

const handlerOn = (target: EventStore, options: CommandHandlerOptions = {}): ShiftHandler => new CommandHandler(target, shiftDecider, options);

interface WhenOptions {
  handler?: ShiftHandler;
  context?: ContextOverrides;
}

/** When: the command is handled on the scenario's stream (by default by a plain handler on the real store). */
function when(scenario: Scenario, command: ShiftCommand, options: WhenOptions = {}): Promise<ShiftOutcome> {
  return (options.handler ?? handlerOn(store)).handle(scenario.stream, command, contextFor(scenario, options.context));
}

/** When, expecting a rejection: resolves with the error (and fails the test if the command succeeded). */
async function whenRejected(scenario: Scenario, command: ShiftCommand, options: WhenOptions = {}): Promise<unknown> {
  try {
    await when(scenario, command, options);
  } catch (error) {
    return error;
  }
  throw new Error('expected the command to be rejected, but it succeeded');
}

/** Then: the stream as stored — versions 1..n without gaps, and its hash chain verified. */
async function thenStream(scenario: Scenario): Promise<RecordedEvent[]> {
  const events = await store.readStream(scenario.stream);
  expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
  expect(await store.verifyStream(scenario.stream)).toMatchObject({ ok: true, events: events.length });
  return events;
}

const domain = (events: readonly RecordedEvent[]) => events.map(({ type, schemaVersion, data }) => ({ type, schemaVersion, data }));
const bookedCleaners = (events: readonly RecordedEvent[]) =>
  events
    .filter((e) => e.type === 'cmdtest.CleanerBooked')
    .map((e) => String(e.data['cleanerId']))
    .sort();
const ids = (events: readonly { eventId: string }[]) => events.map((e) => e.eventId);

function expectInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): T {
  expect(value).toBeInstanceOf(type);
  return value as T;
}

/** Settles every racer and sorts them into winners (with their index) and losers (with their error). */
async function race<T>(racers: Promise<T>[]) {
  const settled = await Promise.allSettled(racers);
  const won: { index: number; value: T }[] = [];
  const lost: { index: number; error: unknown }[] = [];
  settled.forEach((r, index) => (r.status === 'fulfilled' ? won.push({ index, value: r.value }) : lost.push({ index, error: r.reason })));
  return { won, lost };
}

/** An injected sleep that only records how long the handler asked to wait. */
function recordingSleep() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

const topologies = ['one store instance shared by the racers', 'one store instance per racer (replicas)'] as const;
type Topology = (typeof topologies)[number];

/** The store each racer uses: the same instance (one process) or its own (one per replica, own head cache). */
function racerStores(topology: Topology, count: number): EventStore[] {
  return Array.from({ length: count }, () => (topology === topologies[0] ? store : new PostgresEventStore(pool)));
}

// ---------------------------------------------------------------------------------------------

describe('CommandHandler on PostgresEventStore', () => {
  describe('load → decide → append', () => {
    it('stores the decided events at consecutive versions and returns them exactly as stored, with the folded state', async () => {
      const s = await given(opened(3));

      const outcome = await when(s, book('ann', 'bob'), { context: { actorId: 'user:olga', correlationId: 'req-0001', actorIp: '203.0.113.7' } });

      const stored = await thenStream(s);
      expect(domain(stored)).toEqual([opened(3), booked('ann'), booked('bob')]);
      expect(outcome.events).toEqual(stored.slice(1));
      expect(outcome.events.map((e) => e.version)).toEqual([2, 3]);
      expect(outcome.events[0].prevHash).toBe(stored[0].hash);
      expect(outcome.events[1].prevHash).toBe(outcome.events[0].hash);
      outcome.events.forEach((e) => expect(e.hash).toMatch(/^[0-9a-f]{64}$/));
      expect(outcome).toMatchObject({ version: 3, replayed: false });
      expect(outcome.state).toEqual({ status: 'open', shiftId: 'shift-1', capacity: 3, booked: ['ann', 'bob'] });
      expect(outcome.state).toEqual(foldEvents(shiftDecider, stored as unknown as ShiftEvent[]));
      for (const e of stored.slice(1)) {
        expect(e.tenantId).toBe(s.tenantId);
        expect(e.metadata).toStrictEqual({ actorId: 'user:olga', correlationId: 'req-0001', actorIp: '203.0.113.7' });
      }
    });

    it('starts a new stream from nothing', async () => {
      const s = await given();

      const outcome = await when(s, { type: 'OpenShift', data: { shiftId: 'shift-1', capacity: 2, at: OPENED_AT } });

      expect(domain(await thenStream(s))).toEqual([opened(2)]);
      expect(outcome).toMatchObject({ version: 1, replayed: false, state: { status: 'open', capacity: 2, booked: [] } });
    });

    it('decides on the stored history: a rule broken by stored events rejects the command (422) and appends nothing', async () => {
      const s = await given(opened(1), booked('ann'));

      const error = expectInstance(await whenRejected(s, book('bob')), IllegalStateError);

      expect(error.code).toBe('shift_full');
      expect(httpStatusOf(error.kind)).toBe(422);
      expect(domain(await thenStream(s))).toEqual([opened(1), booked('ann')]);
    });

    it('a decision without events appends nothing and reports the current version', async () => {
      const s = await given(opened(2), booked('ann'));

      const outcome = await when(s, book('ann'));

      expect(outcome).toEqual({ events: [], state: { status: 'open', shiftId: 'shift-1', capacity: 2, booked: ['ann'] }, version: 2, replayed: false, history: expect.any(Array) });
      expect(outcome.history.map((e) => e.version)).toEqual([1, 2]);
      expect(await store.streamVersion(s.stream)).toBe(2);
    });
  });

  describe.each(topologies)('concurrent commands on one stream — %s', (topology) => {
    it('without retries, exactly one of two racers wins; the other gets a ConcurrencyError (409) and succeeds when retried', async () => {
      const s = await given(opened(5));
      const barrier = new Barrier(2);
      const [a, b] = racerStores(topology, 2).map((st) => handlerOn(new ReadsTogetherStore(st, barrier), { maxRetries: 0 }));
      const commands = [book('ann'), book('bob')];
      const handlers = [a, b];

      const { won, lost } = await race(commands.map((command, i) => when(s, command, { handler: handlers[i] })));

      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(won[0].value).toMatchObject({ version: 2, replayed: false });
      const conflict = expectInstance(lost[0].error, ConcurrencyError);
      expect(httpStatusOf(conflict.kind)).toBe(409);
      expect(conflict).toMatchObject({ code: 'concurrency_conflict', streamId: s.stream, expected: 1, actual: 2, retriable: true });
      expect(await store.streamVersion(s.stream)).toBe(2);

      const loser = lost[0].index;
      const retried = await when(s, commands[loser], { handler: handlers[loser] });

      expect(retried).toMatchObject({ version: 3, replayed: false });
      expect(retried.state).toMatchObject({ booked: [won[0].index === 0 ? 'ann' : 'bob', loser === 0 ? 'ann' : 'bob'] });
      const stored = await thenStream(s);
      expect(stored).toHaveLength(3);
      expect(bookedCleaners(stored)).toEqual(['ann', 'bob']);
    });

    // Each conflict a racer meets is another racer's success, so a racer loses at most N-1 times:
    // with N-1 <= maxRetries (default 10) every racer succeeds whatever the timing.
    it('with the default retries, N racers that all read the same version all succeed, at versions 2..N+1', async () => {
      const n = 10;
      const s = await given(opened(n));
      const barrier = new Barrier(n);
      const cleaners = Array.from({ length: n }, (_, i) => `cleaner-${String(i).padStart(2, '0')}`);
      const handlers = racerStores(topology, n).map((st) => handlerOn(new ReadsTogetherStore(st, barrier)));

      const outcomes = await Promise.all(cleaners.map((c, i) => when(s, book(c), { handler: handlers[i] })));

      expect(outcomes.map((o) => o.version).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
      outcomes.forEach((o, i) => expect(o.events.map((e) => e.data['cleanerId'])).toEqual([cleaners[i]]));
      const stored = await thenStream(s);
      expect(stored).toHaveLength(n + 1);
      expect(bookedCleaners(stored)).toEqual(cleaners);
    });

    it('with a capacity rule, exactly `capacity` of N racers succeed and the rest get IllegalStateError — never more', async () => {
      const n = 10;
      const capacity = 3;
      const s = await given(opened(capacity));
      const barrier = new Barrier(n);
      const cleaners = Array.from({ length: n }, (_, i) => `cleaner-${String(i).padStart(2, '0')}`);
      const handlers = racerStores(topology, n).map((st) => handlerOn(new ReadsTogetherStore(st, barrier)));

      const { won, lost } = await race(cleaners.map((c, i) => when(s, book(c), { handler: handlers[i] })));

      expect(won).toHaveLength(capacity);
      expect(lost).toHaveLength(n - capacity);
      for (const { error } of lost) expect(expectInstance(error, IllegalStateError).code).toBe('shift_full');
      const stored = await thenStream(s);
      expect(stored).toHaveLength(1 + capacity);
      expect(bookedCleaners(stored)).toEqual(won.map((w) => cleaners[w.index]).sort());
    });
  });

  describe('bounded retries', () => {
    const rivalBooking = (tenantId: string) => (): NewEvent => ({
      ...booked(`rival-${randomUUID()}`),
      eventId: randomUUID(),
      tenantId,
      metadata: { actorId: 'user:rival', correlationId: randomUUID() },
    });

    it.each([
      { random: 1, baseDelayMs: 10, maxDelayMs: 1000, maxRetries: 3, sleeps: [10, 20, 40] },
      { random: 0.5, baseDelayMs: 10, maxDelayMs: 1000, maxRetries: 3, sleeps: [5, 10, 20] },
      { random: 0.999, baseDelayMs: 10, maxDelayMs: 1000, maxRetries: 3, sleeps: [9, 19, 39] },
      { random: 0, baseDelayMs: 10, maxDelayMs: 1000, maxRetries: 3, sleeps: [0, 0, 0] },
      { random: 1, baseDelayMs: 7, maxDelayMs: 1000, maxRetries: 1, sleeps: [7] },
      { random: 1, baseDelayMs: 10, maxDelayMs: 50, maxRetries: 5, sleeps: [10, 20, 40, 50, 50] },
      { random: 0.5, baseDelayMs: 10, maxDelayMs: 50, maxRetries: 5, sleeps: [5, 10, 20, 25, 25] },
    ])(
      'a stream that always moves: gives up after maxRetries+1 attempts, rethrows the ConcurrencyError; sleeps floor(random·min(maxDelay, base·2^attempt)) (random=$random, base=$baseDelayMs, maxDelay=$maxDelayMs, maxRetries=$maxRetries)',
      async ({ random, baseDelayMs, maxDelayMs, maxRetries, sleeps: expectedSleeps }) => {
        const s = await given(opened(100));
        const overtaken = new OvertakenStore(store, rivalBooking(s.tenantId));
        const { sleeps, sleep } = recordingSleep();

        const error = await whenRejected(s, book('ann'), { handler: handlerOn(overtaken, { maxRetries, baseDelayMs, maxDelayMs, random: () => random, sleep }) });

        expect(httpStatusOf(expectInstance(error, ConcurrencyError).kind)).toBe(409);
        expect(overtaken.appends).toBe(maxRetries + 1);
        expect(overtaken.reads).toBe(maxRetries + 1);
        expect(sleeps).toEqual(expectedSleeps);
        const stored = await thenStream(s);
        expect(stored).toHaveLength(1 + maxRetries + 1);
        expect(bookedCleaners(stored)).not.toContain('ann');
      },
    );

    it('defaults: 10 retries (11 attempts), base 10 ms doubling, each sleep capped at 1 s (random() = 1)', async () => {
      const s = await given(opened(100));
      const overtaken = new OvertakenStore(store, rivalBooking(s.tenantId));
      const { sleeps, sleep } = recordingSleep();

      expectInstance(await whenRejected(s, book('ann'), { handler: handlerOn(overtaken, { random: () => 1, sleep }) }), ConcurrencyError);

      expect(overtaken.appends).toBe(11);
      expect(sleeps).toEqual([10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
    });

    it('succeeds on the attempt after the stream stops moving', async () => {
      const s = await given(opened(100));
      const overtaken = new OvertakenStore(store, rivalBooking(s.tenantId), 2);
      const { sleeps, sleep } = recordingSleep();

      const outcome = await when(s, book('ann'), { handler: handlerOn(overtaken, { random: () => 1, sleep }) });

      expect(outcome).toMatchObject({ version: 4, replayed: false });
      expect(outcome.state).toMatchObject({ booked: [expect.stringMatching(/^rival-/), expect.stringMatching(/^rival-/), 'ann'] });
      expect(overtaken.appends).toBe(3);
      expect(sleeps).toEqual([10, 20]);
      expect(bookedCleaners(await thenStream(s))).toContain('ann');
    });

    it('a retry re-reads and decides again: a rival that filled the shift meanwhile turns the retry into IllegalStateError', async () => {
      const s = await given(opened(2), booked('ann'));
      const overtaken = new OvertakenStore(store, rivalBooking(s.tenantId), 1);
      const { sleeps, sleep } = recordingSleep();

      const error = await whenRejected(s, book('bob'), { handler: handlerOn(overtaken, { sleep }) });

      expect(expectInstance(error, IllegalStateError).code).toBe('shift_full');
      expect(overtaken.reads).toBe(2);
      expect(overtaken.appends).toBe(1);
      expect(sleeps).toHaveLength(1);
      expect(bookedCleaners(await thenStream(s))).not.toContain('bob');
    });

    describe('other errors are not retried (one attempt, no sleep)', () => {
      it('IllegalStateError from decide', async () => {
        const s = await given(opened(1), booked('ann'));
        const counting = new DelegatingStore(store);
        const { sleeps, sleep } = recordingSleep();

        expectInstance(await whenRejected(s, book('bob'), { handler: handlerOn(counting, { sleep }) }), IllegalStateError);

        expect(counting.reads).toBe(1);
        expect(counting.appends).toBe(0);
        expect(sleeps).toEqual([]);
      });

      it('ValidationError from the real store (PostgreSQL refuses a NUL character in jsonb)', async () => {
        const s = await given(opened(3));
        const counting = new DelegatingStore(store);
        const { sleeps, sleep } = recordingSleep();

        const error = await whenRejected(s, book('nul\u0000cleaner'), { handler: handlerOn(counting, { sleep }) });

        expect(httpStatusOf(expectInstance(error, ValidationError).kind)).toBe(400);
        expect(counting.appends).toBe(1);
        expect(sleeps).toEqual([]);
        expect(await store.streamVersion(s.stream)).toBe(1);
      });

      it('InfrastructureError, even when retriable (left to the caller)', async () => {
        const s = await given(opened(3));
        const failing = new ConnectionLostStore(store, 'before-append');
        const { sleeps, sleep } = recordingSleep();

        const error = await whenRejected(s, book('ann'), { handler: handlerOn(failing, { sleep }) });

        expect(expectInstance(error, InfrastructureError).retriable).toBe(true);
        expect(failing.appends).toBe(1);
        expect(sleeps).toEqual([]);
        expect(await store.streamVersion(s.stream)).toBe(1);
      });
    });
  });

  describe('Idempotency-Key', () => {
    it('the same key twice: the second call replays the first events (same ids, hashes) and appends nothing', async () => {
      const s = await given(opened(5));

      const first = await when(s, book('ann'), { context: { idempotencyKey: 'key-000001', correlationId: 'req-1' } });
      const second = await when(s, book('ann'), { context: { idempotencyKey: 'key-000001', correlationId: 'req-2' } });

      expect(first.replayed).toBe(false);
      expect(second).toMatchObject({ replayed: true, version: 2 });
      expect(second.events).toEqual(first.events);
      expect(second.events.map((e) => e.hash)).toEqual(first.events.map((e) => e.hash));
      const stored = await thenStream(s);
      expect(stored).toHaveLength(2);
      expect(stored[1].metadata).toMatchObject({ idempotencyKey: 'key-000001', correlationId: 'req-1' });
    });

    it('replays the original events even after other commands moved the stream — whatever the body of the repeat', async () => {
      const s = await given(opened(5));
      const first = await when(s, book('ann', 'bob'), { context: { idempotencyKey: 'key-000001' } });
      await when(s, book('cyd'));
      await when(s, book('dan'), { context: { idempotencyKey: 'key-000002' } });

      const repeat = await when(s, book('ann', 'bob'), { context: { idempotencyKey: 'key-000001' } });
      const repeatOtherBody = await when(s, book('eve'), { context: { idempotencyKey: 'key-000001' } });

      expect(repeat.replayed).toBe(true);
      expect(repeat.events).toEqual(first.events);
      expect(repeatOtherBody.replayed).toBe(true);
      expect(repeatOtherBody.events).toEqual(first.events);
      expect(bookedCleaners(await thenStream(s))).toEqual(['ann', 'bob', 'cyd', 'dan']);
    });

    it('a different key is a new command: new events with new ids', async () => {
      const s = await given(opened(5));
      const first = await when(s, book('ann'), { context: { idempotencyKey: 'key-000001' } });

      const other = await when(s, book('bob'), { context: { idempotencyKey: 'key-000002' } });

      expect(other).toMatchObject({ replayed: false, version: 3 });
      expect(ids(other.events)).not.toEqual(ids(first.events));
      expect(other.events[0].metadata.idempotencyKey).toBe('key-000002');
      expect(bookedCleaners(await thenStream(s))).toEqual(['ann', 'bob']);
    });

    it('after a restart (new store instance, new handler) the same key still replays, appending nothing', async () => {
      const s = await given(opened(5));
      const first = await when(s, book('ann'), { handler: handlerOn(new PostgresEventStore(pool)), context: { idempotencyKey: 'key-restart' } });

      const afterRestart = await when(s, book('ann'), { handler: handlerOn(new PostgresEventStore(pool)), context: { idempotencyKey: 'key-restart' } });

      expect(afterRestart.replayed).toBe(true);
      expect(afterRestart.events).toEqual(first.events);
      expect(await store.streamVersion(s.stream)).toBe(2);
    });

    it('a crash right after append (acknowledgement lost): the client retry with the key gets the stored events, no duplicate', async () => {
      const s = await given(opened(5));
      const crashing = new ConnectionLostStore(new PostgresEventStore(pool), 'after-commit');

      const lostAck = await whenRejected(s, book('ann', 'bob'), { handler: handlerOn(crashing), context: { idempotencyKey: 'key-crash', correlationId: 'req-1' } });
      expect(expectInstance(lostAck, InfrastructureError).retriable).toBe(true);
      expect(crashing.appends).toBe(1);

      const retry = await when(s, book('ann', 'bob'), { handler: handlerOn(new PostgresEventStore(pool)), context: { idempotencyKey: 'key-crash', correlationId: 'req-2' } });

      const stored = await thenStream(s);
      expect(stored).toHaveLength(3);
      expect(retry).toMatchObject({ replayed: true, version: 3 });
      expect(retry.events).toEqual(stored.slice(1));
      expect(ids(retry.events)).toEqual(ids(crashing.appended[0]));
    });

    it('event ids are a function of (tenant, stream, key, index): what a failed attempt asked for is what a later run stores', async () => {
      const s = await given(opened(5));
      const failed = new ConnectionLostStore(new PostgresEventStore(pool), 'before-append');
      await whenRejected(s, book('ann', 'bob'), { handler: handlerOn(failed), context: { idempotencyKey: 'key-ids' } });
      const asked = ids(failed.appended[0]);

      const later = await when(s, book('ann', 'bob'), { context: { idempotencyKey: 'key-ids', correlationId: 'another-request' } });
      const otherStream = await when(await givenInTenant(s.tenantId, opened(5)), book('ann', 'bob'), { context: { idempotencyKey: 'key-ids' } });
      const otherKey = await when(await given(opened(5)), book('ann', 'bob'), { context: { idempotencyKey: 'key-other' } });

      expect(later.replayed).toBe(false);
      expect(ids(later.events)).toEqual(asked);
      expect(new Set(asked).size).toBe(2);
      for (const id of [...ids(otherStream.events), ...ids(otherKey.events)]) expect(asked).not.toContain(id);
    });

    it('two racers with the same key and the same request: one appends, the other replays it — even without retries', async () => {
      const s = await given(opened(5));
      const barrier = new Barrier(2);
      const handlers = racerStores('one store instance per racer (replicas)', 2).map((st) => handlerOn(new ReadsTogetherStore(st, barrier), { maxRetries: 0 }));
      const context = { idempotencyKey: 'key-race-same', correlationId: 'req-1' };

      const [a, b] = await Promise.all(handlers.map((handler) => when(s, book('ann'), { handler, context })));

      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      expect(ids(a.events)).toEqual(ids(b.events));
      expect(bookedCleaners(await thenStream(s))).toEqual(['ann']);
    });

    // A client that retries while its first request is still in flight sends the same key in a
    // new request, so correlationId (= request id) differs. Both runs derive the same event ids;
    // the loser's append meets them stored with other metadata (ConflictError event_id_reused,
    // since the store checks duplicates before the version). Regression test for a25fef5: before
    // it, that ConflictError reached the client instead of the replay.
    it('two racers with the same key from two requests (different request ids): the loser re-reads at once and replays', async () => {
      const s = await given(opened(5));
      const barrier = new Barrier(2);
      const { sleeps, sleep } = recordingSleep();
      const handlers = racerStores('one store instance per racer (replicas)', 2).map((st) => handlerOn(new ReadsTogetherStore(st, barrier), { sleep }));

      const { won, lost } = await race(
        handlers.map((handler, i) => when(s, book('ann'), { handler, context: { idempotencyKey: 'key-race-retry', correlationId: `req-${i + 1}` } })),
      );

      expect(lost.map(({ error }) => (error instanceof ConflictError ? `ConflictError ${error.code}` : String(error)))).toEqual([]);
      expect(won.map((w) => w.value.replayed).sort()).toEqual([false, true]);
      expect(ids(won[0].value.events)).toEqual(ids(won[1].value.events));
      expect(sleeps).toEqual([]);
      expect(bookedCleaners(await thenStream(s))).toEqual(['ann']);
    });
  });
});
