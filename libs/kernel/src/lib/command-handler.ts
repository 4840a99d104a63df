import { v5 as uuidV5, v4 as uuidV4 } from 'uuid';
import type { CommandContext, Decider } from './decider';
import { foldEvents } from './decider';
import { ConcurrencyError, ConflictError } from './errors';
import type { EventStore, ExpectedVersion } from './event-store.port';
import type { DomainEvent, NewEvent, RecordedEvent } from './events';

/** Namespace for ids derived from an Idempotency-Key (UUID v5). */
const IDEMPOTENT_EVENT_NS = '5d0c0f3e-7a36-4f0b-9a51-0d3c2a6a9e21';

export interface CommandHandlerOptions {
  /** Attempts after the first when the stream moved underneath us. @defaultValue 10 */
  maxRetries?: number;
  /** Base of the exponential backoff between attempts, in ms; full jitter. @defaultValue 10 */
  baseDelayMs?: number;
  /** Upper bound of one backoff sleep, in ms. @defaultValue 1000 */
  maxDelayMs?: number;
  /** Injected for tests. @defaultValue setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests. @defaultValue Math.random */
  random?: () => number;
}

export interface CommandOutcome<TState, TEvent extends DomainEvent> {
  /** The events this command stored — or, for a replay, the ones its first run stored. */
  events: RecordedEvent<TEvent['type']>[];
  /** State after the events. */
  state: TState;
  /** Stream version after the command. */
  version: number;
  /** True when an earlier run with the same Idempotency-Key had already stored the events. */
  replayed: boolean;
  /** The stream as read for this decision; with `events` (when not replayed) it is the whole stream after the command. */
  history: RecordedEvent[];
}

/**
 * load → decide → append, for one stream.
 *
 * - Version conflicts (ConcurrencyError) are retried up to `maxRetries` times with full-jitter
 *   exponential backoff (sleep = floor(random · min(maxDelayMs, baseDelayMs · 2^attempt))),
 *   re-reading the stream each time; other errors are not retried here.
 * - With an Idempotency-Key the event ids are derived from (tenant, stream, key, index), and a
 *   stream that already holds events carrying that key answers with those events and appends
 *   nothing: a retried command returns the first result, even across a crash after append.
 *   Two concurrent runs with the same key race on the same derived event ids: the loser's
 *   append finds them stored with other metadata (`event_id_reused`), re-reads, and replays.
 */
export class CommandHandler<TState, TCommand, TEvent extends DomainEvent> {
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<TState, TCommand, TEvent>,
    options: CommandHandlerOptions = {},
  ) {
    this.maxRetries = options.maxRetries ?? 10;
    this.baseDelayMs = options.baseDelayMs ?? 10;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
  }

  async handle(streamId: string, command: TCommand, context: CommandContext): Promise<CommandOutcome<TState, TEvent>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(streamId, command, context);
      } catch (error) {
        const sameKeyRace = context.idempotencyKey !== undefined && error instanceof ConflictError && error.code === 'event_id_reused';
        if (!(error instanceof ConcurrencyError || sameKeyRace) || attempt >= this.maxRetries) throw error;
        if (sameKeyRace) continue; // the re-read finds the winner's events and replays them
        const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
        await this.sleep(Math.floor(this.random() * cap));
      }
    }
  }

  private async attempt(streamId: string, command: TCommand, context: CommandContext): Promise<CommandOutcome<TState, TEvent>> {
    const history = await this.store.readStream(streamId);
    const key = context.idempotencyKey;
    if (key) {
      const earlier = history.filter((e) => e.metadata.idempotencyKey === key && e.tenantId === context.tenantId);
      if (earlier.length > 0) {
        return {
          events: earlier as RecordedEvent<TEvent['type']>[],
          state: foldEvents(this.decider, history as unknown as TEvent[]),
          version: history.length,
          replayed: true,
          history,
        };
      }
    }
    const state = foldEvents(this.decider, history as unknown as TEvent[]);
    const decided = this.decider.decide(command, state);
    const expected: ExpectedVersion = history.length === 0 ? 'no_stream' : history.length;
    if (decided.length === 0) {
      return { events: [], state, version: history.length, replayed: false, history };
    }
    const toAppend: NewEvent[] = decided.map((event, index) => ({
      eventId: key ? uuidV5(`${context.tenantId}\u0000${streamId}\u0000${key}\u0000${index}`, IDEMPOTENT_EVENT_NS) : uuidV4(),
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      tenantId: context.tenantId,
      metadata: { ...context.metadata, ...(key ? { idempotencyKey: key } : {}) },
    }));
    const result = await this.store.append(streamId, toAppend, expected);
    const newState = decided.reduce(this.decider.evolve, state);
    return {
      events: result.events as RecordedEvent<TEvent['type']>[],
      state: newState,
      version: result.nextExpectedVersion,
      replayed: result.alreadyAppended,
      history,
    };
  }
}
