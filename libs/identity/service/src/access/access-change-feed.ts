import type { RecordedEvent, Subscription } from '@custodian/kernel';
import type { PostgresEventStore } from '@custodian/event-store';
import type { AccessChange, AccessChangesRequest, AccessChangesResponse, ServiceRequest } from '@custodian/identity/contracts';
import { ValidationError } from '@custodian/kernel';

export interface AccessChangeFeedOptions {
  /** Changes remembered; a caller further behind gets `reset`. @defaultValue 10_000 */
  capacity?: number;
  /** Poll interval of the store subscription when idle, in ms. @defaultValue 10 */
  idleMs?: number;
  /** Longest a caller may wait for a change, in ms. @defaultValue 25_000 */
  maxWaitMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * The invalidation feed behind real-time revocation. Tails the event store's global log
 * (identity events only, gap-free: see the EventStore port) from the head at start, turns each
 * access-relevant event into a change notice (user, session or API key id) and answers
 * long-polls: a gateway asks for everything after its position and is answered at once when
 * there is something, else when something happens or `waitMs` passes.
 * - No change is skipped for a caller inside the remembered window; a caller outside it (first
 *   call, too far behind, ahead of this feed, or the tail restarted after an error) gets
 *   `reset: true` and must drop every cached principal. Positions are global, so they mean the
 *   same on every replica; a caller that moves to a replica still behind it is reset too.
 */
export class AccessChangeFeed {
  private readonly changes: AccessChange[] = [];
  /** Every change after this position is in `changes`. */
  private complete = Number.POSITIVE_INFINITY;
  private head = 0;
  private subscription: Subscription | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly capacity: number;
  private readonly idleMs: number;
  private readonly maxWaitMs: number;
  private stopped = false;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly options: AccessChangeFeedOptions = {},
  ) {
    this.capacity = options.capacity ?? 10_000;
    this.idleMs = options.idleMs ?? 10;
    this.maxWaitMs = options.maxWaitMs ?? 25_000;
  }

  async start(): Promise<void> {
    this.stopped = false;
    const from = await this.store.safeHeadPosition();
    this.head = from;
    this.complete = from;
    this.changes.length = 0;
    this.subscription = this.store.subscribeAll({
      after: from,
      typePrefixes: ['identity.'],
      idleMs: this.idleMs,
      onEvent: async (event) => this.record(event),
      onError: (error) => {
        this.options.onError?.(error);
        // Callers can no longer be told exactly what changed: make them reset, then tail again.
        this.complete = Number.POSITIVE_INFINITY;
        this.wake();
        if (!this.stopped) setTimeout(() => void this.start().catch((e: unknown) => this.options.onError?.(e)), 500);
      },
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.subscription?.stop();
  }

  async handle({ body }: ServiceRequest<AccessChangesRequest>): Promise<AccessChangesResponse> {
    const waitMs = body?.waitMs;
    if (typeof waitMs !== 'number' || !Number.isInteger(waitMs) || waitMs < 0) throw new ValidationError('waitMs must be a non-negative integer');
    const after = body.after;
    if (!this.vouchesFor(after)) return { reset: true, position: this.head, changes: [] };
    if (this.head === after && !this.stopped) await this.waitForChange(Math.min(waitMs, this.maxWaitMs));
    if (!this.vouchesFor(after)) return { reset: true, position: this.head, changes: [] };
    return { reset: false, position: this.head, changes: this.changes.filter((c) => c.position > after) };
  }

  /**
   * True when every change after `after` is known here. Not for a first call, a position older
   * than the remembered window, or one AHEAD of this feed: a caller that followed another
   * replica, or a database restored to an earlier point, would otherwise miss the changes
   * between this feed's head and its own position.
   */
  private vouchesFor(after: number | undefined | null): after is number {
    return typeof after === 'number' && after >= this.complete && after <= this.head;
  }

  private record(event: RecordedEvent): void {
    this.changes.push(...changesOf(event));
    if (this.changes.length > this.capacity) {
      const dropped = this.changes.splice(0, this.changes.length - this.capacity);
      this.complete = dropped[dropped.length - 1].position;
    }
    this.head = event.globalPosition;
    this.wake();
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Which cached principals an event makes stale. */
export function changesOf(event: RecordedEvent): AccessChange[] {
  const position = event.globalPosition;
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'identity.ModuleAccessGranted':
    case 'identity.ModuleAccessRevoked':
    case 'identity.UserDisabled':
    case 'identity.UserEnabled':
    case 'identity.UserActivated':
    case 'identity.OwnershipReceived':
    case 'identity.OwnershipRelinquished':
      return [{ position, kind: 'user', id: String(d['userId']) }];
    case 'identity.SessionRevoked':
      return [{ position, kind: 'session', id: String(d['sessionId']) }];
    case 'identity.ApiKeyRotated':
    case 'identity.ApiKeyRevoked':
      return [{ position, kind: 'api_key', id: String(d['keyId']) }];
    default:
      return [];
  }
}
