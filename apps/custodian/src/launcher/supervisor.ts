import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ServiceSpec {
  name: string;
  /** Entry file relative to the repository root. */
  entry: string;
  env: Record<string, string>;
}

const ROOT = join(__dirname, '../../../..');
const REGISTER = join(ROOT, 'tools/register.cjs');
const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS_IN_WINDOW = 5;

/**
 * Runs each service as its own Node process (the same entry a container runs), passes its
 * output through, restarts one that dies unexpectedly (with backoff; at most 5 times a minute,
 * then gives up and stops everything), and stops all with SIGTERM → 10 s → SIGKILL.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly restarts = new Map<string, number[]>();
  private stopping = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly onGiveUp: (name: string) => void,
  ) {}

  start(spec: ServiceSpec): void {
    const child = spawn(process.execPath, ['-r', REGISTER, join(ROOT, spec.entry)], {
      cwd: ROOT,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.children.set(spec.name, child);
    child.once('exit', (code, signal) => {
      this.children.delete(spec.name);
      if (this.stopping) return;
      const now = Date.now();
      const recent = (this.restarts.get(spec.name) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
      if (recent.length >= MAX_RESTARTS_IN_WINDOW) {
        this.log(`${spec.name} exited (${signal ?? code}) ${recent.length} times within a minute; giving up`);
        this.onGiveUp(spec.name);
        return;
      }
      recent.push(now);
      this.restarts.set(spec.name, recent);
      const delay = 250 * 2 ** (recent.length - 1);
      this.log(`${spec.name} exited (${signal ?? code}); restarting in ${delay} ms`);
      setTimeout(() => !this.stopping && this.start(spec), delay);
    });
  }

  /**
   * Stops the services in the reverse of their start order, each before the next: the gateway
   * (started last) stops taking requests before the services it calls go away.
   */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const [name, child] of [...this.children.entries()].reverse()) {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killer = setTimeout(() => {
          this.log(`${name} did not stop in 10 s; killing it`);
          child.kill('SIGKILL');
        }, 10_000);
        child.once('exit', () => {
          clearTimeout(killer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
  }
}
