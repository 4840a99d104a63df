import type { Pool } from 'pg';
import type { EventStore, PrivateFields, RecordedEvent } from '@custodian/kernel';
import { WakeableSleep } from '@custodian/platform';
import type { SessionLock } from '@custodian/platform';
import { busLock } from '../advisory-lock';
import { toKafkaRecord } from '../cloudevents';
import type { RecordPublisher } from '../kafka/kafka-publisher';
import { BusLogFields, silentBusLogger, type BusLogger } from '../logger';
import { backoffMs } from '../retry';
import { topicFor } from '../topics';

/** Longest time a relay that only skips other contexts' events goes without saving its checkpoint. */
const SKIP_SAVE_MS = 1_000;

export interface RelayOptions {
  store: EventStore;
  /** Runtime-role pool: the relay's checkpoint (`messaging.relay_checkpoints`) and its lock. */
  pool: Pool;
  publisher: RecordPublisher;
  /** Fields that never leave the platform, per event type (the context's contracts declare them). */
  privateFields?: PrivateFields;
  /** The context whose events it publishes (`records`). */
  context: string;
  /** @defaultValue `custodian.<context>.v1` */
  topic?: string;
  /** Event-type prefix of the context's events. @defaultValue `<context>.` */
  typePrefix?: string;
  /** Checkpoint name; one relay per name runs at a time. @defaultValue `kafka:<topic>` */
  name?: string;
  /** Events read from the store per page (all contexts' events count). @defaultValue 500 */
  pageSize?: number;
  /** Records published per batch at most (one producer send). @defaultValue 500 */
  batchSize?: number;
  /** Poll interval when caught up, ms. @defaultValue 20 */
  idleMs?: number;
  /** Wait after the first failed publish, ms; doubled per failure, with jitter. @defaultValue 200 */
  initialBackoffMs?: number;
  /** Cap on one wait while the broker is down, ms. @defaultValue 5_000 */
  maxBackoffMs?: number;
  /** While paused, a reminder line is logged this often, ms. @defaultValue 30_000 */
  pausedLogEveryMs?: number;
  /** How often a standby relay (another process holds the name) tries to take over, ms. @defaultValue 1_000 */
  standbyPollMs?: number;
  logger?: BusLogger;
}

/**
 * Tails the event store's global log (readAll after its checkpoint; events filtered by the
 * context's type prefix) and publishes each page's events of the context as one batch to the
 * context's topic, in global order, as CloudEvents records (key = stream id).
 *
 * Contracts:
 * - the checkpoint moves only after the broker acknowledged the whole batch (acks=all), so a
 *   crash or an outage re-publishes, never skips: delivery is at least once (consumers
 *   deduplicate by event id);
 * - batches go one at a time; a failed batch is retried, whole, before anything after it;
 * - while the broker is unreachable the relay pauses (capped, jittered backoff), logs it once
 *   (and a reminder every `pausedLogEveryMs`), and logs again when it resumes; it never crashes
 *   on a broker failure and never skips an event;
 * - one relay per name runs at a time (session advisory lock); others stand by.
 */
export class Relay {
  readonly topic: string;
  readonly name: string;
  private readonly typePrefix: string;
  private readonly lock: SessionLock;
  private readonly pause = new WakeableSleep();
  private readonly log: BusLogger;
  private readonly waiters = new Set<() => void>();
  private running = false;
  private loop: Promise<void> | undefined;
  private checkpoint = 0;
  private pausedSince: number | undefined;
  private failures = 0;
  private lastReminder = 0;
  private published = 0;
  /** The checkpoint as stored, and when it was last written. */
  private saved = 0;
  private savedAt = 0;

  constructor(private readonly options: RelayOptions) {
    this.topic = options.topic ?? topicFor(options.context);
    this.typePrefix = options.typePrefix ?? `${options.context}.`;
    this.name = options.name ?? `kafka:${this.topic}`;
    this.lock = busLock(options.pool, `relay|${this.name}`);
    this.log = options.logger ?? silentBusLogger;
  }

  /**
   * Global position up to which every event of the context is published (acknowledged by the
   * broker); events of other contexts up to it were skipped. The stored checkpoint may trail it
   * by up to a second of skipped events.
   */
  get position(): number {
    return this.checkpoint;
  }

  /** True while the broker is unreachable (the relay is waiting to retry). */
  get paused(): boolean {
    return this.pausedSince !== undefined;
  }

  /** Events published (acknowledged) since start. */
  get publishedCount(): number {
    return this.published;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
  }

  /**
   * Resolves once every event of this relay's context up to `position` is published (the
   * checkpoint reached it, or no event of the context lies between the checkpoint and it).
   */
  async caughtUpTo(position: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.checkpoint >= position) return;
      // Filtered: `position` itself may belong to another context. First make sure the log is
      // final up to it, then look for an event of ours not published yet.
      const settled = await this.options.store.readAll({ after: position - 1, limit: 1 });
      if (settled.length > 0 && settled[0].globalPosition >= position) {
        const pending = await this.options.store.readAll({ after: this.checkpoint, limit: 1, typePrefixes: [this.typePrefix] });
        if (pending.length === 0 || pending[0].globalPosition > position) return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    throw new Error(`relay ${this.name} at ${this.checkpoint} did not reach ${position} within ${timeoutMs} ms`);
  }

  private get fields() {
    return { [BusLogFields.relay]: this.name, [BusLogFields.topic]: this.topic };
  }

  private async run(): Promise<void> {
    const pageSize = this.options.pageSize ?? 500;
    const batchSize = this.options.batchSize ?? 500;
    const idleMs = this.options.idleMs ?? 20;
    let storeFailures = 0;
    while (this.running) {
      let page: RecordedEvent[];
      try {
        if (!(await this.holdLock())) {
          await this.pause.sleep(this.options.standbyPollMs ?? 1_000);
          continue;
        }
        // Unfiltered pages, filtered here: a primary-key range scan whatever the planner believes
        // about the prefix, and the position moves past other contexts' events even when none of
        // ours comes (a filtered read would re-scan everything after the checkpoint each poll).
        page = await this.options.store.readAll({ after: this.checkpoint, limit: pageSize });
        storeFailures = 0;
      } catch (error) {
        storeFailures++;
        this.log.warn({ ...this.fields, [BusLogFields.error]: error }, 'relay could not read the event store or its checkpoint; retrying');
        await this.lock.release(true);
        await this.pause.sleep(backoffMs(storeFailures, { initialBackoffMs: 100, maxBackoffMs: 5_000 }));
        continue;
      }
      if (page.length === 0) {
        await this.pause.sleep(idleMs);
        continue;
      }
      const ours = page.filter((event) => event.type.startsWith(this.typePrefix));
      const last = page[page.length - 1].globalPosition;
      if (ours.length > 0) {
        // Batch after batch, each acknowledged and checkpointed before the next is sent.
        let published = true;
        for (let i = 0; published && i < ours.length; i += batchSize) {
          const batch = ours.slice(i, i + batchSize);
          published = (await this.publish(batch)) && (await this.saveCheckpoint(i + batchSize >= ours.length ? last : batch[batch.length - 1].globalPosition));
        }
        if (!published) continue;
      } else {
        // Nothing of ours: move past the page; persist at most every SKIP_SAVE_MS (a restart
        // re-reads at most that much of other contexts' events).
        this.advance(last);
        if (Date.now() - this.savedAt >= SKIP_SAVE_MS) await this.saveCheckpoint(last);
      }
      if (page.length < pageSize) await this.pause.sleep(idleMs);
    }
    if (this.lock.held && this.checkpoint > this.saved) await this.saveCheckpoint(this.checkpoint);
    await this.lock.release();
  }

  /** Takes (or keeps) the relay's lock; on taking it, reads the committed checkpoint. */
  private async holdLock(): Promise<boolean> {
    if (this.lock.held) return true;
    if (!(await this.lock.tryAcquire())) return false;
    const rows = await this.lock.query<{ position: number }>('SELECT position FROM messaging.relay_checkpoints WHERE relay = $1', [this.name]);
    this.checkpoint = rows.length > 0 ? Number(rows[0].position) : 0;
    this.saved = this.checkpoint;
    this.log.info({ ...this.fields, [BusLogFields.position]: this.checkpoint }, 'relay active');
    return true;
  }

  /** One attempt at the batch; false (after logging and backing off) when the broker failed. */
  private async publish(page: RecordedEvent[]): Promise<boolean> {
    const records = page.map((event) => toKafkaRecord(event, this.options.context, this.options.privateFields));
    try {
      await this.options.publisher.publish(this.topic, records);
    } catch (error) {
      const now = Date.now();
      const failures = this.noteFailure(now);
      const retryInMs = backoffMs(failures, { initialBackoffMs: this.options.initialBackoffMs ?? 200, maxBackoffMs: this.options.maxBackoffMs ?? 5_000 });
      const fields = { ...this.fields, [BusLogFields.position]: this.checkpoint, [BusLogFields.count]: records.length, [BusLogFields.retryInMs]: retryInMs, [BusLogFields.error]: error };
      if (failures === 1) {
        this.log.warn(fields, 'broker unavailable: relay paused, the batch will be published again');
        this.lastReminder = now;
      } else if (now - this.lastReminder >= (this.options.pausedLogEveryMs ?? 30_000)) {
        this.log.warn({ ...fields, [BusLogFields.pausedMs]: now - (this.pausedSince ?? now) }, 'broker still unavailable: relay paused');
        this.lastReminder = now;
      }
      await this.pause.sleep(retryInMs);
      return false;
    }
    if (this.pausedSince !== undefined) {
      this.log.info({ ...this.fields, [BusLogFields.position]: this.checkpoint, [BusLogFields.pausedMs]: Date.now() - this.pausedSince }, 'broker reachable again: relay resumed');
      this.pausedSince = undefined;
      this.failures = 0;
    }
    this.published += records.length;
    return true;
  }

  private advance(position: number): void {
    if (position <= this.checkpoint) return;
    this.checkpoint = position;
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }

  private noteFailure(now: number): number {
    this.pausedSince ??= now;
    return ++this.failures;
  }

  /**
   * Commits the checkpoint after an acknowledged batch, retrying until it sticks. False when it
   * did not (the relay stopped, or lost its lock to another relay): the batch is then published
   * again by whoever runs next — a duplicate, never a gap.
   */
  private async saveCheckpoint(position: number): Promise<boolean> {
    for (let failures = 1; this.running || failures === 1; failures++) {
      try {
        await this.lock.query(
          `INSERT INTO messaging.relay_checkpoints (relay, position) VALUES ($1, $2)
           ON CONFLICT (relay) DO UPDATE SET position = GREATEST(messaging.relay_checkpoints.position, excluded.position), updated_at = now()`,
          [this.name, position],
        );
        this.saved = position;
        this.savedAt = Date.now();
        this.advance(position);
        return true;
      } catch (error) {
        this.log.warn({ ...this.fields, [BusLogFields.position]: position, [BusLogFields.error]: error }, 'relay could not save its checkpoint; retrying');
        await this.lock.release(true);
        await this.pause.sleep(backoffMs(failures, { initialBackoffMs: 100, maxBackoffMs: 5_000 }));
        // The lock was dropped: re-take it before writing (another relay may have taken over).
        if (!(await this.holdLock().catch(() => false))) return false;
      }
    }
    return false;
  }
}
