import type { NewEvent, RecordedEvent } from './events';

/**
 * What the appender expects of the stream.
 * - a number N: the stream holds exactly N events (0 is the same as 'no_stream');
 * - 'no_stream': the stream holds no event;
 * - 'stream_exists': the stream holds at least one event;
 * - 'any': no expectation.
 */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendResult {
  /** The stream's version after the append (its number of events). */
  nextExpectedVersion: number;
  /** Global position of the last event appended (or found, for a replayed append). */
  lastGlobalPosition: number;
  /** True when every event id was already stored with the same content: nothing was written. */
  alreadyAppended: boolean;
  /** The events as stored (for a replayed append, as first stored), in version order. */
  events: RecordedEvent[];
}

export interface ReadStreamOptions {
  /** First version to return (inclusive). Default 1. */
  fromVersion?: number;
  /** At most this many events. Default: all. */
  limit?: number;
}

export interface ReadAllOptions {
  /** Return events with globalPosition strictly greater than this. Default 0 (from the start). */
  after?: number;
  /** At most this many events per call. Default 1000. */
  limit?: number;
  /** Only events whose type starts with one of these prefixes ("identity."). Default: all. */
  typePrefixes?: string[];
}

export interface SubscribeAllOptions extends ReadAllOptions {
  /** Called for each event in global order; the next event waits for the returned promise. */
  onEvent: (event: RecordedEvent) => Promise<void>;
  /** Called once if the subscription stops on an error (handler or store). */
  onError?: (error: unknown) => void;
  /** Poll interval when caught up, in ms. Default 50. */
  idleMs?: number;
}

export interface Subscription {
  /** Stops after the event being handled; resolves when stopped. */
  stop(): Promise<void>;
  /** Global position of the last event handled. */
  readonly position: number;
  /** Resolves when the subscription has handled everything up to `position` (for tests and tools). */
  caughtUpTo(position: number, timeoutMs?: number): Promise<void>;
}

export type VerifyResult =
  | { ok: true; streamId: string; events: number; headHash: string }
  | { ok: false; streamId: string; events: number; brokenAtVersion: number; reason: string };

/**
 * The event store port. The source of truth: append-only, per-stream hash-chained.
 *
 * Contracts every adapter keeps (checked by runEventStoreContract in libs/event-store/testing):
 * - append is atomic: all events of a call are stored, with consecutive versions, or none are.
 * - append checks `expected` against the stream and throws ConcurrencyError on mismatch.
 * - an append whose event ids are all stored already, in this stream with the same content,
 *   returns `alreadyAppended: true` and writes nothing; a reused id with other content is a
 *   ConflictError. So a retried append after a lost acknowledgement is safe.
 * - readAll and subscribeAll return events in globalPosition order and never skip an event
 *   that commits late behind a higher position: a position is only returned once every lower
 *   position that will ever exist is visible.
 * - nothing is ever updated or deleted.
 */
export interface EventStore {
  append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeAll(options: SubscribeAllOptions): Subscription;
  /** Recomputes the stream's hash chain from stored data. */
  verifyStream(streamId: string): Promise<VerifyResult>;
  /** Current version (event count) of a stream, 0 when it does not exist. */
  streamVersion(streamId: string): Promise<number>;
  close(): Promise<void>;
}
