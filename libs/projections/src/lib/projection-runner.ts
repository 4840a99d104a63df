import type { DataSource } from 'typeorm';
import type { EventStore } from '@custodian/kernel';
import { isCustodianError } from '@custodian/kernel';
import { WakeableSleep } from '@custodian/platform';
import type { Projection } from './projection';

export interface ProjectionRunnerOptions {
  /** Events applied per transaction. @defaultValue 500 */
  batchSize?: number;
  /** Poll interval when caught up, in ms. @defaultValue 25 */
  idleMs?: number;
  /** Told about every failed batch; the runner retries it after a backoff. */
  onError?: (error: unknown, projection: string) => void;
}

/**
 * Runs one projection: reads the store's global log after its checkpoint (gap-free, see the
 * EventStore port) and applies each page in ONE transaction that also advances the checkpoint.
 * Guarantees: an event is applied exactly once to the read model — a crash rolls back the
 * page's writes and its checkpoint together, so a restart neither skips nor re-applies.
 * A failing page is retried (with capped backoff) forever; it never advances past an event
 * it could not apply.
 */
export class ProjectionRunner {
  private position = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pause = new WakeableSleep();
  private readonly waiters = new Set<() => void>();
  private readonly batchSize: number;
  private readonly idleMs: number;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idleMs = options.idleMs ?? 25;
  }

  /** The global position the read model reflects. */
  get checkpoint(): number {
    return this.position;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.position = await this.readCheckpoint();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
  }

  /** Empties the read model and its checkpoint in one transaction; `start` then replays from zero. */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.dataSource.transaction(async (manager) => {
      await this.projection.reset(manager);
      await manager.query('DELETE FROM projections.checkpoints WHERE name = $1', [this.projection.name]);
    });
    this.position = 0;
    await this.start();
  }

  /** Resolves once the read model reflects every event up to `position` that the store exposes. */
  async caughtUpTo(position: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.position >= position) return;
      // A filtered projection may never see `position` itself: caught up when nothing relevant
      // remains up to it. Order matters: first make sure the log is final up to `position`
      // (settled), only then look for relevant events not applied yet (pending). The other
      // order could miss an event that became final between the two reads.
      const settled = await this.store.readAll({ after: position - 1, limit: 1 });
      if (settled.length > 0 && settled[0].globalPosition >= position) {
        const pending = await this.store.readAll({ after: this.position, limit: 1, typePrefixes: this.projection.typePrefixes });
        if (pending.length === 0 || pending[0].globalPosition > position) return;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 10);
        this.waiters.add(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    throw new Error(`projection ${this.projection.name} at ${this.position} did not reach ${position} within ${timeoutMs} ms`);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const applied = await this.applyNextPage();
        failures = 0;
        if (applied < this.batchSize) await this.sleep(this.idleMs);
      } catch (error) {
        failures++;
        this.options.onError?.(error, this.projection.name);
        const retriable = !isCustodianError(error) || error.retriable;
        await this.sleep(Math.min(5_000, this.idleMs * 2 ** Math.min(failures, 8) * (retriable ? 1 : 4)));
      }
    }
  }

  /**
   * One batch, in one transaction: lock this projection's checkpoint row, read the page after
   * it, apply it, advance the checkpoint. The row lock makes runners of the same projection in
   * other processes (replicas) take turns: each batch starts from the committed checkpoint, so
   * nothing is applied twice and the checkpoint never moves backwards.
   */
  private async applyNextPage(): Promise<number> {
    // Idle check without a transaction or a lock: nothing after our position means nothing after
    // the committed checkpoint either (it is never behind ours), so there is no batch to take.
    const peek = await this.store.readAll({ after: this.position, limit: 1, typePrefixes: this.projection.typePrefixes });
    if (peek.length === 0) return 0;
    const { applied, reached } = await this.dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO projections.checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [this.projection.name]);
      const rows: Array<{ position: string | number }> = await manager.query('SELECT position FROM projections.checkpoints WHERE name = $1 FOR UPDATE', [this.projection.name]);
      const from = Number(rows[0].position);
      const page = await this.store.readAll({ after: from, limit: this.batchSize, typePrefixes: this.projection.typePrefixes });
      if (page.length > 0) {
        for (const event of page) await this.projection.apply(event, manager);
        await manager.query('UPDATE projections.checkpoints SET position = $2, updated_at = now() WHERE name = $1', [this.projection.name, page[page.length - 1].globalPosition]);
      }
      return { applied: page.length, reached: page.length > 0 ? page[page.length - 1].globalPosition : from };
    });
    // Only now committed: caughtUpTo may resolve. (`reached` may include batches another replica applied.)
    if (reached > this.position) {
      this.position = reached;
      for (const w of [...this.waiters]) w();
      this.waiters.clear();
    }
    return applied;
  }

  private async readCheckpoint(): Promise<number> {
    const rows: Array<{ position: string | number }> = await this.dataSource.query('SELECT position FROM projections.checkpoints WHERE name = $1', [this.projection.name]);
    return rows.length ? Number(rows[0].position) : 0;
  }

  private sleep(ms: number): Promise<void> {
    return this.pause.sleep(ms);
  }
}
