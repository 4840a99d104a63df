/**
 * Event-store benchmark: `npm run bench:store`.
 *
 * Runs the PostgreSQL adapter of the EventStore port against a fresh database (see
 * lib/bench-database.ts for how the server is chosen), through runtime-role pools as services
 * do, and measures:
 *   append_single_8_writers  8 concurrent writers, one ~200 B event per append    (events/s)
 *   append_batch_100         4 concurrent writers, 100-event appends               (events/s)
 *   readall_replay           readAll pages of 5000 from position 0 over everything  (events/s)
 *   verify_stream            verifyStream over one 100k-event stream, as loaded    (events/s)
 *   verify_stream_after_analyze  the same once planner statistics are current   (events/s, information)
 *   append_single_p50_ms / append_single_p99_ms   latency of the single appends   (ms)
 * Prints a table and writes bench/results/store.json (lib/results.ts).
 *
 * Exit status: 0 whenever the run completes, targets met or not (it reports, it does not
 * judge); non-zero only on an error or a failed correctness check (counts, versions, chains).
 * Every phase is bounded in time and count; the whole run stays under ~2 minutes on 2 cores.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { Pool } from 'pg';
import type { EventStore, JsonObject, NewEvent } from '@custodian/kernel';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { makeEvents } from '@custodian/event-store/testing';
import { createPool, migrate } from '@custodian/platform';
import { openBenchDatabase } from './lib/bench-database';
import { cpuShare, findLocalPostgres, formatCpuShare, sampleCpu, type CpuShare, type LocalPostgres } from './lib/cpu';
import { formatBenchTable, writeBenchResults, type BenchMetrics } from './lib/results';

const SINGLE_WRITERS = 8;
const BATCH_WRITERS = 4;
const BATCH_SIZE = 100;
const STREAMS_PER_WRITER = 4;
/** Connections of the runtime pool: one per concurrent writer of the widest phase. */
const POOL_MAX = SINGLE_WRITERS;
const EVENT_DATA_BYTES = 200;
const EVENT_TYPE = 'bench.TaskCompleted';

const WARMUP_MS = 1_500;
const SINGLE_MS = 10_000;
const SINGLE_MAX_EVENTS = 200_000;
const BATCH_MS = 10_000;
const BATCH_MAX_EVENTS = 800_000;
const READALL_PAGE = 5_000;
const READALL_MIN_EVENTS = 200_000;
const READALL_MAX_MS = 30_000;
const LONG_STREAM_EVENTS = 100_000;
/** Events per append when building the long stream (setup, not measured). */
const LONG_STREAM_CHUNK = 1_000;
/** Streams re-verified (hash chain) after the append phases, besides the long one. */
const SAMPLE_STREAMS = 12;

const TARGETS = {
  append_single_8_writers: 8_000,
  append_batch_100: 40_000,
  readall_replay: 100_000,
  verify_stream: 150_000,
} as const;

const log = (message: string) => process.stderr.write(`[bench:store] ${message}\n`);

/** Every stream the run wrote, with the version its appends returned: what the store must hold. */
class Ledger {
  readonly versions = new Map<string, number>();
  total = 0;

  /** Records an append of `count` events whose result said `nextExpectedVersion`; throws if inconsistent. */
  record(streamId: string, count: number, nextExpectedVersion: number): void {
    const before = this.versions.get(streamId) ?? 0;
    if (nextExpectedVersion !== before + count) {
      throw new Error(`append to ${streamId} returned version ${nextExpectedVersion}, expected ${before + count}`);
    }
    this.versions.set(streamId, nextExpectedVersion);
    this.total += count;
  }

  version(streamId: string): number {
    return this.versions.get(streamId) ?? 0;
  }
}

/** Event data of about EVENT_DATA_BYTES bytes of JSON (a completed cleaning task). */
function makeData(): (i: number) => JsonObject {
  const shape = (i: number, note: string): JsonObject => ({
    taskId: `task-${i}`,
    siteId: 'site-0d8c6f3e',
    area: 'floor-3/restrooms',
    checklist: ['mop', 'bins', 'soap', 'mirrors'],
    completedBy: 'user:bench',
    durationSec: 600 + (i % 97),
    note,
  });
  const padding = 'x'.repeat(Math.max(0, EVENT_DATA_BYTES - JSON.stringify(shape(100_000, '')).length));
  return (i) => shape(i, padding);
}
const eventData = makeData();

/** `tenantId` is a UUID because makeEvents types it so. */
function newEvents(count: number, tenantId: ReturnType<typeof randomUUID>, offset: number): NewEvent[] {
  return makeEvents(count, tenantId, EVENT_TYPE, (i) => eventData(offset + i));
}

/** Running count on stderr: one rewritten line on a terminal, a line every 2 s otherwise. */
function progress(phase: string, count: () => number): { stop(): void } {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  const show = (final: boolean) => {
    const text = `[bench:store] ${phase}: ${count().toLocaleString('en-US')} events, ${((performance.now() - started) / 1000).toFixed(1)} s`;
    if (tty) process.stderr.write(`\r${text}\x1b[K${final ? '\n' : ''}`);
    else process.stderr.write(`${text}\n`);
  };
  const timer = setInterval(() => show(false), tty ? 250 : 2_000);
  return {
    stop: () => {
      clearInterval(timer);
      show(true);
    },
  };
}

interface WriterPhase {
  name: string;
  writers: number;
  batchSize: number;
  durationMs: number;
  maxEvents: number;
  /** Stream id prefix; writer w uses `<prefix>-w<w>-s<k>` for k < STREAMS_PER_WRITER. */
  prefix: string;
  /** When given, each append's latency in ms is pushed here. */
  latencies?: number[];
}

/** What a measured phase did: events over the time they took (throughput = events / elapsed). */
interface Timed {
  events: number;
  elapsedMs: number;
}

/** What the machine and the server did during a phase (diagnostics printed next to the number). */
interface Observed {
  cpu: CpuShare;
  /** WAL the server wrote, bytes; null when it could not be read. */
  walBytes: number | null;
  /** Checkpoints that started (a checkpoint's full-page writes slow appends down). */
  checkpoints: number | null;
}

type PhaseOutcome<T extends Timed = Timed> = T & Observed;

/**
 * Samples CPU (lib/cpu.ts) and the server's WAL position and checkpoint count around `work`.
 * The samples are taken outside the work's own timing.
 */
async function observe<T extends Timed>(owner: Pool, server: LocalPostgres | null, work: () => Promise<T>): Promise<PhaseOutcome<T>> {
  const serverStats = async () =>
    owner
      .query<{ wal: number; checkpoints: number }>(
        `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS wal, (checkpoints_timed + checkpoints_req)::int AS checkpoints FROM pg_stat_bgwriter`,
      )
      .then(
        (r) => r.rows[0],
        () => null,
      );
  const statsFrom = await serverStats();
  const cpuFrom = sampleCpu(server);
  const result = await work();
  const cpu = cpuShare(cpuFrom, sampleCpu(server));
  const statsTo = await serverStats();
  return {
    ...result,
    cpu,
    walBytes: statsFrom && statsTo ? statsTo.wal - statsFrom.wal : null,
    checkpoints: statsFrom && statsTo ? statsTo.checkpoints - statsFrom.checkpoints : null,
  };
}

/** One line of diagnostics: CPU split, WAL volume per event, checkpoints. */
function diagnostics(o: PhaseOutcome): string {
  const wal = o.walBytes === null ? '' : `; WAL ${(o.walBytes / 1e6).toFixed(0)} MB (${Math.round(o.walBytes / Math.max(1, o.events))} B/event)`;
  const checkpoints = o.checkpoints ? `; ${o.checkpoints} checkpoint(s) started` : '';
  return `${formatCpuShare(o.cpu)}${wal}${checkpoints}`;
}

/**
 * Runs `writers` concurrent loops; each appends `batchSize` events per call, cycling over its
 * own streams with the exact expected version from the ledger, until the time or the event
 * budget is spent. Throughput counts from the start until the last writer's last append.
 */
async function runWriters(store: EventStore, ledger: Ledger, phase: WriterPhase): Promise<Timed> {
  let claimed = 0;
  let done = 0;
  const started = performance.now();
  const deadline = started + phase.durationMs;
  const meter = progress(phase.name, () => done);
  const writer = async (w: number) => {
    const tenantId = randomUUID();
    const streams = Array.from({ length: STREAMS_PER_WRITER }, (_, k) => `${phase.prefix}-w${w}-s${k}`);
    for (let call = 0; performance.now() < deadline && claimed + phase.batchSize <= phase.maxEvents; call++) {
      claimed += phase.batchSize;
      const streamId = streams[call % streams.length];
      const expected = ledger.version(streamId);
      const events = newEvents(phase.batchSize, tenantId, expected);
      const t0 = performance.now();
      const result = await store.append(streamId, events, expected);
      phase.latencies?.push(performance.now() - t0);
      ledger.record(streamId, events.length, result.nextExpectedVersion);
      done += events.length;
    }
  };
  try {
    await Promise.all(Array.from({ length: phase.writers }, (_, w) => writer(w)));
  } finally {
    meter.stop();
  }
  return { events: done, elapsedMs: performance.now() - started };
}

/** Appends `total` events to one stream in chunks (setup for verify_stream; not measured). */
async function buildLongStream(store: EventStore, ledger: Ledger, streamId: string, total: number): Promise<void> {
  const tenantId = randomUUID();
  let written = 0;
  const meter = progress('build long stream (setup)', () => written);
  try {
    while (written < total) {
      const count = Math.min(LONG_STREAM_CHUNK, total - written);
      const result = await store.append(streamId, newEvents(count, tenantId, written), written);
      ledger.record(streamId, count, result.nextExpectedVersion);
      written += count;
    }
  } finally {
    meter.stop();
  }
}

/** Pages through readAll from position 0; checks strict position order. Stops at `maxMs`. */
async function replayAll(store: EventStore, maxMs: number): Promise<Timed & { complete: boolean }> {
  let read = 0;
  let after = 0;
  let complete = false;
  const started = performance.now();
  const meter = progress('readall_replay', () => read);
  try {
    for (;;) {
      const page = await store.readAll({ after, limit: READALL_PAGE });
      for (const e of page) {
        if (e.globalPosition <= after) throw new Error(`readAll returned position ${e.globalPosition} after ${after}: not in global order`);
        after = e.globalPosition;
      }
      read += page.length;
      if (page.length < READALL_PAGE) {
        complete = true;
        break;
      }
      if (performance.now() - started > maxMs) break;
    }
  } finally {
    meter.stop();
  }
  return { events: read, elapsedMs: performance.now() - started, complete };
}

/**
 * Correctness after the append phases: the store holds exactly what the ledger says (event count,
 * every stream's version) and a sample of streams verifies. Throws on any mismatch.
 */
async function checkStore(store: EventStore, pool: Pool, ledger: Ledger): Promise<void> {
  const count = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM event_store.events')).rows[0].n;
  if (count !== ledger.total) throw new Error(`store holds ${count} events, the run appended ${ledger.total}`);
  const rows = (await pool.query<{ stream_id: string; version: number }>('SELECT stream_id, version FROM event_store.streams')).rows;
  if (rows.length !== ledger.versions.size) throw new Error(`store holds ${rows.length} streams, the run wrote ${ledger.versions.size}`);
  for (const r of rows) {
    if (ledger.version(r.stream_id) !== r.version) throw new Error(`stream ${r.stream_id} is at version ${r.version}, the run appended ${ledger.version(r.stream_id)}`);
  }
  const ids = [...ledger.versions.keys()].filter((id) => ledger.version(id) < LONG_STREAM_EVENTS);
  const step = Math.max(1, Math.floor(ids.length / SAMPLE_STREAMS));
  const sample = ids.filter((_, i) => i % step === 0).slice(0, SAMPLE_STREAMS);
  for (const id of sample) {
    const v = await store.verifyStream(id);
    if (!v.ok) throw new Error(`verifyStream(${id}) failed at version ${v.brokenAtVersion}: ${v.reason}`);
    if (v.events !== ledger.version(id)) throw new Error(`verifyStream(${id}) saw ${v.events} events, the run appended ${ledger.version(id)}`);
  }
  log(`check: ${count.toLocaleString('en-US')} events in ${rows.length} streams match the appends; ${sample.length} sampled streams verify`);
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const perSecond = (o: { events: number; elapsedMs: number }) => Math.round((o.events / o.elapsedMs) * 1000);
const round2 = (v: number) => Math.round(v * 100) / 100;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Times verifyStream over the long stream; throws unless the whole chain verifies. */
async function timeVerify(store: EventStore, streamId: string): Promise<Timed> {
  const started = performance.now();
  const verified = await store.verifyStream(streamId);
  const outcome = { events: verified.events, elapsedMs: performance.now() - started };
  if (!verified.ok) throw new Error(`verifyStream(${streamId}) failed at version ${verified.brokenAtVersion}: ${verified.reason}`);
  if (verified.events !== LONG_STREAM_EVENTS) throw new Error(`verifyStream(${streamId}) saw ${verified.events} events, expected ${LONG_STREAM_EVENTS}`);
  return outcome;
}

/** Says on stderr when other processes took a noticeable share of the machine during a phase. */
function reportPhase(name: string, outcome: PhaseOutcome): void {
  log(`${name}: ${perSecond(outcome)} events/s; ${diagnostics(outcome)}`);
  if (outcome.cpu.otherPct !== null && outcome.cpu.otherPct >= 25) {
    log(`  warning: other processes used ${outcome.cpu.otherPct}% of one core during ${name}: the number is pessimistic`);
  }
}

async function main(): Promise<void> {
  log(`machine: ${cpus().length} cpus, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const db = await openBenchDatabase({ log });
  const serverLine = `PostgreSQL: ${db.source}; database ${db.name}`;
  log(serverLine);
  const owner = createPool({ connectionString: db.url, max: 2, runtimeRole: false, applicationName: 'custodian-bench-owner' });
  const pool = createPool({ connectionString: db.url, max: POOL_MAX, applicationName: 'custodian-bench' });
  for (const p of [owner, pool]) {
    // A session ended under a checked-out client (interrupt: the drop terminates sessions) fails
    // its query, which the caller sees; without this listener it would also crash the process.
    p.on('connect', (client) => client.on('error', () => undefined));
    db.onCleanup(() => p.end());
  }
  try {
    await migrate(owner, eventStoreMigrations);
    const info = (
      await owner.query<{ v: string; sc: string; av: string; pid: number }>(
        `SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc, current_setting('autovacuum') AS av, pg_backend_pid() AS pid`,
      )
    ).rows[0];
    const server = findLocalPostgres(info.pid, db.name);
    log(`server ${info.v}, synchronous_commit=${info.sc}, autovacuum=${info.av}; runtime pool max ${POOL_MAX}; server CPU ${server ? `measured (postmaster ${server.postmasterPid})` : 'not measurable from here'}`);
    const store = new PostgresEventStore(pool);
    const ledger = new Ledger();

    // Warm-up: connections opened, plans cached, JIT hot. Not measured.
    await runWriters(store, ledger, { name: 'warm-up single', writers: SINGLE_WRITERS, batchSize: 1, durationMs: WARMUP_MS, maxEvents: 20_000, prefix: 'warm-single' });
    await runWriters(store, ledger, { name: 'warm-up batch', writers: BATCH_WRITERS, batchSize: BATCH_SIZE, durationMs: WARMUP_MS / 2, maxEvents: 20_000, prefix: 'warm-batch' });
    await store.verifyStream('warm-batch-w0-s0');
    await store.readAll({ limit: READALL_PAGE });

    const latencies: number[] = [];
    const single = await observe(owner, server, () =>
      runWriters(store, ledger, { name: 'append_single_8_writers', writers: SINGLE_WRITERS, batchSize: 1, durationMs: SINGLE_MS, maxEvents: SINGLE_MAX_EVENTS, prefix: 'single', latencies }),
    );
    reportPhase('append_single_8_writers', single);
    const batch = await observe(owner, server, () =>
      runWriters(store, ledger, { name: 'append_batch_100', writers: BATCH_WRITERS, batchSize: BATCH_SIZE, durationMs: BATCH_MS, maxEvents: BATCH_MAX_EVENTS, prefix: 'batch' }),
    );
    reportPhase('append_batch_100', batch);

    const longStream = `long-${randomUUID()}`;
    await buildLongStream(store, ledger, longStream, LONG_STREAM_EVENTS);
    if (ledger.total < READALL_MIN_EVENTS) {
      const missing = READALL_MIN_EVENTS - ledger.total;
      await runWriters(store, ledger, { name: 'top-up (setup)', writers: BATCH_WRITERS, batchSize: BATCH_SIZE, durationMs: 60_000, maxEvents: Math.ceil(missing / BATCH_SIZE) * BATCH_SIZE, prefix: 'topup' });
    }
    await checkStore(store, pool, ledger);

    const replay = await observe(owner, server, () => replayAll(store, READALL_MAX_MS));
    if (replay.complete && replay.events !== ledger.total) throw new Error(`readAll replayed ${replay.events} events, the store holds ${ledger.total}`);
    reportPhase('readall_replay', replay);

    // As the store runs right after a bulk load (planner statistics not yet gathered), then as
    // autovacuum would leave it (ANALYZE): the difference is the query plan, not the hashing.
    const autoAnalyzed = (
      await owner.query<{ analyzed: boolean }>(`SELECT last_autoanalyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relid = 'event_store.events'::regclass`)
    ).rows[0]?.analyzed;
    const verify = await observe(owner, server, () => timeVerify(store, longStream));
    reportPhase('verify_stream', verify);
    await owner.query('ANALYZE event_store.events');
    const verifyAnalyzed = await observe(owner, server, () => timeVerify(store, longStream));
    reportPhase('verify_stream_after_analyze', verifyAnalyzed);

    const sorted = latencies.sort((a, b) => a - b);
    const metrics: BenchMetrics = {
      append_single_8_writers: {
        value: perSecond(single),
        unit: 'events/s',
        target: TARGETS.append_single_8_writers,
        note: `${SINGLE_WRITERS} concurrent writers x ${STREAMS_PER_WRITER} streams each, 1 event (~${EVENT_DATA_BYTES} B data) per append, exact expected version, pool max ${POOL_MAX}; ${single.events} events in ${seconds(single.elapsedMs)}; ${diagnostics(single)}`,
      },
      append_batch_100: {
        value: perSecond(batch),
        unit: 'events/s',
        target: TARGETS.append_batch_100,
        note: `${BATCH_WRITERS} concurrent writers x ${STREAMS_PER_WRITER} streams each, ${BATCH_SIZE} events (~${EVENT_DATA_BYTES} B data) per append; ${batch.events} events in ${seconds(batch.elapsedMs)}; ${diagnostics(batch)}`,
      },
      readall_replay: {
        value: perSecond(replay),
        unit: 'events/s',
        target: TARGETS.readall_replay,
        note: `one reader, readAll pages of ${READALL_PAGE} from position 0; ${replay.events} events${replay.complete ? '' : ` (stopped at the ${seconds(READALL_MAX_MS)} bound)`} in ${seconds(replay.elapsedMs)}; ${diagnostics(replay)}`,
      },
      verify_stream: {
        value: perSecond(verify),
        unit: 'events/s',
        target: TARGETS.verify_stream,
        note: `one stream of ${LONG_STREAM_EVENTS} events, right after loading (${autoAnalyzed ? 'autovacuum had already analyzed the table' : 'planner statistics not gathered yet'}); ${seconds(verify.elapsedMs)}; ${diagnostics(verify)}`,
      },
      verify_stream_after_analyze: {
        value: perSecond(verifyAnalyzed),
        unit: 'events/s',
        target: null,
        note: `same stream after ANALYZE event_store.events (planner statistics current); ${seconds(verifyAnalyzed.elapsedMs)}; ${diagnostics(verifyAnalyzed)}`,
      },
      append_single_p50_ms: { value: round2(percentile(sorted, 0.5)), unit: 'ms', target: null, note: `over the ${sorted.length} appends of append_single_8_writers` },
      append_single_p99_ms: { value: round2(percentile(sorted, 0.99)), unit: 'ms', target: null, note: `over the ${sorted.length} appends of append_single_8_writers` },
    };
    const path = writeBenchResults('store', metrics, undefined, { postgres: db.source });
    process.stdout.write(`\nEvent store benchmark — ${serverLine}\n\n${formatBenchTable(metrics)}\n\nwritten ${path}\n`);
  } catch (error) {
    // After an interrupt the failures are the interruption's (pools closed under the writers):
    // the signal handler cleans up and exits 130/143.
    if (!db.interrupted) throw error;
  } finally {
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:store] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
