import { isCustodianError, type RecordedEvent, type SubscribeAllOptions, type Subscription } from '@custodian/kernel';
import { WakeableSleep } from '@custodian/platform';

/** Reads the next page of the global log after `after` (the store's safe, gap-free readAll). */
export type PageReader = (after: number, limit: number) => Promise<RecordedEvent[]>;

/**
 * Catch-up subscription over a store's readAll: handles events one at a time in global order,
 * polls every `idleMs` when caught up.
 * - Ordering/skips: inherits readAll's guarantee (no event is skipped, none delivered twice
 *   within one subscription).
 * - A retriable store error is retried with capped backoff; a handler error (or a
 *   non-retriable store error) stops the subscription and is passed to `onError`: the
 *   subscriber decides whether to restart from its own durable checkpoint.
 */
export class PollingSubscription implements Subscription {
  private current: number;
  private stopped = false;
  private readonly done: Promise<void>;
  private readonly waiters = new Set<() => void>();
  private readonly pause = new WakeableSleep();

  constructor(
    private readonly read: PageReader,
    private readonly options: SubscribeAllOptions,
  ) {
    this.current = options.after ?? 0;
    this.done = this.run();
  }

  get position(): number {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pause.wake();
    await this.done;
  }

  caughtUpTo(position: number, timeoutMs = 10_000): Promise<void> {
    if (this.current >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.current >= position) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`subscription at ${this.current} did not reach ${position} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private async run(): Promise<void> {
    const limit = this.options.limit ?? 1000;
    const idleMs = this.options.idleMs ?? 50;
    let failures = 0;
    while (!this.stopped) {
      let page: RecordedEvent[];
      try {
        page = await this.read(this.current, limit);
        failures = 0;
      } catch (error) {
        if (isCustodianError(error) && error.retriable && failures < 10) {
          failures++;
          await this.sleep(Math.min(2000, idleMs * 2 ** failures));
          continue;
        }
        this.fail(error);
        return;
      }
      for (const event of page) {
        if (this.stopped) return;
        try {
          await this.options.onEvent(event);
        } catch (error) {
          this.fail(error);
          return;
        }
        this.current = event.globalPosition;
        for (const w of [...this.waiters]) w();
      }
      if (page.length < limit) await this.sleep(idleMs);
    }
  }

  private fail(error: unknown): void {
    this.stopped = true;
    this.options.onError?.(error);
  }

  private sleep(ms: number): Promise<void> {
    return this.pause.sleep(ms);
  }
}
