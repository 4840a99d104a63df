import type { JsonObject } from '@custodian/kernel';

/**
 * An integration event as consumers see it, whichever adapter carried it. The fields are the
 * CloudEvents 1.0 attributes the relay sets (docs/messaging.md "CloudEvents mapping"), so a
 * message read from the Postgres log and one read from Kafka are equal.
 */
export interface BusMessage {
  /** The topic it was read from (`custodian.<context>.v1`). */
  topic: string;
  /** CloudEvents `id`: the event id. Consumers deduplicate on it. */
  id: string;
  /** CloudEvents `type`: the stable event type (`records.TaskCompleted`). */
  type: string;
  /** The event's schema version (from CloudEvents `dataschema`, `urn:custodian:event:<type>:v<n>`). */
  schemaVersion: number;
  /** CloudEvents `source`: `/custodian/<context>`. */
  source: string;
  /** CloudEvents `subject` and the Kafka key: the stream id. Order is kept per subject. */
  subject: string;
  /** CloudEvents `time`: when the store recorded the event (ISO-8601 UTC). */
  time: string;
  tenantId: string;
  /** W3C trace context of the request that caused the event, when it had one. */
  traceparent: string | null;
  /** The public payload: the event data as stored (personal fields stay encrypted envelopes). */
  data: JsonObject;
}

/** Retries of a failing handler before its message is dead-lettered. */
export interface RetryPolicy {
  /** Handler calls per message, the first included. @defaultValue 5 */
  maxAttempts?: number;
  /** Wait before the second call, in ms; doubled per attempt, with ±20 % jitter. @defaultValue 100 */
  initialBackoffMs?: number;
  /** Cap on one wait, in ms. @defaultValue 2_000 */
  maxBackoffMs?: number;
}

export type MessageHandler = (message: BusMessage) => Promise<void>;

export interface SubscribeOptions {
  /** `custodian.<context>.v1`. */
  topic: string;
  /** Consumer group: members of one group share the work; each group sees every message. */
  group: string;
  handler: MessageHandler;
  retry?: RetryPolicy;
  /** Told about every dead-lettered message (after it is stored). */
  onDeadLetter?: (deadLetter: DeadLetter) => void;
  /** Told about infrastructure failures the consumer recovers from (it retries them itself). */
  onError?: (error: unknown) => void;
}

/** A message a group gave up on, with the error of its last attempt. */
export interface DeadLetter {
  group: string;
  message: BusMessage;
  error: string;
  attempts: number;
  failedAt: string;
}

export interface BusConsumer {
  readonly topic: string;
  readonly group: string;
  /** Stops after the message being handled (its commit included); resolves when stopped. */
  stop(): Promise<void>;
}

/**
 * The bus port: consume a context's integration events by consumer group.
 *
 * Contracts every adapter keeps (checked by `runBusContract` in libs/messaging/src/testing):
 * - a group starts at the beginning of the topic and then sees every message of it, in order
 *   per subject (stream id); different groups are independent;
 * - delivery is at least once; the consumer deduplicates by event id (an id the group handled
 *   successfully is not handed to the handler again) — a handler that has side effects outside
 *   the bus should still tolerate the rare redelivery after a crash between its success and
 *   the bookkeeping;
 * - the group's position (Kafka offset / Postgres checkpoint) moves past a message only after
 *   its handler succeeded, or after the message was stored as a dead letter;
 * - a failing handler is retried `retry.maxAttempts` times with capped, jittered exponential
 *   backoff; then the message becomes a dead letter carrying the last error (Kafka: topic
 *   `<topic>.dlq`; Postgres: table `messaging.dead_letters`) and the group goes on with the
 *   next message. While a message is being retried, later messages of its partition wait.
 */
export interface MessageBus {
  /** `postgres-log` (the embedded default) or `kafka`. */
  readonly kind: 'postgres-log' | 'kafka';
  subscribe(options: SubscribeOptions): Promise<BusConsumer>;
  /** Stops every consumer this bus started and releases its connections. */
  close(): Promise<void>;
}
