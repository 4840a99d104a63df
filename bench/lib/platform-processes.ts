import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { freePort } from '@custodian/platform';

/**
 * Shared plumbing of the benchmarks that run the platform as processes (the approach of
 * revocation.bench.ts, factored out for the later ones): services started as child processes
 * with `node -r tools/register.cjs <entry>`, stopped on exit, a keep-alive HTTP client for a
 * gateway, bounded concurrency and percentiles. Traffic goes to 127.0.0.1 only; every wait is bounded.
 */

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, 'tools/register.cjs');
/** Lines of each service's output kept for the error report. */
const OUTPUT_TAIL_LINES = 40;

export interface Service {
  name: string;
  child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr). */
  tail: string[];
  /** Lines written at all (run with LOG_LEVEL=warn: anything is worth a look). */
  lines: number;
  exited: Promise<void>;
  /** undefined while running; the exit code (-1 for a signal) once it exited. */
  exitCode: number | null | undefined;
}

/** The child processes of one benchmark run. SIGKILLs whatever still runs when this process exits. */
export class PlatformProcesses {
  readonly services: Service[] = [];

  constructor(private readonly log: (message: string) => void) {
    // Last resort (an uncaught error, process.exit from a signal handler): nothing outlives us.
    process.on('exit', () => {
      for (const s of this.services) if (s.exitCode === undefined) s.child.kill('SIGKILL');
    });
  }

  /** Starts `entry` (a path from the repository root) with LOG_LEVEL=warn plus `env`. */
  start(name: string, entry: string, env: Record<string, string>): Service {
    const child = spawn(process.execPath, ['-r', REGISTER, join(ROOT, entry)], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service: Service = {
      name,
      child,
      tail: [],
      lines: 0,
      exitCode: undefined,
      exited: new Promise<void>((resolve) => child.once('exit', () => resolve())),
    };
    child.once('exit', (code, signal) => (service.exitCode = code ?? (signal ? -1 : null)));
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        service.lines++;
        service.tail.push(line);
        if (service.tail.length > OUTPUT_TAIL_LINES) service.tail.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.services.push(service);
    return service;
  }

  /** The first service that exited, if any. */
  dead(): Service | undefined {
    return this.services.find((s) => s.exitCode !== undefined);
  }

  /** Throws when a service exited; logs the last line of any that wrote warnings or errors. */
  checkHealthy(when: string): void {
    const dead = this.dead();
    if (dead) throw new Error(`${dead.name} exited (${dead.exitCode}) ${when}`);
    for (const s of this.services) {
      if (s.lines > 0) this.log(`${s.name} logged ${s.lines} warning/error line(s); last: ${s.tail[s.tail.length - 1].slice(0, 300)}`);
    }
  }

  /** SIGTERM every child still running, SIGKILL what is left after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    await Promise.all(
      this.services.map(async (s) => {
        if (s.exitCode !== undefined) return;
        s.child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const killed = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            this.log(`${s.name} did not stop within ${graceMs} ms: killing it`);
            s.child.kill('SIGKILL');
            resolve();
          }, graceMs);
        });
        await Promise.race([s.exited, killed]);
        clearTimeout(timer);
      }),
    );
  }

  /** Each service's state and last output lines, for an error report. */
  report(): string {
    return this.services
      .map((s) => `--- ${s.name} (${s.exitCode === undefined ? 'running' : `exited ${s.exitCode}`}), last ${s.tail.length} of ${s.lines} lines:\n${s.tail.join('\n')}`)
      .join('\n');
  }
}

/** Distinct free ports (freePort releases each one, so two calls could in theory agree). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < 50; attempt++) ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} distinct free ports`);
  return [...ports];
}

export interface Reply {
  status: number;
  text: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One gateway on 127.0.0.1, reached over keep-alive connections (at most `maxSockets` at once). */
export class GatewayClient {
  private readonly agent: Agent;

  constructor(
    readonly name: string,
    readonly port: number,
    maxSockets = 4,
    private readonly defaultTimeoutMs = 5_000,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  call(method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<Reply>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} on gateway ${this.name}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A call that must answer `expected`; returns the parsed JSON body. */
  async json<T>(method: string, path: string, expected: number, opts: CallOptions = {}): Promise<T> {
    const reply = await this.call(method, path, opts);
    if (reply.status !== expected) throw new Error(`${method} ${path} on gateway ${this.name} answered ${reply.status}, expected ${expected}: ${reply.text.slice(0, 500)}`);
    return (reply.text ? JSON.parse(reply.text) : {}) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Polls the gateway's /health/ready until the readiness checks named in `needs` are up (a
 * benchmark starts only the services it uses; without `needs`, until the whole platform is
 * ready: 200); throws when a service dies or the deadline (epoch ms) passes.
 */
export async function waitUntilReady(gateway: GatewayClient, processes: PlatformProcesses, deadline: number, needs?: readonly string[]): Promise<void> {
  const started = Date.now();
  while (Date.now() < deadline) {
    const dead = processes.dead();
    if (dead) throw new Error(`${dead.name} exited (${dead.exitCode}) during start-up`);
    try {
      const res = await gateway.call('GET', '/health/ready', { timeoutMs: 2_000 });
      if (!needs && res.status === 200) return;
      if (needs && readyChecksUp(res.text, needs)) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gateway ${gateway.name} was not ready within ${((deadline - started) / 1000).toFixed(0)} s`);
}

/** True when the readiness body lists every check in `needs` as up. */
export function readyChecksUp(body: string, needs: readonly string[]): boolean {
  try {
    const checks = (JSON.parse(body) as { checks?: Array<{ name: string; status: string }> }).checks ?? [];
    return needs.every((name) => checks.some((c) => c.name === name && c.status === 'up'));
  } catch {
    return false;
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight; stops taking new items once one throws, then rethrows. */
export async function forEachBounded<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        await work(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure) throw failure.error;
}

/** Nearest-rank percentile of an ascending array (q in [0, 1]); NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const ascending = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);
export const round2 = (v: number): number => Math.round(v * 100) / 100;

/** An integer setting from the environment, or `fallback`; out of [min, max] throws naming the variable. */
export function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return n;
}

export const ms = (v: number): string => `${v.toFixed(1)} ms`;
export const seconds = (v: number): string => `${(v / 1000).toFixed(1)} s`;
