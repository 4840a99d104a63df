import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  NotLeaderError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  ConcurrencyError,
  ConflictError,
  GENESIS_HASH,
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
import { ChainVerifier, computeEventHash, stripUndefined } from '../hash-chain';
import { PollingSubscription } from '../polling-subscription';
import {
  CLAIM_EVENT_TYPE,
  claimStreamOf,
  fromEsdb,
  isCustodianEvent,
  KnownPositions,
  matchesPrefixes,
  planAppend,
  positionToNumber,
  readPositionOf,
  toEnvelope,
  validateAppend,
} from './esdb-mapping';

/** The part of `EventStoreDBClient` the adapter uses (a fake can stand in for it in tests). */
export type EsdbClientLike = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'dispose'>;

export interface EventStoreDbStoreOptions {
  /** Clock for recordedAt. @defaultValue () => new Date() */
  now?: () => Date;
  /** Stream heads remembered to chain appends without a read. @defaultValue 10_000 */
  headCacheSize?: number;
  /** Instrumentation hook around append (the app wraps it in a span). */
  onAppend?: <T>(streamId: string, count: number, work: () => Promise<T>) => Promise<T>;
  /** Whether close() disposes the client. @defaultValue true */
  ownsClient?: boolean;
}

interface Head {
  version: number;
  hash: string;
}

/** Bound on re-chaining when another writer moved the head under 'any'/'stream_exists'. */
const MAX_HEAD_RETRIES = 20;
/** Events fetched per $all page while scanning (readAll filters on the client). */
const SCAN_PAGE = 1000;

/**
 * The EventStoreDB (KurrentDB) adapter of the EventStore port, over `@eventstore/db-client` (gRPC).
 *
 * Layout: a port stream is the ESDB stream of the same name; event id, type and data are the ESDB
 * event's id, type and JSON data; tenantId, schemaVersion, metadata, recordedAt, prevHash and hash
 * travel in the ESDB event's JSON metadata (`StoredEnvelope`). version = revision + 1;
 * globalPosition = the $all commit position (unique and increasing in $all order, but with gaps:
 * it is a byte offset in the log, so never do arithmetic on it beyond comparisons).
 *
 * - Hash chain: computed here exactly as the PostgreSQL adapter does, on the head this adapter read;
 *   every append carries the exact expected revision of that head (also for 'any' and
 *   'stream_exists', which re-read the head and retry when another writer moved it), so the
 *   server refuses an append that would break the chain.
 * - Event ids: ESDB does not enforce unique ids across streams, so each id is first claimed in its
 *   own stream (`custodian-event-id-<id>`, expected NO_STREAM) naming the owning stream. A claim
 *   owned by another stream is a ConflictError; one owned by this stream means a replayed append
 *   (answered from what is stored: alreadyAppended, or ConflictError for other content) or a
 *   stale claim from a failed append (then the append proceeds). Costs one small write per event.
 * - readAll/subscribeAll: ESDB's $all is one log written by the leader in order and read only up
 *   to what is committed, so no event ever appears behind a higher position: the never-skip
 *   contract holds natively. Type-prefix filtering is done on the client (this client version's
 *   readAll has no server-side filter), so a filtered read scans the non-matching events too.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly now: () => Date;
  private readonly heads = new Map<string, Head>();
  private readonly headCacheSize: number;
  private readonly onAppend: NonNullable<EventStoreDbStoreOptions['onAppend']>;
  private readonly known = new KnownPositions();

  constructor(
    private readonly client: EsdbClientLike,
    private readonly options: EventStoreDbStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.headCacheSize = options.headCacheSize ?? 10_000;
    this.onAppend = options.onAppend ?? ((_s, _c, work) => work());
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    validateAppend(streamId, events, expected);
    return this.onAppend(streamId, events.length, () => this.appendChecked(streamId, events, expected));
  }

  private async appendChecked(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (await this.claimIds(streamId, events)) {
      const replay = await this.replayed(streamId, events);
      if (replay) return replay;
    }
    let head = this.heads.get(streamId);
    let fresh = false;
    if (!head) {
      head = await this.readHead(streamId);
      fresh = true;
    }
    for (let attempt = 0; ; attempt++) {
      const plan = planAppend(expected, head.version);
      if (!plan.ok) {
        if (!fresh) {
          head = await this.readHead(streamId);
          fresh = true;
          continue;
        }
        throw new ConcurrencyError(streamId, expected, plan.actual);
      }
      const recorded = chain(streamId, events, head, this.now().toISOString());
      try {
        await this.client.appendToStream(
          streamId,
          recorded.map((e) => jsonEvent({ id: e.eventId, type: e.type, data: e.data, metadata: toEnvelope(e) })),
          { expectedRevision: plan.expectedRevision },
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw translate(error);
        head = await this.readHead(streamId);
        fresh = true;
        if ((expected === 'any' || expected === 'stream_exists') && attempt < MAX_HEAD_RETRIES) continue;
        throw new ConcurrencyError(streamId, expected, head.version === 0 ? 'no_stream' : head.version);
      }
      // Read back for the positions (and to catch ESDB's own idempotent-write answer, which
      // acknowledges without storing when these ids were written at this revision before).
      const stored = await this.readStream(streamId, { fromVersion: head.version + 1, limit: recorded.length });
      const ours = stored.length === recorded.length && stored.every((s, i) => s.eventId === recorded[i].eventId && s.hash === recorded[i].hash);
      if (!ours) {
        const replay = await this.replayed(streamId, events);
        if (replay) return replay;
        throw new InfrastructureError(`append to ${streamId} was acknowledged but the events read back differ`, false);
      }
      const last = stored[stored.length - 1];
      this.remember(streamId, { version: last.version, hash: last.hash });
      return { nextExpectedVersion: last.version, lastGlobalPosition: last.globalPosition, alreadyAppended: false, events: stored };
    }
  }

  /**
   * Claims every event id for `streamId`. Throws ConflictError when an id belongs to another
   * stream; returns true when some id was already claimed for this stream (a possible replay).
   */
  private async claimIds(streamId: string, events: NewEvent[]): Promise<boolean> {
    const outcomes = await Promise.all(
      events.map(async (e): Promise<'new' | 'mine' | 'other'> => {
        const claimStream = claimStreamOf(e.eventId);
        try {
          await this.client.appendToStream(claimStream, jsonEvent({ id: randomUUID(), type: CLAIM_EVENT_TYPE, data: { streamId } }), { expectedRevision: NO_STREAM });
          return 'new';
        } catch (error) {
          if (!(error instanceof WrongExpectedVersionError)) throw translate(error);
        }
        const [claim] = await this.collect(this.client.readStream(claimStream, { maxCount: 1 }));
        const owner = (claim?.event?.data as { streamId?: unknown } | undefined)?.streamId;
        return owner === streamId ? 'mine' : 'other';
      }),
    );
    if (outcomes.includes('other')) {
      throw new ConflictError('An event id in this append is already stored with other content or in another stream', 'event_id_reused', {
        streamId,
        eventIds: events.filter((_, i) => outcomes[i] === 'other').map((e) => e.eventId),
      });
    }
    return outcomes.includes('mine');
  }

  /** The answer to a replayed append: undefined when none of the ids is stored in the stream. */
  private async replayed(streamId: string, events: NewEvent[]): Promise<AppendResult | undefined> {
    const ids = new Set(events.map((e) => e.eventId));
    const all = await this.readStream(streamId);
    const stored = new Map(all.filter((e) => ids.has(e.eventId)).map((e) => [e.eventId, e]));
    if (stored.size === 0) return undefined;
    const same =
      stored.size === events.length &&
      events.every((e) => {
        const s = stored.get(e.eventId);
        return (
          s !== undefined &&
          s.type === e.type &&
          s.schemaVersion === e.schemaVersion &&
          s.tenantId === e.tenantId &&
          isDeepStrictEqual(s.data, e.data) &&
          isDeepStrictEqual(stripUndefined(s.metadata), stripUndefined(e.metadata))
        );
      });
    if (!same) {
      throw new ConflictError('An event id in this append is already stored with other content or in another stream', 'event_id_reused', {
        streamId,
        eventIds: [...stored.keys()],
      });
    }
    const recorded = events.map((e) => stored.get(e.eventId)).filter((e): e is RecordedEvent => e !== undefined);
    const last = recorded.reduce((a, b) => (a.version > b.version ? a : b));
    const head = all[all.length - 1];
    return { nextExpectedVersion: head.version, lastGlobalPosition: last.globalPosition, alreadyAppended: true, events: recorded };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = Math.max(1, options.fromVersion ?? 1);
    if (options.limit !== undefined && options.limit <= 0) return [];
    const resolved = await this.collect(this.client.readStream(streamId, { fromRevision: BigInt(from - 1), maxCount: options.limit ?? Number.MAX_SAFE_INTEGER, direction: FORWARDS }));
    const events: RecordedEvent[] = [];
    for (const r of resolved) {
      if (r.event && isCustodianEvent(r.event)) {
        const e = fromEsdb(r.event);
        this.known.add(e.globalPosition);
        events.push(e);
      }
    }
    const last = events[events.length - 1];
    if (last && options.limit === undefined) this.remember(streamId, { version: last.version, hash: last.hash });
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.scan(options.after ?? 0, options.limit ?? 1000, options.typePrefixes)).events;
  }

  subscribeAll(options: SubscribeAllOptions): Subscription {
    // Resume each poll where the previous scan ended (past non-matching events), not at the
    // last delivered event: a filtered subscription then reads each part of $all once.
    let scannedTo = 0;
    return new PollingSubscription(async (after, limit) => {
      const page = await this.scan(Math.max(after, scannedTo), limit, options.typePrefixes);
      scannedTo = page.scannedTo;
      return page.events;
    }, options);
  }

  /**
   * Position of the last event this adapter wrote (0 when none): what read-your-writes waits for.
   * ESDB commits in log order, so this is also the safe head (see safeHeadPosition).
   */
  async headPosition(): Promise<number> {
    let from: ReadPosition = END;
    for (;;) {
      const page: AllStreamResolvedEvent[] = await this.collect(this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: SCAN_PAGE }));
      for (const r of page) if (r.event && isCustodianEvent(r.event)) return positionToNumber(r.event.position);
      const last: AllStreamResolvedEvent['event'] = page[page.length - 1]?.event;
      if (page.length < SCAN_PAGE || !last) return 0;
      from = last.position; // backwards reads exclude the start position
    }
  }

  /** Same as headPosition: ESDB never exposes an event before every lower position is final. */
  async safeHeadPosition(): Promise<number> {
    return this.headPosition();
  }

  async verifyStream(streamId: string): Promise<VerifyResult> {
    const pageSize = 5000;
    const verifier = new ChainVerifier(streamId);
    for (let from = 1; ; from += pageSize) {
      const page = await this.readStream(streamId, { fromVersion: from, limit: pageSize });
      if (!page.every((e) => verifier.push(e)) || page.length < pageSize) break;
    }
    return { streamId, ...verifier.result() };
  }

  async streamVersion(streamId: string): Promise<number> {
    return (await this.readHead(streamId)).version;
  }

  async close(): Promise<void> {
    this.heads.clear();
    if (this.options.ownsClient !== false) await this.client.dispose();
  }

  /**
   * Reads $all after `after` until `limit` matching events or the end. `scannedTo` is the
   * position of the last record examined (a valid place to resume).
   */
  private async scan(after: number, limit: number, prefixes: string[] | undefined): Promise<{ events: RecordedEvent[]; scannedTo: number }> {
    const events: RecordedEvent[] = [];
    let scannedTo = after;
    if (limit <= 0) return { events, scannedTo };
    let page = await this.firstPage(after);
    for (;;) {
      for (const r of page) {
        const e = r.event;
        if (!e) continue;
        const position = positionToNumber(e.position);
        this.known.add(position);
        if (position <= after) continue;
        scannedTo = position;
        if (!isCustodianEvent(e) || !matchesPrefixes(e.type, prefixes)) continue;
        events.push(fromEsdb(e));
        if (events.length >= limit) return { events, scannedTo };
      }
      const last = page[page.length - 1]?.event;
      if (page.length < SCAN_PAGE || !last) return { events, scannedTo };
      page = await this.readAllPage(last.position);
    }
  }

  /**
   * The first page at or after `after`. ESDB answers InvalidPosition to a read that starts inside
   * a record, so an unknown position is tried once and otherwise replaced by the closest known
   * record boundary below it (or the start of $all); the caller skips events at or before `after`.
   */
  private async firstPage(after: number): Promise<AllStreamResolvedEvent[]> {
    if (after <= 0) return this.readAllPage(readPositionOf(0));
    if (this.known.has(after)) return this.readAllPage(readPositionOf(after));
    if (this.known.has(after + 1)) return this.readAllPage(readPositionOf(after + 1));
    try {
      return await this.readAllPage(readPositionOf(after));
    } catch (error) {
      if (isCustodianRetriable(error)) throw error;
    }
    return this.readAllPage(readPositionOf(this.known.floor(after) ?? 0));
  }

  private readAllPage(from: ReadPosition): Promise<AllStreamResolvedEvent[]> {
    return this.collect(this.client.readAll({ fromPosition: from, direction: FORWARDS, maxCount: SCAN_PAGE }));
  }

  private async readHead(streamId: string): Promise<Head> {
    const [last] = await this.collect(this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }));
    if (!last?.event) return { version: 0, hash: GENESIS_HASH };
    if (!isCustodianEvent(last.event)) throw new InfrastructureError(`stream ${streamId} holds an event not written by the Custodian adapter`, false);
    const e = fromEsdb(last.event);
    const head = { version: e.version, hash: e.hash };
    this.remember(streamId, head);
    return head;
  }

  private remember(streamId: string, head: Head): void {
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.headCacheSize) this.heads.delete(this.heads.keys().next().value as string);
  }

  /** Drains a client read; a missing stream reads as empty. */
  private async collect<T extends ResolvedEvent | AllStreamResolvedEvent>(read: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    try {
      for await (const r of read) out.push(r);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translate(error);
    }
    return out;
  }
}

/** Connects to `url` (esdb://host:2113?tls=false, esdb+discover://…) and returns the adapter. */
export function createEventStoreDbStore(url: string, options: EventStoreDbStoreOptions = {}): EventStoreDbEventStore {
  return new EventStoreDbEventStore(EventStoreDBClient.connectionString(url), options);
}

/** Builds the recorded events of a batch, chained onto `head` (as the PostgreSQL adapter does). */
function chain(streamId: string, events: NewEvent[], head: Head, recordedAt: string): RecordedEvent[] {
  let prevHash = head.hash;
  return events.map((e, i) => {
    const base = {
      eventId: e.eventId,
      type: e.type,
      schemaVersion: e.schemaVersion,
      streamId,
      version: head.version + i + 1,
      recordedAt,
      tenantId: e.tenantId,
      data: e.data,
      metadata: stripUndefined(e.metadata),
      prevHash,
    };
    const hash = computeEventHash(base);
    prevHash = hash;
    return { ...base, globalPosition: 0, hash };
  });
}

function isCustodianRetriable(error: unknown): boolean {
  return error instanceof InfrastructureError && error.retriable;
}

/** Maps client errors to the kernel error set; connection-level failures are retriable. */
function translate(error: unknown): Error {
  if (error instanceof InfrastructureError) return error;
  if (error instanceof UnavailableError || error instanceof DeadlineExceededError || error instanceof NotLeaderError || error instanceof CancelledError) {
    return new InfrastructureError(`event store unavailable: ${error.message}`, true, 'store_unavailable', error);
  }
  if (error instanceof Error) return error;
  return new InfrastructureError(String(error), false);
}
