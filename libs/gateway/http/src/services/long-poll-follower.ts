import type { Logger } from '@nestjs/common';

const RETRY_MS = 250;

/**
 * Follows a service's long-poll feed from this gateway: asks for what changed after the last
 * position, hands each answer over, and asks again at once. A failed poll is logged (once per
 * outage), handed to `onLost`, and retried after a short pause, until `stop()`.
 * Used by the principal cache (identity's access changes) and the blocklist (audit's feed).
 */
export class LongPollFollower<R> {
  private running = false;
  private loop: Promise<void> | undefined;
  private live = false;
  private warned = false;

  constructor(
    private readonly feed: string,
    private readonly logger: Logger,
    private readonly poll: () => Promise<R>,
    private readonly hooks: { onAnswer(answer: R): void; onLost(): void },
  ) {}

  /** True while the last poll succeeded. */
  get connected(): boolean {
    return this.live;
  }

  start(): void {
    this.running = true;
    this.loop = this.follow();
  }

  /** Stops following. A poll in flight is not awaited: it ends when the transport closes. */
  stop(): void {
    this.running = false;
    this.live = false;
    void this.loop?.catch(() => undefined);
  }

  private async follow(): Promise<void> {
    while (this.running) {
      try {
        const answer = await this.poll();
        this.hooks.onAnswer(answer);
        if (!this.live) this.logger.log(`following the ${this.feed}`);
        this.live = true;
        this.warned = false;
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        if (this.live) this.logger.warn(`${this.feed} lost (${why}): acting on what was known until it is back`);
        else if (!this.warned) this.logger.warn(`${this.feed} not reachable yet (${why})`);
        this.warned = true;
        this.live = false;
        this.hooks.onLost();
        if (this.running) await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}
