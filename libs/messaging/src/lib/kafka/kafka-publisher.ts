import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { InfrastructureError } from '@custodian/kernel';
import type { OutgoingRecord } from '../cloudevents';

/** Publishes records to a topic; resolves only once the broker acknowledged every one. */
export interface RecordPublisher {
  /**
   * Sends `records` to `topic` in order (per partition, which is per key). Resolves when all are
   * acknowledged by every in-sync replica (acks=all). Rejects with a retriable
   * InfrastructureError when the broker is unreachable or refused the batch: some records may
   * then have been stored (at-least-once: the caller sends the whole batch again).
   */
  publish(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaProducerSettings {
  /**
   * Idempotent producer (producer id + sequence numbers: no duplicate or reordered batch from
   * the producer's own retries). Requires acks=all and one request in flight, which the
   * publisher always uses. @defaultValue true
   */
  idempotent?: boolean;
  /** Retries of one send inside kafkajs before `publish` rejects. @defaultValue 5 */
  retries?: number;
  /** First retry wait, ms (kafkajs doubles it with jitter). @defaultValue 100 */
  initialRetryTimeMs?: number;
  /** Cap on one retry wait, ms. @defaultValue 2_000 */
  maxRetryTimeMs?: number;
}

/**
 * The Kafka side of the relay and of the dead-letter writer: one kafkajs producer with
 * `idempotent: true` (default), `maxInFlightRequests: 1`, acks=all and bounded retries.
 *
 * After any failed send the producer is thrown away and a new one is connected for the next
 * send: a new producer id starts clean sequence numbers, so a batch that failed half-way (or a
 * broker that lost its state in a restart) cannot wedge the idempotent producer.
 */
export class KafkaPublisher implements RecordPublisher {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: KafkaProducerSettings = {},
  ) {}

  async publish(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.closed) throw new InfrastructureError('publisher is closed', false, 'publisher_closed');
    let producer: Producer;
    try {
      producer = await this.connected();
      await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: records as OutgoingRecord[] });
    } catch (error) {
      await this.discard();
      throw new InfrastructureError(`Kafka did not acknowledge ${records.length} record(s) on ${topic}: ${(error as Error).message ?? String(error)}`, true, 'broker_unavailable', error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.discard();
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: this.settings.idempotent ?? true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: this.settings.retries ?? 5, initialRetryTime: this.settings.initialRetryTimeMs ?? 100, maxRetryTime: this.settings.maxRetryTimeMs ?? 2_000 },
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async discard(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
