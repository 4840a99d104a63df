/**
 * Revocation benchmark: `npm run bench:revocation`.
 *
 * Runs the platform as it is deployed with two gateway replicas: one identity process and two
 * gateway processes (A and B) on 127.0.0.1, over a fresh database (lib/bench-database.ts). A
 * user U holds a session token that works on both gateways. Each iteration changes U's access
 * through gateway A and measures, on gateway B, how long the change takes to bite:
 *   revoke_to_denied_*   PUT users:read to U via A, wait until B answers U's GET /v1/users with
 *                        200; DELETE the grant via A and, the moment that response is in, poll B
 *                        back to back (one request in flight, no sleeps) until the first 403  (ms)
 *   disable_to_denied_*  POST /disable U via A, then poll B until the first 401; enable again and
 *                        wait for 200 before the next iteration                                  (ms)
 *   failures             iterations where B did not deny within 5 s (or a grant / enable never
 *                        became visible on B): should be 0                                    (count)
 *   b_poll_rate          requests per second B answered while being polled (the resolution of
 *                        the measurement: each sample includes one poll round trip)     (requests/s)
 * A failed iteration enters the percentiles as the 5 s bound (a lower bound of the truth).
 * Prints a table and writes bench/results/revocation.json (lib/results.ts). The issue's target:
 * p99 ≤ 250 ms, by event-driven invalidation (the gateways' access-change feed), not expiry.
 *
 * BENCH_REVOCATIONS (default 200) and BENCH_DISABLES (default 50) set the iteration counts.
 * Exit status: 0 whenever the run completes, targets met or not; non-zero on an error (a service
 * that does not start or dies, an unexpected API answer). Traffic goes to 127.0.0.1 only, every
 * wait is bounded, and the child processes are stopped on exit, error, SIGINT and SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { openBenchDatabase } from './lib/bench-database';
import { envInt, freePorts, GatewayClient, ms, percentile, PlatformProcesses, round2, seconds, waitUntilReady } from './lib/platform-processes';
import { formatBenchTable, writeBenchResults, type BenchMetrics, type BenchUnit } from './lib/results';

const REVOCATIONS = envInt('BENCH_REVOCATIONS', 200, 1, 10_000);
const DISABLES = envInt('BENCH_DISABLES', 50, 1, 10_000);
/** Unmeasured grant/revoke rounds first: connections open, code paths warm. */
const WARMUP_ROUNDS = 5;
/** Longest wait for a change to show on B before the iteration counts as a failure. */
const CHANGE_TIMEOUT_MS = 5_000;
/** Longest any single HTTP request may take. */
const REQUEST_TIMEOUT_MS = 5_000;
const READY_TIMEOUT_MS = 60_000;
/** Wall-clock bounds of the two measured phases; a phase that hits its bound stops early (noted). */
const REVOKE_PHASE_MS = 70_000;
const DISABLE_PHASE_MS = 25_000;
/** A phase stops after this many failed iterations in a row: the platform is not invalidating. */
const MAX_CONSECUTIVE_FAILURES = 5;
const TARGET_P99_MS = 250;
const MODULE = 'users';
const PROBE_PATH = '/v1/users?limit=1';


const log = (message: string) => process.stderr.write(`[bench:revocation] ${message}\n`);


// ---------------------------------------------------------------------------------------------
// HTTP

interface Poll {
  /** ms from the start of polling until the wanted answer arrived; null when it did not within the bound. */
  elapsedMs: number | null;
  requests: number;
  /** Time spent polling, ms. */
  spentMs: number;
  /** Answers other than `wanted` and `still`, by status (errors of the platform, not of the measure). */
  unexpected: Map<number, number>;
}

/**
 * Polls `path` on `gateway` as `token`, back to back, until it answers `wanted` (then the time
 * since `startedAt`) or `timeoutMs` passes. `still` is the answer expected until then.
 */
async function pollUntil(gateway: GatewayClient, token: string, wanted: number, still: number, startedAt: number, timeoutMs: number): Promise<Poll> {
  const unexpected = new Map<number, number>();
  const deadline = startedAt + timeoutMs;
  let requests = 0;
  for (;;) {
    const reply = await gateway.call('GET', PROBE_PATH, { token });
    const now = performance.now();
    requests++;
    if (reply.status === wanted) return { elapsedMs: now - startedAt, requests, spentMs: now - startedAt, unexpected };
    if (reply.status !== still) unexpected.set(reply.status, (unexpected.get(reply.status) ?? 0) + 1);
    if (now >= deadline) return { elapsedMs: null, requests, spentMs: now - startedAt, unexpected };
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement

/** What one measured phase saw. */
class Phase {
  readonly samples: number[] = [];
  failures = 0;
  /** Iterations whose precondition (grant / enable visible on B) did not show within the bound. */
  setupFailures = 0;
  pollRequests = 0;
  pollMs = 0;
  /** Answers B gave with the old access after the change had returned (served from a stale cache or raced). */
  staleAnswers = 0;
  readonly unexpected = new Map<number, number>();
  stoppedEarly: string | undefined;
  readonly startedAt = performance.now();
  private consecutive = 0;

  constructor(
    readonly name: string,
    readonly planned: number,
  ) {}

  record(poll: Poll): void {
    this.pollRequests += poll.requests;
    this.pollMs += poll.spentMs;
    for (const [status, n] of poll.unexpected) this.unexpected.set(status, (this.unexpected.get(status) ?? 0) + n);
    if (poll.elapsedMs === null) {
      this.failures++;
      this.consecutive++;
      this.samples.push(CHANGE_TIMEOUT_MS);
    } else {
      this.staleAnswers += poll.requests - 1 - [...poll.unexpected.values()].reduce((a, b) => a + b, 0);
      this.consecutive = 0;
      this.samples.push(poll.elapsedMs);
    }
  }

  setupFailed(): void {
    this.setupFailures++;
    this.consecutive++;
  }

  /** True when the phase must stop: too many failures in a row or out of time. */
  shouldStop(deadline: number): boolean {
    if (this.consecutive >= MAX_CONSECUTIVE_FAILURES) this.stoppedEarly = `stopped after ${this.consecutive} failed iterations in a row`;
    else if (performance.now() >= deadline) this.stoppedEarly = `stopped at the ${seconds(deadline - this.startedAt)} bound`;
    return this.stoppedEarly !== undefined;
  }

  sorted(): number[] {
    return [...this.samples].sort((a, b) => a - b);
  }

  summary(): string {
    const s = this.sorted();
    const unexpected = [...this.unexpected].map(([status, n]) => `${n}x ${status}`).join(', ');
    return (
      `${this.samples.length} of ${this.planned} iterations${this.stoppedEarly ? ` (${this.stoppedEarly})` : ''}; ` +
      `p50 ${ms(percentile(s, 0.5))}, p95 ${ms(percentile(s, 0.95))}, p99 ${ms(percentile(s, 0.99))}, max ${ms(percentile(s, 1))}; ` +
      `${this.failures} not denied within ${seconds(CHANGE_TIMEOUT_MS)}, ${this.setupFailures} setup failures; ` +
      `${this.staleAnswers} stale answers after the change returned; B polled at ${Math.round(this.rate())} requests/s` +
      (unexpected ? `; unexpected answers: ${unexpected}` : '')
    );
  }

  rate(): number {
    return this.pollMs > 0 ? (this.pollRequests / this.pollMs) * 1000 : 0;
  }
}


interface Actors {
  a: GatewayClient;
  b: GatewayClient;
  ownerToken: string;
  userId: string;
  userToken: string;
}

const grantPath = (userId: string) => `/v1/users/${userId}/grants/${MODULE}`;

/** Grants users:read via A and waits until B lets U read users; false when it does not within the bound. */
async function grantAndSee(x: Actors, phase: Phase | undefined): Promise<boolean> {
  await x.a.json('PUT', grantPath(x.userId), 200, { token: x.ownerToken, body: { access: 'read', locations: 'all' } });
  const seen = await pollUntil(x.b, x.userToken, 200, 403, performance.now(), CHANGE_TIMEOUT_MS);
  if (seen.elapsedMs === null) {
    log(`grant not visible on B within ${seconds(CHANGE_TIMEOUT_MS)}`);
    phase?.setupFailed();
    return false;
  }
  return true;
}

/** One revocation: DELETE via A, then B until the first 403. */
async function revokeOnce(x: Actors): Promise<Poll> {
  await x.a.json('DELETE', grantPath(x.userId), 200, { token: x.ownerToken });
  const t0 = performance.now();
  return pollUntil(x.b, x.userToken, 403, 200, t0, CHANGE_TIMEOUT_MS);
}

async function revocationPhase(x: Actors): Promise<Phase> {
  for (let i = 0; i < WARMUP_ROUNDS; i++) {
    if (await grantAndSee(x, undefined)) await revokeOnce(x);
  }
  const phase = new Phase('revoke', REVOCATIONS);
  const deadline = performance.now() + REVOKE_PHASE_MS;
  for (let i = 0; i < REVOCATIONS && !phase.shouldStop(deadline); i++) {
    if (!(await grantAndSee(x, phase))) continue;
    phase.record(await revokeOnce(x));
    if ((i + 1) % 50 === 0) log(`revoke: ${i + 1}/${REVOCATIONS}`);
  }
  return phase;
}

async function disablePhase(x: Actors): Promise<Phase> {
  const phase = new Phase('disable', DISABLES);
  // U keeps users:read throughout: 200 while enabled, 401 once disabled.
  if (!(await grantAndSee(x, undefined))) throw new Error('users:read granted to U never became visible on gateway B');
  const deadline = performance.now() + DISABLE_PHASE_MS;
  for (let i = 0; i < DISABLES && !phase.shouldStop(deadline); i++) {
    await x.a.json('POST', `/v1/users/${x.userId}/disable`, 200, { token: x.ownerToken });
    const t0 = performance.now();
    phase.record(await pollUntil(x.b, x.userToken, 401, 200, t0, CHANGE_TIMEOUT_MS));
    await x.a.json('POST', `/v1/users/${x.userId}/enable`, 200, { token: x.ownerToken });
    const back = await pollUntil(x.b, x.userToken, 200, 401, performance.now(), CHANGE_TIMEOUT_MS);
    if (back.elapsedMs === null) {
      log(`U's session still refused on B ${seconds(CHANGE_TIMEOUT_MS)} after enable`);
      phase.setupFailed();
    }
    if ((i + 1) % 25 === 0) log(`disable: ${i + 1}/${DISABLES}`);
  }
  return phase;
}

async function setUp(a: GatewayClient, b: GatewayClient, bootstrapToken: string): Promise<Actors> {
  const password = `bench-${randomBytes(12).toString('base64url')}`;
  const tenant = await a.json<{ tenantId: string; ownerId: string }>('POST', '/v1/tenants', 201, {
    token: bootstrapToken,
    body: { name: `Bench Cleaning ${Date.now()}`, owner: { email: 'owner@bench.example.com', name: 'Bench Owner', password } },
  });
  const owner = await a.json<{ accessToken: string }>('POST', '/v1/auth/login', 200, { body: { tenantId: tenant.tenantId, email: 'owner@bench.example.com', password } });
  const user = await a.json<{ userId: string }>('POST', '/v1/users', 201, { token: owner.accessToken, body: { email: 'u@bench.example.com', name: 'Bench User', password } });
  const login = await a.json<{ accessToken: string }>('POST', '/v1/auth/login', 200, { body: { tenantId: tenant.tenantId, email: 'u@bench.example.com', password } });
  // Without users:read, U's token is accepted by B (signature via the JWKS) and refused the route.
  const probe = await b.call('GET', PROBE_PATH, { token: login.accessToken });
  if (probe.status !== 403) throw new Error(`U without users:read got ${probe.status} from gateway B, expected 403: ${probe.text.slice(0, 300)}`);
  return { a, b, ownerToken: owner.accessToken, userId: user.userId, userToken: login.accessToken };
}

function metricsOf(revoke: Phase, disable: Phase): BenchMetrics {
  const r = revoke.sorted();
  const d = disable.sorted();
  const requestsPerSecond: BenchUnit = 'requests/s';
  const count: BenchUnit = 'count';
  const over = (p: Phase) =>
    `over ${p.samples.length} ${p.name}s${p.stoppedEarly ? ` (${p.stoppedEarly})` : ''}; from the ${p.name === 'revoke' ? 'DELETE grant' : 'POST disable'} response on gateway A to the first ${p.name === 'revoke' ? '403' : '401'} response on gateway B (one poll round trip included)${p.failures ? `; ${p.failures} failed, counted as ${CHANGE_TIMEOUT_MS} ms` : ''}`;
  return {
    revoke_to_denied_p50: { value: round2(percentile(r, 0.5)), unit: 'ms', target: null, note: over(revoke) },
    revoke_to_denied_p95: { value: round2(percentile(r, 0.95)), unit: 'ms', target: null, note: over(revoke) },
    revoke_to_denied_p99: { value: round2(percentile(r, 0.99)), unit: 'ms', target: TARGET_P99_MS, note: over(revoke) },
    revoke_to_denied_max: { value: round2(percentile(r, 1)), unit: 'ms', target: null, note: over(revoke) },
    disable_to_denied_p50: { value: round2(percentile(d, 0.5)), unit: 'ms', target: null, note: over(disable) },
    disable_to_denied_p95: { value: round2(percentile(d, 0.95)), unit: 'ms', target: null, note: over(disable) },
    disable_to_denied_p99: { value: round2(percentile(d, 0.99)), unit: 'ms', target: TARGET_P99_MS, note: over(disable) },
    disable_to_denied_max: { value: round2(percentile(d, 1)), unit: 'ms', target: null, note: over(disable) },
    b_poll_rate: {
      value: Math.round(revoke.rate()),
      unit: requestsPerSecond,
      target: null,
      note: `GET ${PROBE_PATH} as U on gateway B, one request in flight, while waiting for the revocations to bite (${revoke.pollRequests} requests); ${Math.round(disable.rate())}/s during the disables`,
    },
    stale_answers: {
      value: revoke.staleAnswers + disable.staleAnswers,
      unit: count,
      target: null,
      note: `200 answers B still gave after the change had returned on A (${revoke.staleAnswers} revoke, ${disable.staleAnswers} disable)`,
    },
    failures: {
      value: revoke.failures + revoke.setupFailures + disable.failures + disable.setupFailures,
      unit: count,
      target: 0,
      note: `lower is better; changes not seen on B within ${seconds(CHANGE_TIMEOUT_MS)}: ${revoke.failures} revocations, ${revoke.setupFailures} grants, ${disable.failures} disables, ${disable.setupFailures} enables`,
    },
  };
}

/**
 * The shared table decides pass/fail from the unit ('ms' at or below the target, anything else at
 * or above): right for latencies, wrong for a count that must stay at 0. Such counts are shown
 * without a target in the table and judged on their own line.
 */
function table(metrics: BenchMetrics): string {
  const shown: BenchMetrics = {};
  const counts: string[] = [];
  for (const [name, m] of Object.entries(metrics)) {
    if ((m.unit as string) === 'count' && m.target !== null) {
      shown[name] = { ...m, target: null };
      counts.push(`${name}: ${m.value} (target at most ${m.target}): ${m.value <= m.target ? 'pass' : 'fail'}`);
    } else {
      shown[name] = m;
    }
  }
  return [formatBenchTable(shown), '', ...counts].join('\n');
}

async function main(): Promise<void> {
  log(`machine: ${cpus().length} cpus, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`${REVOCATIONS} revocations, ${DISABLES} disables (BENCH_REVOCATIONS, BENCH_DISABLES)`);
  const db = await openBenchDatabase({ log, prefix: 'custodian_bench_revocation' });
  log(`PostgreSQL: ${db.source}; database ${db.name}`);
  // Registered first, so it runs last of the cleanups but before the database is dropped.
  const processes = new PlatformProcesses(log);
  db.onCleanup(() => processes.stop(4_000));
  const gateways: GatewayClient[] = [];
  try {
    const [identityPort, portA, portB] = await freePorts(3);
    const bootstrapToken = randomBytes(32).toString('base64url');
    const identity = { IDENTITY_HOST: '127.0.0.1', IDENTITY_PORT: String(identityPort) };
    processes.start('identity', 'apps/identity/src/main.ts', { ...identity, DATABASE_URL: db.url, CUSTODIAN_MASTER_KEY: randomBytes(32).toString('base64') });
    processes.start('gateway-a', 'apps/gateway/src/main.ts', { ...identity, HOST: '127.0.0.1', PORT: String(portA), CUSTODIAN_BOOTSTRAP_TOKEN: bootstrapToken });
    processes.start('gateway-b', 'apps/gateway/src/main.ts', { ...identity, HOST: '127.0.0.1', PORT: String(portB), CUSTODIAN_BOOTSTRAP_TOKEN: bootstrapToken });
    const a = new GatewayClient('A', portA, 4, REQUEST_TIMEOUT_MS);
    const b = new GatewayClient('B', portB, 4, REQUEST_TIMEOUT_MS);
    gateways.push(a, b);
    const started = Date.now();
    // This benchmark starts identity only: ready = identity answers and the access-change feed is followed.
    const needs = ['identity', 'gateway.access-feed'];
    await Promise.all([waitUntilReady(a, processes, started + READY_TIMEOUT_MS, needs), waitUntilReady(b, processes, started + READY_TIMEOUT_MS, needs)]);
    log(`identity on :${identityPort}, gateway A on :${portA}, gateway B on :${portB}: ready in ${seconds(Date.now() - started)}`);

    const actors = await setUp(a, b, bootstrapToken);
    const revoke = await revocationPhase(actors);
    log(`revoke: ${revoke.summary()}`);
    const disable = await disablePhase(actors);
    log(`disable: ${disable.summary()}`);

    processes.checkHealthy('during the run');
    const metrics = metricsOf(revoke, disable);
    const path = writeBenchResults('revocation', metrics, undefined, { postgres: db.source });
    process.stdout.write(`\nRevocation benchmark — identity + 2 gateways, PostgreSQL: ${db.source}\n\n${table(metrics)}\n\nwritten ${path}\n`);
  } catch (error) {
    // After an interrupt the failures are the interruption's: the signal handler cleans up and exits 130/143.
    if (!db.interrupted) {
      log(`failed; service output:\n${processes.report()}`);
      throw error;
    }
  } finally {
    for (const g of gateways) g.close();
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:revocation] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
