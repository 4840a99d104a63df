import { randomUUID } from 'node:crypto';
import {
  InfrastructureError,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeAllOptions,
  type Subscription,
  type VerifyResult,
} from '@custodian/kernel';

/**
 * Wrappers around a real EventStore that bend the timing or the outcome of one call, so a
 * race or a failure happens on purpose instead of by luck. Every byte still goes to the real
 * store; nothing here imitates the database. They count reads and appends for assertions.
 */
export class DelegatingStore implements EventStore {
  reads = 0;
  appends = 0;
  /** The batches handed to append, in call order (what the handler asked for, stored or not). */
  readonly appended: NewEvent[][] = [];

  constructor(protected readonly inner: EventStore) {}

  async append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    this.appends++;
    this.appended.push(events);
    return this.inner.append(streamId, events, expected);
  }
  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.reads++;
    return this.inner.readStream(streamId, options);
  }
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }
  subscribeAll(options: SubscribeAllOptions): Subscription {
    return this.inner.subscribeAll(options);
  }
  verifyStream(streamId: string): Promise<VerifyResult> {
    return this.inner.verifyStream(streamId);
  }
  streamVersion(streamId: string): Promise<number> {
    return this.inner.streamVersion(streamId);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Resolves once `parties` callers have arrived; rejects after `timeoutMs` so a broken race fails instead of hanging. */
export class Barrier {
  private arrived = 0;
  private open!: () => void;
  private readonly opened: Promise<void>;

  constructor(
    private readonly parties: number,
    private readonly timeoutMs = 10_000,
  ) {
    this.opened = new Promise<void>((resolve) => (this.open = resolve));
  }

  async arrive(): Promise<void> {
    if (++this.arrived >= this.parties) this.open();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Barrier: ${this.arrived}/${this.parties} arrived within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([this.opened, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Its first readStream returns only once every party sharing the barrier has read too: all
 * racers then decide on the same version and append against it. Later reads (retries) pass.
 */
export class ReadsTogetherStore extends DelegatingStore {
  constructor(
    inner: EventStore,
    private readonly barrier: Barrier,
  ) {
    super(inner);
  }

  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const first = this.reads === 0;
    const events = await super.readStream(streamId, options);
    if (first) await this.barrier.arrive();
    return events;
  }
}

/**
 * Before each of the first `times` appends, a rival writer appends `rivalEvent()` to the same
 * stream through the real store, so the append then meets a real version conflict.
 */
export class OvertakenStore extends DelegatingStore {
  rivalAppends = 0;

  constructor(
    inner: EventStore,
    private readonly rivalEvent: () => NewEvent,
    private readonly times = Number.POSITIVE_INFINITY,
  ) {
    super(inner);
  }

  override async append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (this.rivalAppends < this.times) {
      this.rivalAppends++;
      await this.inner.append(streamId, [this.rivalEvent()], 'any');
    }
    return super.append(streamId, events, expected);
  }
}

/**
 * The connection drops around an append: 'after-commit' stores the events and then fails (the
 * acknowledgement is lost, as when the process crashes right after append); 'before-append'
 * fails without writing. Both throw a retriable InfrastructureError, as the adapter does.
 */
export class ConnectionLostStore extends DelegatingStore {
  constructor(
    inner: EventStore,
    private readonly when: 'after-commit' | 'before-append',
  ) {
    super(inner);
  }

  override async append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (this.when === 'after-commit') await super.append(streamId, events, expected);
    else {
      this.appends++;
      this.appended.push(events);
    }
    throw new InfrastructureError(`event store unavailable: connection reset (${randomUUID()})`, true, 'store_unavailable');
  }
}
