import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import { WakeableSleep } from '@custodian/platform';
import type { BusConsumer, DeadLetter, MessageBus, SubscribeOptions } from '../bus.port';
import { DeadLetterHeaders, fromKafkaRecord, type OutgoingRecord } from '../cloudevents';
import { Inbox } from '../inbox';
import { BusLogFields, silentBusLogger, type BusLogger } from '../logger';
import { attemptWithBackoff, backoffMs, describeError, resolveRetryPolicy, type ResolvedRetryPolicy } from '../retry';
import { contextOf, deadLetterTopicFor } from '../topics';
import { createKafkaClient, type KafkaConnectionConfig } from './kafka-client';
import { KafkaPublisher, type KafkaProducerSettings, type RecordPublisher } from './kafka-publisher';

export interface KafkaConsumerSettings {
  /** @defaultValue 30_000 */
  sessionTimeoutMs?: number;
  /** @defaultValue 3_000 */
  heartbeatIntervalMs?: number;
  /** Longest wait of a fetch for new records, ms (bounds the latency when idle). @defaultValue 100 */
  maxWaitTimeMs?: number;
  /** Handled records whose ids are written to the inbox together at most. @defaultValue 100 */
  commitEvery?: number;
  /** Offsets of a partition are committed at most this often, ms (always after the inbox rows they cover). @defaultValue 500 */
  commitIntervalMs?: number;
}

export interface KafkaBusOptions {
  kafka: KafkaConnectionConfig;
  /** Runtime-role pool: each consumer's inbox (deduplication by event id) takes one connection. */
  pool: Pool;
  /** The dead-letter producer's settings. */
  producer?: KafkaProducerSettings;
  consumer?: KafkaConsumerSettings;
  logger?: BusLogger;
}

/**
 * Kafka consumers (kafkajs) by consumer group. A group starts at the earliest offset; each
 * record is parsed (CloudEvents binary mode), skipped when its event id is in the group's inbox,
 * else handled with retries. An offset is committed only after the handler of its record
 * succeeded and its id was recorded in the inbox, or after the record was written to
 * `<topic>.dlq`. Inbox rows are written per batch (or every `commitEvery` records) and offsets
 * committed at most every `commitIntervalMs`; a crash redelivers at most the records handled
 * since the last inbox write, and records covered by the inbox but not by a commit are
 * recognised and skipped.
 */
export class KafkaBus implements MessageBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly deadLetters: RecordPublisher;
  private readonly log: BusLogger;
  private readonly consumers = new Set<KafkaGroupConsumer>();

  constructor(private readonly options: KafkaBusOptions) {
    this.log = options.logger ?? silentBusLogger;
    this.kafka = createKafkaClient(options.kafka, this.log);
    this.deadLetters = new KafkaPublisher(this.kafka, options.producer);
  }

  async subscribe(options: SubscribeOptions): Promise<BusConsumer> {
    contextOf(options.topic);
    if (!options.group) throw new RangeError('a consumer group name is required');
    const consumer = new KafkaGroupConsumer(this.kafka, new Inbox(this.options.pool), this.deadLetters, options, this.options.consumer ?? {}, this.log, () => this.consumers.delete(consumer));
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (error) {
      await consumer.stop();
      throw error;
    }
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    await this.deadLetters.close();
  }
}

class KafkaGroupConsumer implements BusConsumer {
  readonly topic: string;
  readonly group: string;
  private readonly consumer: Consumer;
  private readonly policy: ResolvedRetryPolicy;
  private readonly pause = new WakeableSleep();
  private running = false;
  private stopping: Promise<void> | undefined;
  private readonly settings: Required<Pick<KafkaConsumerSettings, 'commitEvery' | 'commitIntervalMs'>>;

  constructor(
    kafka: Kafka,
    private readonly inbox: Inbox,
    private readonly deadLetters: RecordPublisher,
    private readonly options: SubscribeOptions,
    settings: KafkaConsumerSettings,
    private readonly log: BusLogger,
    private readonly onStopped: () => void,
  ) {
    this.topic = options.topic;
    this.group = options.group;
    this.policy = resolveRetryPolicy(options.retry);
    this.settings = { commitEvery: settings.commitEvery ?? 100, commitIntervalMs: settings.commitIntervalMs ?? 500 };
    this.consumer = kafka.consumer({
      groupId: options.group,
      sessionTimeout: settings.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: settings.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: settings.maxWaitTimeMs ?? 100,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
  }

  private get fields() {
    return { [BusLogFields.topic]: this.topic, [BusLogFields.group]: this.group };
  }

  async start(): Promise<void> {
    this.running = true;
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.options.onError?.(event.payload.error);
      this.log.warn({ ...this.fields, [BusLogFields.error]: event.payload.error, restart: event.payload.restart }, 'Kafka consumer crashed');
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: (payload) => this.onBatch(payload) });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      this.pause.wake();
      await this.consumer.disconnect().catch((error: unknown) => this.log.warn({ ...this.fields, [BusLogFields.error]: error }, 'Kafka consumer did not disconnect cleanly'));
      await this.inbox.close();
      this.onStopped();
    })();
    return this.stopping;
  }

  /**
   * One fetched batch of one partition, in offset order. Ids already in the group's inbox are
   * skipped. Handled ids go to the inbox every `commitEvery` records and at the end of the batch;
   * the partition's offset is committed after them, at most every `commitIntervalMs` (the inbox
   * recognises what a later commit would have covered). A failing record is parked in
   * `<topic>.dlq` once everything before it is recorded, and its offset committed at once.
   */
  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const next = (offset: string) => (BigInt(offset) + 1n).toString();
    let handledIds: string[] = [];
    /** Records handled ids, then commits the offset when due (or when `force`). */
    const flush = async (force: boolean): Promise<boolean> => {
      const ids = handledIds;
      if (ids.length > 0 && !(await this.settle(heartbeat, () => this.inbox.recordMany(this.group, topic, ids)))) return false;
      handledIds = [];
      await this.commitIfDue(topic, partition, force);
      return true;
    };
    const read = batch.messages.map((message) => {
      try {
        return { message, parsed: fromKafkaRecord(topic, message) };
      } catch (error) {
        return { message, error };
      }
    });
    let seen = new Set<string>();
    const ids = read.flatMap((r) => (r.parsed ? [r.parsed.id] : []));
    if (!(await this.settle(heartbeat, async () => (seen = await this.inbox.seen(this.group, ids))))) return;

    for (const { message, parsed, error } of read) {
      if (!this.running || !isRunning() || isStale()) break;
      if (!parsed) {
        // Not one of our events: nothing to hand to the handler; park it as it is.
        if (!(await flush(false)) || !(await this.settle(heartbeat, () => this.park(topic, partition, message, describeError(error), 0)))) return;
        this.log.warn({ ...this.fields, [BusLogFields.error]: error }, 'malformed record dead-lettered');
        this.advance(partition, next(message.offset));
        resolveOffset(message.offset);
        await this.commitIfDue(topic, partition, true);
        continue;
      }
      if (seen.has(parsed.id)) {
        this.advance(partition, next(message.offset));
        resolveOffset(message.offset);
        continue;
      }
      const outcome = await attemptWithBackoff(() => this.options.handler(parsed), this.policy, (ms) => this.pause.sleep(ms), {
        beforeRetry: async () => {
          await heartbeat().catch(() => undefined);
        },
        stopped: () => !this.running,
      });
      if (outcome.kind === 'interrupted') break;
      if (outcome.kind === 'handled') {
        handledIds.push(parsed.id);
        seen.add(parsed.id);
        this.advance(partition, next(message.offset));
        resolveOffset(message.offset);
        if (handledIds.length >= this.settings.commitEvery && !(await flush(false))) return;
        continue;
      }
      const deadLetter: DeadLetter = { group: this.group, message: parsed, error: describeError(outcome.error), attempts: outcome.attempts, failedAt: new Date().toISOString() };
      if (!(await flush(false)) || !(await this.settle(heartbeat, () => this.park(topic, partition, message, deadLetter.error, deadLetter.attempts, deadLetter.failedAt)))) return;
      this.advance(partition, next(message.offset));
      resolveOffset(message.offset);
      await this.commitIfDue(topic, partition, true);
      this.log.warn({ ...this.fields, [BusLogFields.eventId]: parsed.id, [BusLogFields.attempts]: outcome.attempts, [BusLogFields.error]: outcome.error }, 'message dead-lettered');
      this.options.onDeadLetter?.(deadLetter);
    }
    await flush(false);
  }

  /** Per partition: the next offset to commit (everything before it decided) and when it last was. */
  private readonly offsets = new Map<number, { next: string | undefined; committedAt: number }>();

  private advance(partition: number, nextOffset: string): void {
    const state = this.offsets.get(partition) ?? { next: undefined, committedAt: 0 };
    state.next = nextOffset;
    this.offsets.set(partition, state);
  }

  private async commitIfDue(topic: string, partition: number, force: boolean): Promise<void> {
    const state = this.offsets.get(partition);
    if (!state?.next) return;
    if (!force && Date.now() - state.committedAt < this.settings.commitIntervalMs) return;
    const offset = state.next;
    state.next = undefined;
    state.committedAt = Date.now();
    await this.commit(topic, partition, offset);
  }

  /**
   * Commits `offset` (the next one to read) for the group. A failure (a rebalance took the
   * partition away, the broker went down) is logged, not retried: the records come again and
   * the inbox recognises the ones already handled.
   */
  private async commit(topic: string, partition: number, offset: string): Promise<void> {
    try {
      await this.consumer.commitOffsets([{ topic, partition, offset }]);
    } catch (error) {
      this.options.onError?.(error);
      this.log.warn({ ...this.fields, [BusLogFields.error]: error }, 'offset commit failed; the records will be delivered again and deduplicated');
    }
  }

  /** Writes the record, unchanged, to `<topic>.dlq` with the failure in extra headers. */
  private async park(topic: string, partition: number, message: KafkaMessage, error: string, attempts: number, failedAt = new Date().toISOString()): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) headers[name] = typeof first === 'string' ? first : first.toString('utf8');
    }
    Object.assign(headers, {
      [DeadLetterHeaders.error]: error,
      [DeadLetterHeaders.attempts]: String(attempts),
      [DeadLetterHeaders.group]: this.group,
      [DeadLetterHeaders.topic]: topic,
      [DeadLetterHeaders.partition]: String(partition),
      [DeadLetterHeaders.offset]: message.offset,
      [DeadLetterHeaders.failedAt]: failedAt,
    });
    const record: OutgoingRecord = { key: message.key?.toString('utf8') ?? '', value: message.value?.toString('utf8') ?? '', headers, timestamp: message.timestamp };
    await this.deadLetters.publish(deadLetterTopicFor(topic), [record]);
  }

  /**
   * Runs bookkeeping (inbox, dead-letter write, offset commit) until it succeeds, with capped
   * backoff and heartbeats; false when the consumer stopped first (nothing is committed then, so
   * the record comes again).
   */
  private async settle(heartbeat: () => Promise<void>, work: () => Promise<unknown>): Promise<boolean> {
    for (let failures = 1; ; failures++) {
      try {
        await work();
        return true;
      } catch (error) {
        if (!this.running) return false;
        this.options.onError?.(error);
        this.log.warn({ ...this.fields, [BusLogFields.error]: error }, 'consumer bookkeeping failed; retrying');
        await heartbeat().catch(() => undefined);
        await this.pause.sleep(backoffMs(failures, { initialBackoffMs: 100, maxBackoffMs: 5_000 }));
        if (!this.running) return false;
      }
    }
  }
}
