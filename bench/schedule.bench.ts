/**
 * Scheduling benchmark: `npm run bench:schedule`.
 *
 * Runs the platform as deployed (identity, scheduling and one gateway as processes on 127.0.0.1,
 * lib/platform-processes.ts) over a fresh database (lib/bench-database.ts), and through the
 * gateway's HTTP API only:
 * 1. sets up a tenant with 100 locations, one checklist and 10 cleaners (users holding
 *    records:write everywhere);
 * 2. schedules 10,000 shifts, 100 per location, with POST /v1/shifts, BENCH_CONCURRENCY (default
 *    8) requests in flight. Every location gets the same timetable: 5 consecutive weeks from a
 *    Monday at least a week ahead, Mon-Fri, four non-overlapping shifts a day (06-09, 10-13,
 *    14-17, 18-21 Europe/London wall clock) = 20 shifts a week. Locations 0-19 are scheduled one
 *    shift per request (2,000 requests); locations 20-99 as weekly series (repeatWeekly 5: 20
 *    requests of 5 shifts per location, 1,600 requests). Every tenth location (0, 10, ..., 90)
 *    books its own cleaner on all its shifts (1,000 bookings, double-booking rule exercised).
 *    Requests are issued round-robin over the locations, so requests in flight hit different
 *    locations and cleaners. Fifty unmeasured requests in a separate warm-up tenant go first;
 * 3. checks every location's middle week (and the whole week across locations) returns
 *    exactly the shifts scheduled in it, in start order, and that a double booking is refused
 *    (409). Reads that miss a write which had already returned are counted (stale_reads: the
 *    location create answering 404, the first week read after the scheduling missing shifts);
 * 4. measures the week query for one location (location 0: single-shift requests, one cleaner
 *    per shift): GET /v1/shifts?locationId=&from=<Monday 00:00Z>&to=<next Monday 00:00Z>&limit=200,
 *    one request in flight, BENCH_WEEK_QUERIES (default 1,000) after 100 unmeasured ones. Each
 *    answer is checked (20 items, no next page). Also, for information, the same week across all
 *    locations (2,000 shifts): the first page of 200, and the whole week paged through.
 * Prints a table and writes bench/results/schedule.json (lib/results.ts). The issue's target:
 * week query p99 ≤ 20 ms.
 *
 * Exit status: 0 whenever the run completes, targets met or not; non-zero on an error (a service
 * that does not start or dies, an unexpected API answer during set-up, more than 20 failed
 * scheduling requests). The child processes are stopped on exit, error, SIGINT and SIGTERM.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { openBenchDatabase } from './lib/bench-database';
import { ascending, envInt, forEachBounded, freePorts, GatewayClient, ms, percentile, PlatformProcesses, round2, seconds, waitUntilReady } from './lib/platform-processes';
import { formatBenchTable, writeBenchResults, type BenchMetrics } from './lib/results';

const CONCURRENCY = envInt('BENCH_CONCURRENCY', 8, 1, 64);
const WEEK_QUERIES = envInt('BENCH_WEEK_QUERIES', 1_000, 500, 100_000);
const WEEK_QUERY_WARMUP = 100;
/** Whole-week traversals across all locations (10 pages of 200 each). */
const ALL_LOCATION_WEEKS = 30;
const ALL_LOCATION_FIRST_PAGES = 200;
const SCHEDULE_WARMUP = 50;

const LOCATIONS = 100;
/** Locations [0, SINGLE_LOCATIONS) are scheduled one shift per request, the rest as weekly series. */
const SINGLE_LOCATIONS = 20;
const WEEKS = 5;
const DAYS = 5;
const SLOTS = [
  ['06:00', '09:00'],
  ['10:00', '13:00'],
  ['14:00', '17:00'],
  ['18:00', '21:00'],
] as const;
const SHIFTS_PER_WEEK = DAYS * SLOTS.length;
const SHIFTS_PER_LOCATION = WEEKS * SHIFTS_PER_WEEK;
/** Every CLEANER_EVERY-th location books its own cleaner on all its shifts. */
const CLEANER_EVERY = 10;
/** The week measured and verified (0-based): the middle one. */
const QUERY_WEEK = 2;
const QUERY_LOCATION = 0;
const PAGE_LIMIT = 200;
const TIMEZONE = 'Europe/London';

const TARGET_WEEK_P99_MS = 20;
const MAX_SCHEDULE_ERRORS = 20;
const REQUEST_TIMEOUT_MS = 15_000;
const READY_TIMEOUT_MS = 90_000;

const log = (message: string) => process.stderr.write(`[bench:schedule] ${message}\n`);



// ---------------------------------------------------------------------------------------------
// The timetable

const DAY_MS = 86_400_000;

/** The first Monday (UTC date) at least 7 days from now: every shift is comfortably in the future. */
function firstMonday(now: Date): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 7));
  const toMonday = (8 - d.getUTCDay()) % 7;
  return new Date(d.getTime() + toMonday * DAY_MS);
}

const dateOf = (monday: Date, week: number, day: number) => new Date(monday.getTime() + (week * 7 + day) * DAY_MS).toISOString().slice(0, 10);

interface Slot {
  week: number;
  day: number;
  slot: number;
}

/** One POST /v1/shifts: a single shift (repeat 1) or a weekly series starting in week 0. */
interface ScheduleJob {
  location: number;
  first: Slot;
  repeat: number;
}

function jobsFor(location: number): ScheduleJob[] {
  const jobs: ScheduleJob[] = [];
  const series = location >= SINGLE_LOCATIONS;
  for (let week = 0; week < (series ? 1 : WEEKS); week++) {
    for (let day = 0; day < DAYS; day++) {
      for (let slot = 0; slot < SLOTS.length; slot++) jobs.push({ location, first: { week, day, slot }, repeat: series ? WEEKS : 1 });
    }
  }
  return jobs;
}

/** Round-robin over the locations: consecutive requests (those in flight together) hit different locations and cleaners. */
function interleave(perLocation: ScheduleJob[][]): ScheduleJob[] {
  const out: ScheduleJob[] = [];
  const longest = Math.max(...perLocation.map((j) => j.length));
  for (let i = 0; i < longest; i++) for (const jobs of perLocation) if (i < jobs.length) out.push(jobs[i]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The API

interface ShiftView {
  shiftId: string;
  locationId: string;
  start: string;
  end: string;
  localStart: string;
  localEnd: string;
  timezone: string;
  seriesId: string | null;
  cleanerIds: string[];
  status: string;
}

interface ShiftPage {
  items: ShiftView[];
  nextCursor: string | null;
}

interface World {
  gateway: GatewayClient;
  token: string;
  monday: Date;
  checklistId: string;
  locationIds: string[];
  /** cleaner of location i (every CLEANER_EVERY-th), by location index. */
  cleanerOf: Map<number, string>;
}

async function createTenant(gateway: GatewayClient, bootstrapToken: string, name: string): Promise<{ token: string; tenantId: string; password: string }> {
  const password = `bench-${randomBytes(12).toString('base64url')}`;
  const email = 'owner@bench.example.com';
  const tenant = await gateway.json<{ tenantId: string }>('POST', '/v1/tenants', 201, { token: bootstrapToken, body: { name, owner: { email, name: 'Bench Owner', password } } });
  const login = await gateway.json<{ accessToken: string }>('POST', '/v1/auth/login', 200, { body: { tenantId: tenant.tenantId, email, password } });
  return { token: login.accessToken, tenantId: tenant.tenantId, password };
}

const locationBody = (name: string) => ({
  name,
  address: `${name}, 1 Bench Road, London`,
  timezone: TIMEZONE,
  sensitivity: 'standard',
  geofence: { lat: 51.5, lon: -0.1, radiusMeters: 200 },
  clockInPolicy: 'flag',
});

const checklistBody = { name: 'Office clean', areaKind: 'office', tasks: [{ title: 'Empty bins' }, { title: 'Wipe desks' }] };

/** Read-your-writes misses seen: answers that did not yet reflect a write that had already returned. */
const stale = { locationCreates: 0, weekReads: 0 };

/**
 * POST /v1/locations with an Idempotency-Key. The location is stored but the answer, read back
 * from the read model, is sometimes 404 location_not_found (ProjectionRunner.caughtUpTo declares
 * the projection caught up too early when the log's final prefix moves between its two reads):
 * retried with the same key, as a client would, and counted.
 */
async function createLocation(gateway: GatewayClient, token: string, name: string): Promise<string> {
  const key = randomUUID();
  for (let attempt = 0; ; attempt++) {
    const reply = await gateway.call('POST', '/v1/locations', { token, body: locationBody(name), headers: { 'idempotency-key': key } });
    if (reply.status === 201) return (JSON.parse(reply.text) as { locationId: string }).locationId;
    if (reply.status !== 404 || !reply.text.includes('location_not_found') || attempt >= 5) throw new Error(`POST /v1/locations answered ${reply.status}: ${reply.text.slice(0, 300)}`);
    stale.locationCreates++;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setUp(gateway: GatewayClient, bootstrapToken: string, monday: Date): Promise<World> {
  const { token, password } = await createTenant(gateway, bootstrapToken, `Bench Cleaning ${Date.now()}`);
  const locationIds: string[] = new Array<string>(LOCATIONS);
  await forEachBounded(
    Array.from({ length: LOCATIONS }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      locationIds[i] = await createLocation(gateway, token, `Site ${String(i).padStart(3, '0')}`);
    },
  );
  const { checklistId } = await gateway.json<{ checklistId: string }>('POST', '/v1/checklists', 201, { token, body: checklistBody });
  const cleanerOf = new Map<number, string>();
  for (let i = 0; i < LOCATIONS; i += CLEANER_EVERY) {
    const { userId } = await gateway.json<{ userId: string }>('POST', '/v1/users', 201, { token, body: { email: `cleaner${i}@bench.example.com`, name: `Cleaner ${i}`, password } });
    await gateway.json('PUT', `/v1/users/${userId}/grants/records`, 200, { token, body: { access: 'write', locations: 'all' } });
    cleanerOf.set(i, userId);
  }
  return { gateway, token, monday, checklistId, locationIds, cleanerOf };
}

function scheduleBody(world: World, job: ScheduleJob): Record<string, unknown> {
  const date = dateOf(world.monday, job.first.week, job.first.day);
  const [from, to] = SLOTS[job.first.slot];
  const cleaner = world.cleanerOf.get(job.location);
  return {
    locationId: world.locationIds[job.location],
    start: `${date}T${from}`,
    end: `${date}T${to}`,
    checklistId: world.checklistId,
    ...(cleaner ? { cleanerIds: [cleaner] } : {}),
    ...(job.repeat > 1 ? { repeatWeekly: job.repeat } : {}),
  };
}

/** Shift ids scheduled, by location index and week. */
type Ledger = Map<number, Map<number, Set<string>>>;

function record(ledger: Ledger, location: number, week: number, shiftId: string): void {
  let weeks = ledger.get(location);
  if (!weeks) ledger.set(location, (weeks = new Map()));
  let ids = weeks.get(week);
  if (!ids) weeks.set(week, (ids = new Set()));
  ids.add(shiftId);
}

/** What one scheduling phase saw. */
interface SchedulePhase {
  name: string;
  requests: number;
  shifts: number;
  wallMs: number;
  latencies: number[];
  /** Latencies of the requests that booked a cleaner. */
  withCleaner: number[];
  errors: Map<string, number>;
  /** Answers that were 201 but not what was asked (count, times, location): should be 0. */
  wrongAnswers: number;
}

async function schedulePhase(world: World, name: string, jobs: ScheduleJob[], ledger: Ledger): Promise<SchedulePhase> {
  const phase: SchedulePhase = { name, requests: 0, shifts: 0, wallMs: 0, latencies: [], withCleaner: [], errors: new Map(), wrongAnswers: 0 };
  let failed = 0;
  const started = performance.now();
  await forEachBounded(jobs, CONCURRENCY, async (job, i) => {
    const body = scheduleBody(world, job);
    const t0 = performance.now();
    let status: number;
    let text: string;
    try {
      ({ status, text } = await world.gateway.call('POST', '/v1/shifts', { token: world.token, body, headers: { 'idempotency-key': randomUUID() }, timeoutMs: REQUEST_TIMEOUT_MS }));
    } catch (error) {
      status = 0;
      text = error instanceof Error ? error.message : String(error);
    }
    const elapsed = performance.now() - t0;
    phase.requests++;
    if (status !== 201) {
      const key = `${status} ${text.slice(0, 160)}`;
      phase.errors.set(key, (phase.errors.get(key) ?? 0) + 1);
      if (++failed > MAX_SCHEDULE_ERRORS) throw new Error(`${name}: more than ${MAX_SCHEDULE_ERRORS} failed POST /v1/shifts; first: ${[...phase.errors.keys()][0]}`);
      return;
    }
    phase.latencies.push(elapsed);
    if (world.cleanerOf.has(job.location)) phase.withCleaner.push(elapsed);
    const { shifts } = JSON.parse(text) as { shifts: ShiftView[] };
    const cleaner = world.cleanerOf.get(job.location);
    if (shifts.length !== job.repeat) phase.wrongAnswers++;
    shifts.forEach((s, k) => {
      const week = job.first.week + k;
      const wanted = `${dateOf(world.monday, week, job.first.day)}T${SLOTS[job.first.slot][0]}`;
      const right = s.locationId === world.locationIds[job.location] && s.localStart.startsWith(wanted) && s.status === 'scheduled' && (cleaner ? s.cleanerIds.length === 1 && s.cleanerIds[0] === cleaner : s.cleanerIds.length === 0);
      if (!right) phase.wrongAnswers++;
      record(ledger, job.location, week, s.shiftId);
      phase.shifts++;
    });
    if ((i + 1) % 500 === 0) log(`${name}: ${i + 1}/${jobs.length} requests, ${phase.shifts} shifts, ${seconds(performance.now() - started)}`);
  });
  phase.wallMs = performance.now() - started;
  return phase;
}

function phaseSummary(p: SchedulePhase): string {
  const s = ascending(p.latencies);
  const errors = [...p.errors].map(([k, n]) => `${n}x ${k}`).join('; ');
  return (
    `${p.requests} requests, ${p.shifts} shifts in ${seconds(p.wallMs)} (${(p.requests / (p.wallMs / 1000)).toFixed(0)} requests/s, ${(p.shifts / (p.wallMs / 1000)).toFixed(0)} shifts/s); ` +
    `p50 ${ms(percentile(s, 0.5))}, p95 ${ms(percentile(s, 0.95))}, p99 ${ms(percentile(s, 0.99))}, max ${ms(percentile(s, 1))}` +
    (p.errors.size ? `; errors: ${errors}` : '') +
    (p.wrongAnswers ? `; ${p.wrongAnswers} wrong answers` : '')
  );
}

/** Warm-up in a tenant of its own, so its shifts never show in the measured tenant's queries. */
async function warmUp(gateway: GatewayClient, bootstrapToken: string, monday: Date): Promise<void> {
  const { token } = await createTenant(gateway, bootstrapToken, `Bench Warm-up ${Date.now()}`);
  const locationId = await createLocation(gateway, token, 'Warm-up site');
  const { checklistId } = await gateway.json<{ checklistId: string }>('POST', '/v1/checklists', 201, { token, body: checklistBody });
  await forEachBounded(
    Array.from({ length: SCHEDULE_WARMUP }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const date = dateOf(monday, Math.floor(i / 20), i % 5);
      const [from, to] = SLOTS[Math.floor(i / 5) % SLOTS.length];
      await gateway.json('POST', '/v1/shifts', 201, { token, body: { locationId, start: `${date}T${from}`, end: `${date}T${to}`, checklistId, ...(i % 2 ? { repeatWeekly: 2 } : {}) }, headers: { 'idempotency-key': randomUUID() } });
      await gateway.json('GET', `/v1/shifts?locationId=${locationId}&limit=${PAGE_LIMIT}`, 200, { token });
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Queries

function weekRange(monday: Date, week: number): { from: string; to: string } {
  // Shifts run 06:00-21:00 London time (05:00-21:00 UTC): UTC midnights bound the week exactly.
  const from = new Date(monday.getTime() + week * 7 * DAY_MS);
  return { from: from.toISOString(), to: new Date(from.getTime() + 7 * DAY_MS).toISOString() };
}

function weekPath(range: { from: string; to: string }, locationId: string | undefined, cursor?: string): string {
  const q = new URLSearchParams({ ...(locationId ? { locationId } : {}), from: range.from, to: range.to, limit: String(PAGE_LIMIT), ...(cursor ? { cursor } : {}) });
  return `/v1/shifts?${q.toString()}`;
}

/** Every page of the week; the ids in order. */
async function wholeWeek(world: World, range: { from: string; to: string }, locationId: string | undefined): Promise<{ items: ShiftView[]; pages: number }> {
  const items: ShiftView[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await world.gateway.json<ShiftPage>('GET', weekPath(range, locationId, cursor), 200, { token: world.token });
    items.push(...page.items);
    pages++;
    cursor = page.nextCursor ?? undefined;
    if (pages > 1_000) throw new Error('more than 1,000 pages for one week');
  } while (cursor);
  return { items, pages };
}

const sameSet = (got: readonly string[], want: ReadonlySet<string>) => got.length === want.size && new Set(got).size === got.length && got.every((id) => want.has(id));

/** Correctness: each location's week, the week across locations, and the double-booking rule. Returns the problems found. */
async function verify(world: World, ledger: Ledger): Promise<string[]> {
  const problems: string[] = [];
  const range = weekRange(world.monday, QUERY_WEEK);
  const all = new Set<string>();
  for (const weeks of ledger.values()) for (const id of weeks.get(QUERY_WEEK) ?? []) all.add(id);
  // Every write has returned: the first read must already see them all (read-your-writes). A
  // read that misses some is counted, and the read repeated (up to 10 s) so the checks below
  // test the query, not the race.
  let across = await wholeWeek(world, range, undefined);
  const settleBy = performance.now() + 10_000;
  while (!sameSet(across.items.map((s) => s.shiftId), all) && performance.now() < settleBy) {
    stale.weekReads++;
    await new Promise((r) => setTimeout(r, 100));
    across = await wholeWeek(world, range, undefined);
  }
  if (!sameSet(across.items.map((s) => s.shiftId), all)) problems.push(`all locations: the week query returned ${across.items.length} shifts in ${across.pages} pages, not the ${all.size} scheduled`);
  await forEachBounded(world.locationIds, CONCURRENCY, async (locationId, i) => {
    const want = ledger.get(i)?.get(QUERY_WEEK) ?? new Set<string>();
    const { items } = await wholeWeek(world, range, locationId);
    const ordered = items.every((s, k) => k === 0 || items[k - 1].start <= s.start);
    if (want.size !== SHIFTS_PER_WEEK) problems.push(`location ${i}: ${want.size} shifts scheduled in week ${QUERY_WEEK}, expected ${SHIFTS_PER_WEEK}`);
    if (!sameSet(items.map((s) => s.shiftId), want)) problems.push(`location ${i}: the week query returned ${items.length} shifts, not the ${want.size} scheduled in that week`);
    if (!ordered) problems.push(`location ${i}: the week query is not ordered by start`);
  });
  // A cleaner cannot be in two places at once: location 0's cleaner, on a shift elsewhere overlapping one of location 0's.
  const cleaner = world.cleanerOf.get(QUERY_LOCATION);
  if (cleaner) {
    const date = dateOf(world.monday, QUERY_WEEK, 2);
    const clash = await world.gateway.call('POST', '/v1/shifts', {
      token: world.token,
      body: { locationId: world.locationIds[1], start: `${date}T08:00`, end: `${date}T11:00`, checklistId: world.checklistId, cleanerIds: [cleaner] },
    });
    if (clash.status !== 409 || !clash.text.includes('cleaner_double_booked')) problems.push(`double booking answered ${clash.status}, expected 409 cleaner_double_booked: ${clash.text.slice(0, 200)}`);
  }
  const total = [...ledger.values()].reduce((n, weeks) => n + [...weeks.values()].reduce((m, ids) => m + ids.size, 0), 0);
  if (total !== LOCATIONS * SHIFTS_PER_LOCATION) problems.push(`${total} distinct shifts scheduled, expected ${LOCATIONS * SHIFTS_PER_LOCATION}`);
  return problems;
}

interface QueryRun {
  latencies: number[];
  /** Answers that were not 200 with exactly the expected count and no next page. */
  wrong: number;
}

/** `count` sequential requests of `path` after `warmup` unmeasured ones; each answer must hold `expected` items (and no more pages when `complete`). */
async function measureQuery(world: World, path: string, warmup: number, count: number, expected: number, complete: boolean): Promise<QueryRun> {
  const run: QueryRun = { latencies: [], wrong: 0 };
  for (let i = 0; i < warmup + count; i++) {
    const t0 = performance.now();
    const reply = await world.gateway.call('GET', path, { token: world.token });
    const elapsed = performance.now() - t0;
    let right = reply.status === 200;
    if (right) {
      const page = JSON.parse(reply.text) as ShiftPage;
      right = page.items.length === expected && (complete ? page.nextCursor === null : true);
    }
    if (i < warmup) continue;
    run.latencies.push(elapsed);
    if (!right) run.wrong++;
  }
  return run;
}

// ---------------------------------------------------------------------------------------------
// Metrics

function metricsOf(single: SchedulePhase, series: SchedulePhase, totalWallMs: number, week: QueryRun, firstPage: QueryRun, fullWeek: number[], problems: string[]): BenchMetrics {
  const s1 = ascending(single.latencies);
  const s5 = ascending(series.latencies);
  const c1 = ascending(single.withCleaner);
  const c5 = ascending(series.withCleaner);
  const w = ascending(week.latencies);
  const f = ascending(firstPage.latencies);
  const full = ascending(fullWeek);
  const perS = (n: number, wall: number) => round2(n / (wall / 1000));
  const inFlight = `${CONCURRENCY} requests in flight, round-robin over the locations, an Idempotency-Key on each; load average ${load.schedule} (1 min, ${cpus().length} cpus) after the scheduling`;
  const singleNote = `POST /v1/shifts with one shift per request (no repeatWeekly): ${single.requests} requests for locations 0-${SINGLE_LOCATIONS - 1}, ${single.withCleaner.length} of them booking a cleaner; ${inFlight}`;
  const seriesNote = `POST /v1/shifts with repeatWeekly ${WEEKS} (${WEEKS} shifts per request): ${series.requests} requests for locations ${SINGLE_LOCATIONS}-${LOCATIONS - 1}, ${series.withCleaner.length} of them booking a cleaner on all ${WEEKS}; ${inFlight}`;
  const weekNote = `load average ${load.week} (1 min, ${cpus().length} cpus) when measured; GET /v1/shifts?locationId=<location ${QUERY_LOCATION}>&from=<Monday 00:00Z>&to=<next Monday 00:00Z>&limit=${PAGE_LIMIT}: ${SHIFTS_PER_WEEK} of its ${SHIFTS_PER_LOCATION} shifts (10,000 in the tenant), one request in flight, ${week.latencies.length} requests after ${WEEK_QUERY_WARMUP} unmeasured`;
  const allNote = `the same week without locationId: ${LOCATIONS * SHIFTS_PER_WEEK} shifts across ${LOCATIONS} locations`;
  return {
    shifts_scheduled: {
      value: single.shifts + series.shifts,
      unit: 'count',
      target: null,
      note: `${LOCATIONS} locations x ${SHIFTS_PER_LOCATION} shifts (${WEEKS} weeks x Mon-Fri x ${SLOTS.length} shifts a day) in ${single.requests + series.requests} requests; ${single.withCleaner.length + series.withCleaner.length * WEEKS} cleaner bookings`,
    },
    schedule_wall: { value: Math.round(totalWallMs), unit: 'ms', target: null, note: `both phases, ${seconds(totalWallMs)} for ${single.shifts + series.shifts} shifts` },
    schedule_shift_rate: { value: perS(single.shifts + series.shifts, totalWallMs), unit: 'events/s', target: null, note: `shifts scheduled per second over both phases (one ShiftScheduled event per shift; the unit is shifts/s)` },
    schedule_single_request_rate: { value: perS(single.requests, single.wallMs), unit: 'requests/s', target: null, note: `${singleNote} (= shifts/s)` },
    schedule_single_p50: { value: round2(percentile(s1, 0.5)), unit: 'ms', target: null, note: singleNote },
    schedule_single_p95: { value: round2(percentile(s1, 0.95)), unit: 'ms', target: null, note: singleNote },
    schedule_single_p99: { value: round2(percentile(s1, 0.99)), unit: 'ms', target: null, note: singleNote },
    schedule_single_with_cleaner_p99: { value: round2(percentile(c1, 0.99)), unit: 'ms', target: null, note: `the ${c1.length} single-shift requests that booked a cleaner (p50 ${ms(percentile(c1, 0.5))})` },
    schedule_series_request_rate: { value: perS(series.requests, series.wallMs), unit: 'requests/s', target: null, note: seriesNote },
    schedule_series_shift_rate: { value: perS(series.shifts, series.wallMs), unit: 'events/s', target: null, note: `${seriesNote}; shifts scheduled per second (the unit is shifts/s)` },
    schedule_series_p50: { value: round2(percentile(s5, 0.5)), unit: 'ms', target: null, note: seriesNote },
    schedule_series_p95: { value: round2(percentile(s5, 0.95)), unit: 'ms', target: null, note: seriesNote },
    schedule_series_p99: { value: round2(percentile(s5, 0.99)), unit: 'ms', target: null, note: seriesNote },
    schedule_series_with_cleaner_p99: { value: round2(percentile(c5, 0.99)), unit: 'ms', target: null, note: `the ${c5.length} series requests that booked a cleaner on ${WEEKS} shifts (p50 ${ms(percentile(c5, 0.5))})` },
    schedule_errors: { value: sumOf(single.errors) + sumOf(series.errors) + single.wrongAnswers + series.wrongAnswers, unit: 'count', target: 0, note: `POST /v1/shifts answered other than 201 (${sumOf(single.errors) + sumOf(series.errors)}) or 201 with other shifts than asked (${single.wrongAnswers + series.wrongAnswers})` },
    week_query_p50: { value: round2(percentile(w, 0.5)), unit: 'ms', target: null, note: weekNote },
    week_query_p95: { value: round2(percentile(w, 0.95)), unit: 'ms', target: null, note: weekNote },
    week_query_p99: { value: round2(percentile(w, 0.99)), unit: 'ms', target: TARGET_WEEK_P99_MS, note: weekNote },
    week_query_max: { value: round2(percentile(w, 1)), unit: 'ms', target: null, note: weekNote },
    week_query_wrong_answers: { value: week.wrong + firstPage.wrong, unit: 'count', target: 0, note: `measured week queries not answering 200 with exactly ${SHIFTS_PER_WEEK} shifts (one location) or a full first page of ${PAGE_LIMIT} (all locations)` },
    week_all_locations_first_page_p50: { value: round2(percentile(f, 0.5)), unit: 'ms', target: null, note: `${allNote}: the first page of ${PAGE_LIMIT}, ${f.length} sequential requests after 20 unmeasured` },
    week_all_locations_first_page_p99: { value: round2(percentile(f, 0.99)), unit: 'ms', target: null, note: `${allNote}: the first page of ${PAGE_LIMIT}, ${f.length} sequential requests after 20 unmeasured` },
    week_all_locations_paged_p50: { value: round2(percentile(full, 0.5)), unit: 'ms', target: null, note: `${allNote}: all ${(LOCATIONS * SHIFTS_PER_WEEK) / PAGE_LIMIT} pages of ${PAGE_LIMIT} fetched one after the other, ${full.length} times (max ${ms(percentile(full, 1))})` },
    stale_reads: {
      value: stale.locationCreates + stale.weekReads,
      unit: 'count',
      target: 0,
      note: `answers that missed a write which had already returned (read-your-writes): ${stale.locationCreates} POST /v1/locations answered 404 location_not_found for the location just stored (retried with the same Idempotency-Key), ${stale.weekReads} week queries right after the scheduling missed shifts (repeated until complete)`,
    },
    correctness_failures: {
      value: problems.length,
      unit: 'count',
      target: 0,
      note: `each location's week ${QUERY_WEEK} query returns exactly the ${SHIFTS_PER_WEEK} shifts scheduled in it, in start order; the week across locations returns all ${LOCATIONS * SHIFTS_PER_WEEK}; a double booking of a cleaner is refused with 409${problems.length ? `. Found: ${problems.slice(0, 5).join('; ')}` : ''}`,
    },
  };
}

/** 1-minute load average after each phase: other work on the machine skews the numbers. */
const load = { schedule: '?', week: '?' };
const loadNow = () => loadavg()[0].toFixed(2);

const sumOf = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  log(`machine: ${cpus().length} cpus, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`${CONCURRENCY} scheduling requests in flight (BENCH_CONCURRENCY), ${WEEK_QUERIES} week queries (BENCH_WEEK_QUERIES)`);
  const db = await openBenchDatabase({ log, prefix: 'custodian_bench_schedule' });
  log(`PostgreSQL: ${db.source}; database ${db.name}`);
  const processes = new PlatformProcesses(log);
  // Registered first, so it runs last of the cleanups but before the database is dropped.
  db.onCleanup(() => processes.stop(4_000));
  let gateway: GatewayClient | undefined;
  try {
    const [identityPort, schedulingPort, gatewayPort] = await freePorts(3);
    const bootstrapToken = randomBytes(32).toString('base64url');
    const masterKey = randomBytes(32).toString('base64');
    const identity = { IDENTITY_HOST: '127.0.0.1', IDENTITY_PORT: String(identityPort) };
    const scheduling = { SCHEDULING_HOST: '127.0.0.1', SCHEDULING_PORT: String(schedulingPort) };
    // A longer access token than the 15-minute default: a slow machine must not see the owner's session expire mid-run.
    processes.start('identity', 'apps/identity/src/main.ts', { ...identity, DATABASE_URL: db.url, CUSTODIAN_MASTER_KEY: masterKey, ACCESS_TOKEN_TTL_SECONDS: '3600' });
    processes.start('scheduling', 'apps/scheduling/src/main.ts', { ...scheduling, DATABASE_URL: db.url, CUSTODIAN_MASTER_KEY: masterKey });
    processes.start('gateway', 'apps/gateway/src/main.ts', { ...identity, ...scheduling, HOST: '127.0.0.1', PORT: String(gatewayPort), CUSTODIAN_BOOTSTRAP_TOKEN: bootstrapToken });
    gateway = new GatewayClient('gateway', gatewayPort, CONCURRENCY, REQUEST_TIMEOUT_MS);
    const started = Date.now();
    await waitUntilReady(gateway, processes, started + READY_TIMEOUT_MS, ['identity', 'scheduling', 'gateway.access-feed']);
    log(`identity on :${identityPort}, scheduling on :${schedulingPort}, gateway on :${gatewayPort}: ready in ${seconds(Date.now() - started)}`);

    const monday = firstMonday(new Date());
    log(`timetable: ${WEEKS} weeks from Monday ${monday.toISOString().slice(0, 10)}; measured week ${QUERY_WEEK} (${weekRange(monday, QUERY_WEEK).from})`);
    const world = await setUp(gateway, bootstrapToken, monday);
    log(`set up ${LOCATIONS} locations, a checklist and ${world.cleanerOf.size} cleaners`);
    await warmUp(gateway, bootstrapToken, monday);
    log(`warm-up: ${SCHEDULE_WARMUP} scheduling requests in a separate tenant`);

    const ledger: Ledger = new Map();
    const perLocation = Array.from({ length: LOCATIONS }, (_, i) => jobsFor(i));
    const t0 = performance.now();
    const single = await schedulePhase(world, 'single', interleave(perLocation.slice(0, SINGLE_LOCATIONS)), ledger);
    log(`single shifts: ${phaseSummary(single)}`);
    const series = await schedulePhase(world, 'series', interleave(perLocation.slice(SINGLE_LOCATIONS)), ledger);
    log(`weekly series: ${phaseSummary(series)}`);
    const totalWallMs = performance.now() - t0;
    load.schedule = loadNow();

    const problems = await verify(world, ledger);
    log(problems.length ? `correctness: ${problems.length} problem(s):\n  ${problems.join('\n  ')}` : 'correctness: every location week, the week across locations and the double-booking rule check out');

    const range = weekRange(monday, QUERY_WEEK);
    const week = await measureQuery(world, weekPath(range, world.locationIds[QUERY_LOCATION]), WEEK_QUERY_WARMUP, WEEK_QUERIES, SHIFTS_PER_WEEK, true);
    load.week = loadNow();
    const w = ascending(week.latencies);
    log(`week query, one location: ${w.length} requests, p50 ${ms(percentile(w, 0.5))}, p95 ${ms(percentile(w, 0.95))}, p99 ${ms(percentile(w, 0.99))}, max ${ms(percentile(w, 1))}; ${week.wrong} wrong answers`);
    const firstPage = await measureQuery(world, weekPath(range, undefined), 20, ALL_LOCATION_FIRST_PAGES, PAGE_LIMIT, false);
    const fullWeek: number[] = [];
    for (let i = 0; i < ALL_LOCATION_WEEKS; i++) {
      const t = performance.now();
      const { items } = await wholeWeek(world, range, undefined);
      fullWeek.push(performance.now() - t);
      if (items.length !== LOCATIONS * SHIFTS_PER_WEEK) problems.push(`all locations, paged: ${items.length} shifts, expected ${LOCATIONS * SHIFTS_PER_WEEK}`);
    }
    log(`week query, all locations: first page p50 ${ms(percentile(ascending(firstPage.latencies), 0.5))}; all pages p50 ${ms(percentile(ascending(fullWeek), 0.5))}`);

    processes.checkHealthy('during the run');
    const metrics = metricsOf(single, series, totalWallMs, week, firstPage, fullWeek, problems);
    const path = writeBenchResults('schedule', metrics, undefined, { postgres: db.source });
    process.stdout.write(`\nScheduling benchmark — identity + scheduling + gateway, PostgreSQL: ${db.source}\n\n${formatBenchTable(metrics)}\n\nwritten ${path}\n`);
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
  process.stderr.write(`[bench:schedule] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
