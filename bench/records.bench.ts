/**
 * Cleaning-records benchmark: `npm run bench:records`.
 *
 * Runs the platform as deployed (identity, scheduling, records and one gateway as processes on
 * 127.0.0.1, lib/platform-processes.ts) over a fresh database (lib/bench-database.ts), and goes
 * through the gateway's HTTP API only:
 * 1. sets up a tenant: BENCH_LOCATIONS (default 10) locations with one office area each, one
 *    checklist of 20 tasks for office areas, and one cleaner per shift (a user holding
 *    records:write at their location, logged in with their own session). Each cleaner gets a
 *    shift of their own at their location (cleaners round-robin over the locations), from 2 min
 *    to 3 h from when it was scheduled: clocking in right away is inside the 15-minute
 *    tolerance. Five warm-up cleaners first complete their shifts, unmeasured;
 * 2. the measured shift: BENCH_CLEANERS (default 50) cleaners at once, each doing what the app
 *    does for one shift, one request after the other (BENCH_THINK_MS, default 0, between them):
 *    clock in (POST /v1/records, manual method, device time = now), complete the 20 tasks of the
 *    checklist in their office area (POST /v1/records/:id/tasks), clock out
 *    (POST /v1/records/:id/clock-out); every command carries an Idempotency-Key, as the app's
 *    retries would. Every command's latency counts (clock-in, tasks and clock-out together:
 *    22 per cleaner). Each clock-out answer must show the record clocked out with its 20
 *    tasks, and the records list (read model) must then hold every record. For reference, two
 *    more cleaners then do the same shift one after the other (one request in flight:
 *    uncontended latency). Then the paced shift: 50 other cleaners at once, each pausing
 *    BENCH_PACED_THINK_MS (default 1,000) between their commands, arrivals spread over one
 *    pause — people at sites rather than a script firing back to back. Both shifts carry the
 *    command p99 target: the back-to-back one measures capacity (with 50 requests always in
 *    flight on 2 cores its latency is queueing, Little's law), the paced one what cleaners see;
 * 3. the long record: one more cleaner's record is grown to BENCH_RECORD_EVENTS (default 1,000)
 *    events: clock-in, 20 tasks, clock-out, then issues (POST /v1/records/:id/issues, by the
 *    cleaner) and corrections (POST /v1/records/:id/corrections of version 2's completedAt, by
 *    the owner) alternately, one at a time. On it, one request in flight, after 20 unmeasured
 *    each: BENCH_READS (default 250) GET /v1/records/:id/history (all events, decrypted
 *    fields), BENCH_READS GET /v1/records/:id?asOf=<recordedAt of the middle event> (the view
 *    folded from the first half), and 100 each of GET /v1/records/:id (current view) and
 *    GET /v1/records/:id/verify (hash chain). Every answer is checked (event count, version).
 * Prints a table and writes bench/results/records.json (lib/results.ts). The issue's targets:
 * command p99 ≤ 50 ms; history and asOf p99 ≤ 50 ms.
 *
 * Exit status: 0 whenever the run completes, targets met or not; non-zero on an error (a service
 * that does not start or dies, an unexpected API answer during set-up or on the long record,
 * more than 20 failed shift commands). The child processes are stopped on exit, error, SIGINT
 * and SIGTERM; traffic goes to 127.0.0.1 only and every wait is bounded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { openBenchDatabase } from './lib/bench-database';
import { ascending, envInt, forEachBounded, freePorts, GatewayClient, ms, percentile, PlatformProcesses, round2, seconds, waitUntilReady } from './lib/platform-processes';
import { formatBenchTable, writeBenchResults, type BenchMetric, type BenchMetrics } from './lib/results';

const CLEANERS = envInt('BENCH_CLEANERS', 50, 1, 200);
const LOCATIONS = envInt('BENCH_LOCATIONS', 10, 1, 100);
const THINK_MS = envInt('BENCH_THINK_MS', 0, 0, 60_000);
/** The paced phase: the same 50 cleaners' work with a pause between each cleaner's commands (a person at a site, not a script). */
const PACED_THINK_MS = envInt('BENCH_PACED_THINK_MS', 1_000, 0, 60_000);
const RECORD_EVENTS = envInt('BENCH_RECORD_EVENTS', 1_000, 100, 20_000);
const READS = envInt('BENCH_READS', 250, 200, 100_000);
const READ_WARMUP = 20;
const EXTRA_READS = 100;
const WARMUP_CLEANERS = 5;
const UNCONTENDED_CLEANERS = 2;
const TASKS = 20;
/** Requests in flight while setting up (users are created and log in with argon2: CPU-bound). */
const SETUP_CONCURRENCY = 4;
const TIMEZONE = 'Europe/London';

const TARGET_COMMAND_P99_MS = 50;
const TARGET_READ_P99_MS = 50;
const MAX_SHIFT_ERRORS = 20;
const REQUEST_TIMEOUT_MS = 15_000;
const READY_TIMEOUT_MS = 90_000;

const log = (message: string) => process.stderr.write(`[bench:records] ${message}\n`);


const sleep = (n: number) => new Promise<void>((r) => setTimeout(r, n));

// ---------------------------------------------------------------------------------------------
// API shapes (the parts read here)

interface RecordView {
  recordId: string;
  status: 'in_progress' | 'clocked_out' | 'sealed';
  tasks: unknown[];
  issues: unknown[];
  corrections: unknown[];
  version: number;
  asOf: string | null;
}

interface HistoryResponse {
  recordId: string;
  events: Array<{ version: number; type: string; recordedAt: string; hash: string }>;
}

interface VerifyResponse {
  ok: boolean;
  events: number;
}

interface RecordPage {
  items: Array<{ recordId: string; status: string }>;
  nextCursor: string | null;
}

// ---------------------------------------------------------------------------------------------
// Set-up

interface Cleaner {
  index: number;
  userId: string;
  token: string;
  locationIndex: number;
  shiftId: string;
}

interface World {
  gateway: GatewayClient;
  ownerToken: string;
  checklistId: string;
  taskIds: string[];
  locationIds: string[];
  /** The office area of each location, by location index. */
  areaIds: string[];
}

/** Read-your-writes misses seen: answers that did not yet reflect a write that had already returned. */
const stale = { locationCreates: 0, recordLists: 0 };

async function createTenant(gateway: GatewayClient, bootstrapToken: string): Promise<{ token: string; tenantId: string }> {
  const password = `bench-${randomBytes(12).toString('base64url')}`;
  const email = 'owner@bench.example.com';
  const tenant = await gateway.json<{ tenantId: string }>('POST', '/v1/tenants', 201, {
    token: bootstrapToken,
    body: { name: `Bench Records ${Date.now()}`, owner: { email, name: 'Bench Owner', password } },
  });
  const login = await gateway.json<{ accessToken: string }>('POST', '/v1/auth/login', 200, { body: { tenantId: tenant.tenantId, email, password } });
  return { token: login.accessToken, tenantId: tenant.tenantId };
}

/**
 * POST /v1/locations with an Idempotency-Key, retried with the same key on the 404
 * location_not_found the read-back sometimes answers (see schedule.bench.ts), counted.
 */
async function createLocation(gateway: GatewayClient, token: string, name: string): Promise<string> {
  const key = randomUUID();
  const body = { name, address: `${name}, 1 Bench Road, London`, timezone: TIMEZONE, sensitivity: 'standard', geofence: { lat: 51.5, lon: -0.1, radiusMeters: 200 }, clockInPolicy: 'flag' };
  for (let attempt = 0; ; attempt++) {
    const reply = await gateway.call('POST', '/v1/locations', { token, body, headers: { 'idempotency-key': key } });
    if (reply.status === 201) return (JSON.parse(reply.text) as { locationId: string }).locationId;
    if (reply.status !== 404 || !reply.text.includes('location_not_found') || attempt >= 5) throw new Error(`POST /v1/locations answered ${reply.status}: ${reply.text.slice(0, 300)}`);
    stale.locationCreates++;
    await sleep(50);
  }
}

async function setUpWorld(gateway: GatewayClient, ownerToken: string): Promise<World> {
  const locationIds = new Array<string>(LOCATIONS);
  const areaIds = new Array<string>(LOCATIONS);
  await forEachBounded(
    Array.from({ length: LOCATIONS }, (_, i) => i),
    SETUP_CONCURRENCY,
    async (i) => {
      locationIds[i] = await createLocation(gateway, ownerToken, `Office ${String(i).padStart(2, '0')}`);
      const area = await gateway.json<{ areaId: string }>('POST', `/v1/locations/${locationIds[i]}/areas`, 201, {
        token: ownerToken,
        body: { name: 'Open-plan office', kind: 'office' },
        headers: { 'idempotency-key': randomUUID() },
      });
      areaIds[i] = area.areaId;
    },
  );
  const checklist = await gateway.json<{ checklistId: string; tasks: Array<{ taskId: string }> }>('POST', '/v1/checklists', 201, {
    token: ownerToken,
    body: { name: 'Office clean', areaKind: 'office', tasks: Array.from({ length: TASKS }, (_, i) => ({ title: `Office task ${i + 1}` })) },
    headers: { 'idempotency-key': randomUUID() },
  });
  if (checklist.tasks.length !== TASKS) throw new Error(`the checklist has ${checklist.tasks.length} tasks, expected ${TASKS}`);
  return { gateway, ownerToken, checklistId: checklist.checklistId, taskIds: checklist.tasks.map((t) => t.taskId), locationIds, areaIds };
}

/** Cleaners [first, first + count): a user with records:write at their location, logged in, with a shift of their own there. */
async function hireCleaners(world: World, tenantId: string, first: number, count: number): Promise<Cleaner[]> {
  const cleaners = new Array<Cleaner>(count);
  await forEachBounded(
    Array.from({ length: count }, (_, k) => first + k),
    SETUP_CONCURRENCY,
    async (index, k) => {
      const { gateway, ownerToken } = world;
      const locationIndex = index % LOCATIONS;
      const locationId = world.locationIds[locationIndex];
      const email = `cleaner${index}@bench.example.com`;
      const password = `bench-${randomBytes(12).toString('base64url')}`;
      const { userId } = await gateway.json<{ userId: string }>('POST', '/v1/users', 201, { token: ownerToken, body: { email, name: `Cleaner ${index}`, password } });
      await gateway.json('PUT', `/v1/users/${userId}/grants/records`, 200, { token: ownerToken, body: { access: 'write', locations: [locationId] } });
      const login = await gateway.json<{ accessToken: string }>('POST', '/v1/auth/login', 200, { body: { tenantId, email, password } });
      const now = Date.now();
      const { shifts } = await gateway.json<{ shifts: Array<{ shiftId: string }> }>('POST', '/v1/shifts', 201, {
        token: ownerToken,
        body: { locationId, start: new Date(now + 2 * 60_000).toISOString(), end: new Date(now + 3 * 3_600_000).toISOString(), checklistId: world.checklistId, cleanerIds: [userId] },
        headers: { 'idempotency-key': randomUUID() },
      });
      cleaners[k] = { index, userId, token: login.accessToken, locationIndex, shiftId: shifts[0].shiftId };
    },
  );
  return cleaners;
}

// ---------------------------------------------------------------------------------------------
// The shift: clock in, 20 tasks, clock out

type CommandKind = 'clock_in' | 'task' | 'clock_out';

/** What a shift phase saw. */
interface ShiftPhase {
  cleaners: number;
  commands: number;
  wallMs: number;
  latencies: Record<CommandKind, number[]>;
  /** Failed commands by kind, status and code. */
  errors: Map<string, number>;
  /** Records whose clock-out answer was not clocked_out with all tasks. */
  wrongAnswers: number;
  recordIds: string[];
}

const newPhase = (): ShiftPhase => ({ cleaners: 0, commands: 0, wallMs: 0, latencies: { clock_in: [], task: [], clock_out: [] }, errors: new Map(), wrongAnswers: 0, recordIds: [] });
const allLatencies = (p: ShiftPhase) => [...p.latencies.clock_in, ...p.latencies.task, ...p.latencies.clock_out];
const errorCount = (p: ShiftPhase) => [...p.errors.values()].reduce((a, b) => a + b, 0);

/** One command of the shift; its latency when it answered `expected`, else the failure is counted and undefined returned. */
async function command(world: World, phase: ShiftPhase, kind: CommandKind, cleaner: Cleaner, path: string, body: unknown, expected: number): Promise<RecordView | undefined> {
  const t0 = performance.now();
  let status: number;
  let text: string;
  try {
    ({ status, text } = await world.gateway.call('POST', path, { token: cleaner.token, body, headers: { 'idempotency-key': randomUUID() }, timeoutMs: REQUEST_TIMEOUT_MS }));
  } catch (error) {
    status = 0;
    text = error instanceof Error ? error.message : String(error);
  }
  const elapsed = performance.now() - t0;
  phase.commands++;
  if (status !== expected) {
    const code = /"code"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? text.slice(0, 120);
    const key = `${kind} ${status} ${code}`;
    phase.errors.set(key, (phase.errors.get(key) ?? 0) + 1);
    if (errorCount(phase) > MAX_SHIFT_ERRORS) throw new Error(`more than ${MAX_SHIFT_ERRORS} failed shift commands; first: ${[...phase.errors.keys()][0]}`);
    return undefined;
  }
  phase.latencies[kind].push(elapsed);
  return JSON.parse(text) as RecordView;
}

/** One cleaner's shift, one request after the other. */
async function workShift(world: World, phase: ShiftPhase, cleaner: Cleaner, thinkMs: number): Promise<void> {
  const started = await command(world, phase, 'clock_in', cleaner, '/v1/records', { shiftId: cleaner.shiftId, clockIn: { at: new Date().toISOString(), method: 'manual' } }, 201);
  if (!started) return;
  const recordId = started.recordId;
  const areaId = world.areaIds[cleaner.locationIndex];
  for (const taskId of world.taskIds) {
    if (thinkMs > 0) await sleep(thinkMs);
    await command(world, phase, 'task', cleaner, `/v1/records/${recordId}/tasks`, { taskId, areaId, completedAt: new Date().toISOString() }, 200);
  }
  if (thinkMs > 0) await sleep(thinkMs);
  const done = await command(world, phase, 'clock_out', cleaner, `/v1/records/${recordId}/clock-out`, { at: new Date().toISOString(), method: 'manual' }, 200);
  if (done && (done.status !== 'clocked_out' || done.tasks.length !== TASKS || done.version !== TASKS + 2)) phase.wrongAnswers++;
  phase.recordIds.push(recordId);
}

async function shiftPhase(world: World, cleaners: Cleaner[], concurrency: number, thinkMs = THINK_MS): Promise<ShiftPhase> {
  const phase = newPhase();
  phase.cleaners = cleaners.length;
  const t0 = performance.now();
  // Paced cleaners start spread over one think time, as people arriving, not all in one instant.
  await forEachBounded(cleaners, concurrency, async (cleaner) => {
    if (thinkMs > 0) await sleep(Math.floor((cleaners.indexOf(cleaner) / cleaners.length) * thinkMs));
    await workShift(world, phase, cleaner, thinkMs);
  });
  phase.wallMs = performance.now() - t0;
  return phase;
}

function phaseSummary(p: ShiftPhase): string {
  const all = ascending(allLatencies(p));
  const task = ascending(p.latencies.task);
  const errors = [...p.errors].map(([k, n]) => `${n}x ${k}`).join('; ');
  return (
    `${p.cleaners} cleaners, ${p.commands} commands in ${seconds(p.wallMs)} (${(p.commands / (p.wallMs / 1000)).toFixed(0)} requests/s); ` +
    `all p50 ${ms(percentile(all, 0.5))}, p95 ${ms(percentile(all, 0.95))}, p99 ${ms(percentile(all, 0.99))}, max ${ms(percentile(all, 1))}; ` +
    `task p50 ${ms(percentile(task, 0.5))}, p99 ${ms(percentile(task, 0.99))}` +
    (p.errors.size ? `; errors: ${errors}` : '') +
    (p.wrongAnswers ? `; ${p.wrongAnswers} wrong clock-out answers` : '')
  );
}

/** Every record of the phase is in the records list (read model) once the commands have returned; misses are counted and the list re-read (up to 10 s). */
async function checkListed(world: World, recordIds: readonly string[]): Promise<string[]> {
  const want = new Set(recordIds);
  const listed = async () => {
    const seen = new Map<string, string>();
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const q = new URLSearchParams({ limit: '200', ...(cursor ? { cursor } : {}) });
      const page: RecordPage = await world.gateway.json<RecordPage>('GET', `/v1/records?${q.toString()}`, 200, { token: world.ownerToken });
      for (const item of page.items) seen.set(item.recordId, item.status);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return seen;
  };
  const complete = (seen: Map<string, string>) => [...want].every((id) => seen.get(id) === 'clocked_out');
  let seen = await listed();
  const settleBy = performance.now() + 10_000;
  while (!complete(seen) && performance.now() < settleBy) {
    stale.recordLists++;
    await sleep(100);
    seen = await listed();
  }
  const missing = [...want].filter((id) => seen.get(id) !== 'clocked_out');
  return missing.length ? [`${missing.length} of ${want.size} records are not listed as clocked_out (e.g. ${missing[0]}: ${seen.get(missing[0]) ?? 'absent'})`] : [];
}

// ---------------------------------------------------------------------------------------------
// The long record

interface LongRecord {
  recordId: string;
  events: number;
  issues: number;
  corrections: number;
  buildMs: number;
  /** Latency of the appends (issues and corrections) by the version they made. */
  appendLatencies: Array<{ version: number; ms: number }>;
}

async function buildLongRecord(world: World, cleaner: Cleaner): Promise<LongRecord> {
  const { gateway } = world;
  const t0 = performance.now();
  const post = (token: string, path: string, body: unknown, expected: number) => gateway.json<RecordView>('POST', path, expected, { token, body, headers: { 'idempotency-key': randomUUID() }, timeoutMs: REQUEST_TIMEOUT_MS });
  const started = await post(cleaner.token, '/v1/records', { shiftId: cleaner.shiftId, clockIn: { at: new Date().toISOString(), method: 'manual' } }, 201);
  const recordId = started.recordId;
  const areaId = world.areaIds[cleaner.locationIndex];
  for (const taskId of world.taskIds) await post(cleaner.token, `/v1/records/${recordId}/tasks`, { taskId, areaId, completedAt: new Date().toISOString() }, 200);
  let view = await post(cleaner.token, `/v1/records/${recordId}/clock-out`, { at: new Date().toISOString(), method: 'manual' }, 200);
  const record: LongRecord = { recordId, events: view.version, issues: 0, corrections: 0, buildMs: 0, appendLatencies: [] };
  while (view.version < RECORD_EVENTS) {
    const version = view.version + 1;
    const t = performance.now();
    if (version % 2 === 0) {
      view = await post(world.ownerToken, `/v1/records/${recordId}/corrections`, {
        target: { version: 2, field: 'completedAt' },
        value: new Date(Date.now() - 60_000).toISOString(),
        reason: `Supervisor's log, entry ${version}: the first task was done a minute earlier`,
      }, 200);
      record.corrections++;
    } else {
      view = await post(cleaner.token, `/v1/records/${recordId}/issues`, { category: 'other', description: `Bench issue ${version}: a flickering light in the corridor`, areaId, reportedAt: new Date().toISOString() }, 200);
      record.issues++;
    }
    record.appendLatencies.push({ version: view.version, ms: performance.now() - t });
    if (view.version !== version) throw new Error(`an append to the long record made version ${view.version}, expected ${version}`);
    if (version % 200 === 0) log(`long record: ${version}/${RECORD_EVENTS} events, ${seconds(performance.now() - t0)}`);
  }
  record.events = view.version;
  record.buildMs = performance.now() - t0;
  return record;
}

interface ReadRun {
  latencies: number[];
  /** Answers that were not 200 or not what the record holds. */
  wrong: number;
  /** Size of the last answer's body, characters. */
  bytes: number;
}

/** `count` sequential GETs of `path` after `warmup` unmeasured ones; `right` checks each answer's body. */
async function measureRead(world: World, path: string, warmup: number, count: number, right: (body: unknown) => boolean): Promise<ReadRun> {
  const run: ReadRun = { latencies: [], wrong: 0, bytes: 0 };
  for (let i = 0; i < warmup + count; i++) {
    const t0 = performance.now();
    const reply = await world.gateway.call('GET', path, { token: world.ownerToken, timeoutMs: REQUEST_TIMEOUT_MS });
    const elapsed = performance.now() - t0;
    const ok = reply.status === 200 && right(JSON.parse(reply.text));
    run.bytes = reply.text.length;
    if (i < warmup) {
      if (!ok) throw new Error(`GET ${path} answered ${reply.status} or not as expected: ${reply.text.slice(0, 300)}`);
      continue;
    }
    run.latencies.push(elapsed);
    if (!ok) run.wrong++;
  }
  return run;
}

interface Reads {
  history: ReadRun;
  asOf: ReadRun;
  current: ReadRun;
  verify: ReadRun;
  asOfInstant: string;
  asOfVersion: number;
}

async function measureReads(world: World, record: LongRecord): Promise<Reads> {
  const base = `/v1/records/${record.recordId}`;
  const history = await world.gateway.json<HistoryResponse>('GET', `${base}/history`, 200, { token: world.ownerToken });
  if (history.events.length !== record.events) throw new Error(`history holds ${history.events.length} events, expected ${record.events}`);
  // The middle event's recording time: the view as it stood then folds the events recorded up to it.
  const asOfInstant = history.events[Math.floor(record.events / 2) - 1].recordedAt;
  const asOfVersion = history.events.filter((e) => Date.parse(e.recordedAt) <= Date.parse(asOfInstant)).length;
  const results = {
    history: await measureRead(world, `${base}/history`, READ_WARMUP, READS, (b) => (b as HistoryResponse).events.length === record.events),
    asOf: await measureRead(world, `${base}?asOf=${encodeURIComponent(asOfInstant)}`, READ_WARMUP, READS, (b) => (b as RecordView).version === asOfVersion && (b as RecordView).asOf !== null),
    current: await measureRead(world, base, READ_WARMUP, EXTRA_READS, (b) => (b as RecordView).version === record.events),
    verify: await measureRead(world, `${base}/verify`, READ_WARMUP, EXTRA_READS, (b) => (b as VerifyResponse).ok && (b as VerifyResponse).events === record.events),
  };
  return { ...results, asOfInstant, asOfVersion };
}

// ---------------------------------------------------------------------------------------------
// Metrics

/** 1-minute load average after each phase: other work on the machine skews the numbers. */
const load = { shift: '?', reads: '?' };
const loadNow = () => loadavg()[0].toFixed(2);

function latencyMetrics(prefix: string, values: readonly number[], note: string, target: number | null, quantiles: Array<'p50' | 'p95' | 'p99' | 'max'>): BenchMetrics {
  const sorted = ascending(values);
  const q = { p50: 0.5, p95: 0.95, p99: 0.99, max: 1 };
  const out: BenchMetrics = {};
  for (const name of quantiles) out[`${prefix}_${name}`] = { value: round2(percentile(sorted, q[name])), unit: 'ms', target: name === 'p99' ? target : null, note } satisfies BenchMetric;
  return out;
}

function metricsOf(shift: ShiftPhase, uncontended: ShiftPhase, paced: ShiftPhase, record: LongRecord, reads: Reads, problems: string[]): BenchMetrics {
  const all = allLatencies(shift);
  const cpuNote = `load average ${load.shift} (1 min, ${cpus().length} cpus) after the shift`;
  const shiftNote = `${shift.cleaners} cleaners at once over ${LOCATIONS} locations, each clocking in, completing ${TASKS} tasks and clocking out one request after the other (think time ${THINK_MS} ms), so up to ${shift.cleaners} commands in flight; ${cpuNote}`;
  const appends = record.appendLatencies.filter((a) => a.version > record.events - 100).map((a) => a.ms);
  const readNote = (what: string, run: ReadRun) =>
    `${what} of a record of ${record.events} events (clock-in, ${TASKS} tasks, clock-out, ${record.issues} issues, ${record.corrections} corrections); one request in flight, ${run.latencies.length} requests after ${READ_WARMUP} unmeasured; answer ${Math.round(run.bytes / 1024)} KiB; load average ${load.reads} (1 min)`;
  const historyNote = readNote('GET /v1/records/:id/history (every event with actor, IP, hashes, decrypted fields)', reads.history);
  const asOfNote = readNote(`GET /v1/records/:id?asOf=${reads.asOfInstant} (the middle event's recordedAt: the view folded from the first ${reads.asOfVersion} events)`, reads.asOf);
  const uncontendedAll = ascending(allLatencies(uncontended));
  return {
    shift_commands: { value: shift.commands, unit: 'count', target: null, note: `${shift.cleaners} cleaners x (clock-in + ${TASKS} tasks + clock-out), through the gateway, an Idempotency-Key on each` },
    shift_command_errors: {
      value: errorCount(shift),
      unit: 'count',
      target: 0,
      note: `commands answering other than 201 (clock-in) / 200${shift.errors.size ? `: ${[...shift.errors].map(([k, n]) => `${n}x ${k}`).join('; ')}` : ''}`,
    },
    shift_wall: { value: Math.round(shift.wallMs), unit: 'ms', target: null, note: `first clock-in sent to last clock-out answered, ${seconds(shift.wallMs)}` },
    command_rate: { value: round2(shift.commands / (shift.wallMs / 1000)), unit: 'requests/s', target: null, note: `${shiftNote}; commands answered per second over the shift` },
    ...latencyMetrics('command', all, `every command of the shift (clock-in, task, clock-out; ${all.length} answered); ${shiftNote}`, TARGET_COMMAND_P99_MS, ['p50', 'p95', 'p99', 'max']),
    ...latencyMetrics('clock_in', shift.latencies.clock_in, `POST /v1/records (${shift.latencies.clock_in.length}); ${shiftNote}`, null, ['p50', 'p99']),
    ...latencyMetrics('task', shift.latencies.task, `POST /v1/records/:id/tasks (${shift.latencies.task.length}); ${shiftNote}`, null, ['p50', 'p95', 'p99']),
    ...latencyMetrics('clock_out', shift.latencies.clock_out, `POST /v1/records/:id/clock-out (${shift.latencies.clock_out.length}); ${shiftNote}`, null, ['p50', 'p99']),
    ...latencyMetrics(
      'paced_command',
      allLatencies(paced),
      `${paced.cleaners} other cleaners at once, each pausing ${PACED_THINK_MS} ms between their commands (arrivals spread over one pause): ${paced.commands} commands in ${seconds(paced.wallMs)}, ${(paced.commands / (paced.wallMs / 1000)).toFixed(0)} requests/s offered; ${errorCount(paced)} errors`,
      TARGET_COMMAND_P99_MS,
      ['p50', 'p95', 'p99', 'max'],
    ),
    command_uncontended_p50: {
      value: round2(percentile(uncontendedAll, 0.5)),
      unit: 'ms',
      target: null,
      note: `for reference: ${uncontended.cleaners} more cleaners doing the same shift one after the other, one request in flight (${uncontendedAll.length} commands; p99 ${ms(percentile(uncontendedAll, 0.99))}): the service time without queueing`,
    },
    record_events: {
      value: record.events,
      unit: 'count',
      target: null,
      note: `the long record: clock-in, ${TASKS} tasks, clock-out, then ${record.issues} POST /v1/records/:id/issues (by the cleaner) and ${record.corrections} POST /v1/records/:id/corrections of version 2's completedAt (by the owner), alternately, one at a time; built in ${seconds(record.buildMs)}`,
    },
    record_append_p50: {
      value: round2(percentile(ascending(appends), 0.5)),
      unit: 'ms',
      target: null,
      note: `issues and corrections appended to the long record as it grew from ${record.events - 100} to ${record.events} events, one request in flight (p99 ${ms(percentile(ascending(appends), 0.99))}); each rereads and refolds the whole stream`,
    },
    ...latencyMetrics('history', reads.history.latencies, historyNote, TARGET_READ_P99_MS, ['p50', 'p95', 'p99', 'max']),
    ...latencyMetrics('as_of', reads.asOf.latencies, asOfNote, TARGET_READ_P99_MS, ['p50', 'p95', 'p99', 'max']),
    ...latencyMetrics('current', reads.current.latencies, readNote('GET /v1/records/:id (the current view)', reads.current), null, ['p50', 'p99']),
    ...latencyMetrics('verify', reads.verify.latencies, readNote('GET /v1/records/:id/verify (hash chain recomputed)', reads.verify), null, ['p50', 'p99']),
    read_wrong_answers: {
      value: reads.history.wrong + reads.asOf.wrong + reads.current.wrong + reads.verify.wrong,
      unit: 'count',
      target: 0,
      note: `measured reads not answering 200 with ${record.events} events (history), version ${reads.asOfVersion} (asOf), version ${record.events} (current) or an intact chain of ${record.events} (verify)`,
    },
    stale_reads: {
      value: stale.locationCreates + stale.recordLists,
      unit: 'count',
      target: 0,
      note: `answers that missed a write which had already returned: ${stale.locationCreates} POST /v1/locations answered 404 location_not_found for the location just stored (retried with the same Idempotency-Key), ${stale.recordLists} records lists right after the shift missed records (re-read until complete)`,
    },
    correctness_failures: {
      value: problems.length,
      unit: 'count',
      target: 0,
      note: `each clock-out answers the record clocked_out with its ${TASKS} tasks at version ${TASKS + 2}; the records list holds every record of the shift as clocked_out${problems.length ? `. Found: ${problems.slice(0, 5).join('; ')}` : ''}`,
    },
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  log(`machine: ${cpus().length} cpus, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`${CLEANERS} cleaners at once (BENCH_CLEANERS) over ${LOCATIONS} locations (BENCH_LOCATIONS), think time ${THINK_MS} ms; a record of ${RECORD_EVENTS} events (BENCH_RECORD_EVENTS), ${READS} reads each (BENCH_READS)`);
  const db = await openBenchDatabase({ log, prefix: 'custodian_bench_records' });
  log(`PostgreSQL: ${db.source}; database ${db.name}`);
  const processes = new PlatformProcesses(log);
  // Registered first, so it runs last of the cleanups but before the database is dropped.
  db.onCleanup(() => processes.stop(4_000));
  let gateway: GatewayClient | undefined;
  try {
    const [identityPort, schedulingPort, recordsPort, gatewayPort] = await freePorts(4);
    const bootstrapToken = randomBytes(32).toString('base64url');
    const masterKey = randomBytes(32).toString('base64');
    const identity = { IDENTITY_HOST: '127.0.0.1', IDENTITY_PORT: String(identityPort) };
    const scheduling = { SCHEDULING_HOST: '127.0.0.1', SCHEDULING_PORT: String(schedulingPort) };
    const records = { RECORDS_HOST: '127.0.0.1', RECORDS_PORT: String(recordsPort) };
    // A longer access token than the 15-minute default: a slow machine must not see a session expire mid-run.
    processes.start('identity', 'apps/identity/src/main.ts', { ...identity, DATABASE_URL: db.url, CUSTODIAN_MASTER_KEY: masterKey, ACCESS_TOKEN_TTL_SECONDS: '3600' });
    processes.start('scheduling', 'apps/scheduling/src/main.ts', { ...scheduling, DATABASE_URL: db.url, CUSTODIAN_MASTER_KEY: masterKey });
    processes.start('records', 'apps/records/src/main.ts', { ...records, DATABASE_URL: db.url, CUSTODIAN_MASTER_KEY: masterKey });
    processes.start('gateway', 'apps/gateway/src/main.ts', { ...identity, ...scheduling, ...records, HOST: '127.0.0.1', PORT: String(gatewayPort), CUSTODIAN_BOOTSTRAP_TOKEN: bootstrapToken });
    // One keep-alive connection per cleaner in flight, like one phone each.
    gateway = new GatewayClient('gateway', gatewayPort, CLEANERS + SETUP_CONCURRENCY, REQUEST_TIMEOUT_MS);
    const started = Date.now();
    await waitUntilReady(gateway, processes, started + READY_TIMEOUT_MS);
    log(`identity on :${identityPort}, scheduling on :${schedulingPort}, records on :${recordsPort}, gateway on :${gatewayPort}: ready in ${seconds(Date.now() - started)}`);

    const owner = await createTenant(gateway, bootstrapToken);
    const world = await setUpWorld(gateway, owner.token);
    const total = WARMUP_CLEANERS + CLEANERS + UNCONTENDED_CLEANERS + 1 + CLEANERS;
    const t0 = performance.now();
    const all = await hireCleaners(world, owner.tenantId, 0, total);
    log(`set up ${LOCATIONS} locations with an office area, a checklist of ${TASKS} tasks and ${total} cleaners with a shift each in ${seconds(performance.now() - t0)}`);
    const warmupCleaners = all.slice(0, WARMUP_CLEANERS);
    const measured = all.slice(WARMUP_CLEANERS, WARMUP_CLEANERS + CLEANERS);
    const uncontendedCleaners = all.slice(WARMUP_CLEANERS + CLEANERS, WARMUP_CLEANERS + CLEANERS + UNCONTENDED_CLEANERS);
    const longCleaner = all[WARMUP_CLEANERS + CLEANERS + UNCONTENDED_CLEANERS];
    const pacedCleaners = all.slice(WARMUP_CLEANERS + CLEANERS + UNCONTENDED_CLEANERS + 1);

    const warmup = await shiftPhase(world, warmupCleaners, WARMUP_CLEANERS);
    log(`warm-up: ${phaseSummary(warmup)}`);
    if (errorCount(warmup) > 0) throw new Error(`the warm-up shifts failed: ${[...warmup.errors.keys()].join('; ')}`);

    const shift = await shiftPhase(world, measured, CLEANERS);
    load.shift = loadNow();
    log(`shift: ${phaseSummary(shift)}`);
    const problems: string[] = [];
    if (shift.wrongAnswers) problems.push(`${shift.wrongAnswers} clock-outs did not answer the record clocked_out with ${TASKS} tasks`);
    problems.push(...(await checkListed(world, shift.recordIds)));
    const uncontended = await shiftPhase(world, uncontendedCleaners, 1);
    log(`uncontended: ${phaseSummary(uncontended)}`);
    const paced = await shiftPhase(world, pacedCleaners, CLEANERS, PACED_THINK_MS);
    log(`paced (${PACED_THINK_MS} ms between a cleaner's commands): ${phaseSummary(paced)}`);
    if (paced.wrongAnswers) problems.push(`${paced.wrongAnswers} paced clock-outs did not answer the record clocked_out with ${TASKS} tasks`);

    const record = await buildLongRecord(world, longCleaner);
    log(`long record ${record.recordId}: ${record.events} events (${record.issues} issues, ${record.corrections} corrections) in ${seconds(record.buildMs)}`);
    const reads = await measureReads(world, record);
    load.reads = loadNow();
    for (const [name, run] of Object.entries({ history: reads.history, asOf: reads.asOf, current: reads.current, verify: reads.verify })) {
      const s = ascending(run.latencies);
      log(`${name}: ${s.length} requests, p50 ${ms(percentile(s, 0.5))}, p95 ${ms(percentile(s, 0.95))}, p99 ${ms(percentile(s, 0.99))}, max ${ms(percentile(s, 1))}; ${run.wrong} wrong; ${Math.round(run.bytes / 1024)} KiB`);
    }

    processes.checkHealthy('during the run');
    const metrics = metricsOf(shift, uncontended, paced, record, reads, problems);
    const path = writeBenchResults('records', metrics, undefined, { postgres: db.source });
    process.stdout.write(`\nRecords benchmark — identity + scheduling + records + gateway, PostgreSQL: ${db.source}\n\n${formatBenchTable(metrics)}\n\nwritten ${path}\n`);
  } catch (error) {
    // After an interrupt the failures are the interruption's: the signal handler cleans up and exits 130/143.
    if (!db.interrupted) {
      log(`failed; service output:\n${processes.report()}`);
      throw error;
    }
  } finally {
    gateway?.close();
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:records] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
