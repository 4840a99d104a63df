import type { Pool } from 'pg';
import type { EventStore, RecordedEvent } from '@custodian/kernel';
import { WakeableSleep } from '@custodian/platform';
import type { SessionLock } from '@custodian/platform';
import { busLock } from '../advisory-lock';
import type { BusConsumer, DeadLetter, MessageBus, SubscribeOptions } from '../bus.port';
import { fromRecordedEvent } from '../cloudevents';
import { BusLogFields, silentBusLogger, type BusLogger } from '../logger';
import { attemptWithBackoff, backoffMs, describeError, resolveRetryPolicy, type ResolvedRetryPolicy } from '../retry';
import { categoryOf, contextOf } from '../topics';

export interface PostgresLogBusOptions {
  /** Events read per page of the log. @defaultValue 500 */
  batchSize?: number;
  /** Poll interval when a consumer is caught up, in ms. @defaultValue 20 */
  idleMs?: number;
  /** How often a standby member of a group tries to become the active one, in ms. @defaultValue 1_000 */
  standbyPollMs?: number;
  /** Handled events committed together at most (inbox rows + checkpoint, one statement). @defaultValue 100 */
  commitEvery?: number;
  /** Longest a handled event waits for its commit, in ms. @defaultValue 100 */
  commitIntervalMs?: number;
  logger?: BusLogger;
}

/**
 * The embedded bus: there is nothing to publish, the event store's global log is the topic.
 * A topic `custodian.<context>.v1` is the log filtered by the category `<context>.`; a group
 * reads the log after its checkpoint (`messaging.consumer_checkpoints`), in global order (so in
 * order per stream), hands its category's events to the handler and steps over the others; it
 * never skips a late commit (the store's readAll guarantee).
 *
 * One member of a group is active at a time: it holds the group's session advisory lock; other
 * members stand by and take over when its connection ends. After handlers succeed, their event
 * ids (inbox) and the checkpoint are written together in one statement, every `commitEvery`
 * events or `commitIntervalMs` (and at the end of each page); a dead letter is written with its
 * checkpoint at once. So the checkpoint never passes an event before its handler succeeded, and
 * a crash redelivers at most the events handled since the last commit.
 */
export class PostgresLogBus implements MessageBus {
  readonly kind = 'postgres-log' as const;
  private readonly consumers = new Set<PostgresLogConsumer>();

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly options: PostgresLogBusOptions = {},
  ) {}

  async subscribe(options: SubscribeOptions): Promise<BusConsumer> {
    const consumer = new PostgresLogConsumer(this.store, this.pool, options, this.options, () => this.consumers.delete(consumer));
    this.consumers.add(consumer);
    consumer.start();
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
  }
}

class PostgresLogConsumer implements BusConsumer {
  readonly topic: string;
  readonly group: string;
  private readonly context: string;
  private readonly category: string;
  private readonly policy: ResolvedRetryPolicy;
  private readonly lock: SessionLock;
  private readonly pause = new WakeableSleep();
  private readonly log: BusLogger;
  private running = false;
  private loop: Promise<void> | undefined;
  /** Read position: every event up to it is handled, dead-lettered or not of this topic. */
  private position = 0;
  /** The checkpoint as stored, and when it was last written. */
  private committed = 0;
  private committedAt = 0;
  /** Ids handled since the last commit (they and the position are written together), and since when. */
  private pending: string[] = [];
  private pendingSince = 0;

  constructor(
    private readonly store: EventStore,
    pool: Pool,
    private readonly options: SubscribeOptions,
    private readonly busOptions: PostgresLogBusOptions,
    private readonly onStopped: () => void,
  ) {
    this.topic = options.topic;
    this.group = options.group;
    this.context = contextOf(options.topic);
    this.category = categoryOf(options.topic);
    if (!options.group) throw new RangeError('a consumer group name is required');
    this.policy = resolveRetryPolicy(options.retry);
    this.lock = busLock(pool, `consumer|${options.group}|${options.topic}`);
    this.log = busOptions.logger ?? silentBusLogger;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
    this.onStopped();
  }

  private get fields() {
    return { [BusLogFields.topic]: this.topic, [BusLogFields.group]: this.group };
  }

  private async run(): Promise<void> {
    const batchSize = this.busOptions.batchSize ?? 500;
    const idleMs = this.busOptions.idleMs ?? 20;
    const commitEvery = this.busOptions.commitEvery ?? 100;
    const commitIntervalMs = this.busOptions.commitIntervalMs ?? 100;
    let failures = 0;
    while (this.running) {
      try {
        if (!this.lock.held) {
          if (!(await this.lock.tryAcquire())) {
            await this.pause.sleep(this.busOptions.standbyPollMs ?? 1_000);
            continue;
          }
          const rows = await this.lock.query<{ position: number }>('SELECT position FROM messaging.consumer_checkpoints WHERE consumer_group = $1 AND topic = $2', [this.group, this.topic]);
          this.position = rows.length > 0 ? Number(rows[0].position) : 0;
          this.committed = this.position;
          this.pending = [];
          this.log.debug({ ...this.fields, [BusLogFields.position]: this.position }, 'consumer group active on the Postgres log');
        }
        // Unfiltered pages, filtered here: a primary-key range scan whatever the planner believes
        // about the category, and the position moves past other contexts' events.
        const page = await this.store.readAll({ after: this.position, limit: batchSize });
        failures = 0;
        const ours = page.filter((e) => e.type.startsWith(this.category));
        const seen = ours.length > 0 ? await this.seen(ours.map((e) => e.eventId)) : new Set<string>();
        for (const event of page) {
          if (!this.running) break;
          if (!event.type.startsWith(this.category) || seen.has(event.eventId)) {
            this.position = event.globalPosition;
            continue;
          }
          if (!(await this.process(event))) break;
          if (this.pending.length >= commitEvery || (this.pending.length > 0 && Date.now() - this.pendingSince >= commitIntervalMs)) await this.flush();
        }
        if (this.pending.length > 0 || (this.position > this.committed && Date.now() - this.committedAt >= SKIP_SAVE_MS)) await this.flush();
        if (page.length < batchSize) await this.pause.sleep(idleMs);
      } catch (error) {
        // Store, inbox or checkpoint failure: drop the lock (its connection may be the broken
        // part), back off, re-acquire and resume from the committed checkpoint (handled events
        // not committed yet come again: at least once).
        failures++;
        this.options.onError?.(error);
        this.log.warn({ ...this.fields, [BusLogFields.error]: error }, 'Postgres-log consumer failed; retrying from its checkpoint');
        await this.lock.release(true);
        await this.pause.sleep(backoffMs(failures, { initialBackoffMs: 100, maxBackoffMs: 5_000 }));
      }
    }
    if (this.lock.held && (this.pending.length > 0 || this.position > this.committed)) await this.flush().catch(() => undefined);
    await this.lock.release();
  }

  private async seen(eventIds: string[]): Promise<Set<string>> {
    const rows = await this.lock.query<{ event_id: string }>('SELECT event_id FROM messaging.inbox WHERE consumer_group = $1 AND event_id = ANY($2::text[])', [this.group, eventIds]);
    return new Set(rows.map((r) => r.event_id));
  }

  /** Handles one event of the topic; false when stopped before it was decided (nothing recorded). */
  private async process(event: RecordedEvent): Promise<boolean> {
    const message = fromRecordedEvent(event, this.topic, this.context);
    const outcome = await attemptWithBackoff(() => this.options.handler(message), this.policy, (ms) => this.pause.sleep(ms), { stopped: () => !this.running });
    switch (outcome.kind) {
      case 'interrupted':
        return false;
      case 'handled':
        if (this.pending.length === 0) this.pendingSince = Date.now();
        this.pending.push(message.id);
        this.position = event.globalPosition;
        return true;
      case 'failed': {
        await this.flush();
        const deadLetter: DeadLetter = { group: this.group, message, error: describeError(outcome.error), attempts: outcome.attempts, failedAt: new Date().toISOString() };
        await this.lock.query(
          `WITH parked AS (
             INSERT INTO messaging.dead_letters (consumer_group, topic, event_id, global_position, message, error, attempts, failed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (consumer_group, event_id) DO UPDATE
               SET error = excluded.error, attempts = excluded.attempts, failed_at = excluded.failed_at, message = excluded.message)
           ${checkpointUpsert('$4')}`,
          [this.group, this.topic, message.id, event.globalPosition, JSON.stringify(message), deadLetter.error, deadLetter.attempts, deadLetter.failedAt],
        );
        this.markCommitted(event.globalPosition);
        this.log.warn({ ...this.fields, [BusLogFields.eventId]: message.id, [BusLogFields.attempts]: outcome.attempts, [BusLogFields.error]: outcome.error }, 'message dead-lettered');
        this.options.onDeadLetter?.(deadLetter);
        return true;
      }
      default: {
        const never: never = outcome;
        throw new Error(`unknown outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /** Writes the handled ids to the inbox and the read position to the checkpoint, in one statement. */
  private async flush(): Promise<void> {
    const ids = this.pending;
    const position = this.position;
    await this.lock.query(
      `WITH handled AS (
         INSERT INTO messaging.inbox (consumer_group, event_id, topic) SELECT $1, id, $2 FROM unnest($3::text[]) AS id ON CONFLICT DO NOTHING)
       ${checkpointUpsert('$4')}`,
      [this.group, this.topic, ids, position],
    );
    this.pending = [];
    this.markCommitted(position);
  }

  private markCommitted(position: number): void {
    this.position = Math.max(this.position, position);
    this.committed = Math.max(this.committed, position);
    this.committedAt = Date.now();
  }
}

/** Longest time a consumer that only skips other topics' events goes without saving its checkpoint. */
const SKIP_SAVE_MS = 1_000;

/** Moves the group's checkpoint forward (never back): $1 group, $2 topic, `position` its parameter. */
function checkpointUpsert(position: string): string {
  return `
INSERT INTO messaging.consumer_checkpoints (consumer_group, topic, position) VALUES ($1, $2, ${position})
ON CONFLICT (consumer_group, topic) DO UPDATE
  SET position = GREATEST(messaging.consumer_checkpoints.position, excluded.position), updated_at = now()`;
}

/** Dead letters a Postgres-log group parked on a topic, oldest first (operators, tests). */
export async function readPostgresDeadLetters(pool: Pool, topic: string, group: string): Promise<DeadLetter[]> {
  const res = await pool.query<{ message: DeadLetter['message']; error: string; attempts: number; failed_at: Date }>(
    'SELECT message, error, attempts, failed_at FROM messaging.dead_letters WHERE consumer_group = $1 AND topic = $2 ORDER BY id',
    [group, topic],
  );
  return res.rows.map((r) => ({ group, message: r.message, error: r.error, attempts: r.attempts, failedAt: r.failed_at.toISOString() }));
}
