import { NO_STREAM, START, type AppendExpectedRevision, type Position, type ReadPosition } from '@eventstore/db-client';
import { InfrastructureError, ValidationError, type ExpectedVersion, type NewEvent, type RecordedEvent } from '@custodian/kernel';

/**
 * Pure mappings between the EventStore port and EventStoreDB (`@eventstore/db-client`).
 *
 * Versions: the port's version N (1-based) is ESDB revision N-1; a stream "at version N" has
 * revision N-1 as its last event (no_stream when N = 0).
 * Positions: the port's globalPosition is the event's $all commit position as a number. For
 * events written by a gRPC append (implicit transaction) the server reports commit = prepare =
 * the record's own log position, so positions are unique and strictly increasing in $all
 * order, but NOT contiguous (they are byte offsets in the transaction log).
 */

/** Marker and version of the envelope this adapter writes into ESDB event metadata. */
export const ENVELOPE_MARKER = 'custodian.event/1';
/** Streams holding the event-id claims (one per event id: which stream owns it). */
export const CLAIM_STREAM_PREFIX = 'custodian-event-id-';
export const CLAIM_EVENT_TYPE = 'custodian.EventIdClaimed';

/** What is stored in the ESDB event's metadata (data holds the event's `data` as is). */
export interface StoredEnvelope {
  custodian: typeof ENVELOPE_MARKER;
  tenantId: string;
  schemaVersion: number;
  recordedAt: string;
  prevHash: string;
  hash: string;
  metadata: RecordedEvent['metadata'];
  /** Read by ESDB's own projections; not part of the hash. */
  $correlationId?: string;
  $causationId?: string;
}

/** The plan for one append attempt against a stream whose current version is `current`. */
export type AppendPlan = { ok: true; expectedRevision: AppendExpectedRevision } | { ok: false; actual: number | 'no_stream' };

/**
 * Maps the port's expectation onto the exact ESDB revision the append must find. Always an exact
 * revision (or NO_STREAM), also for 'any' and 'stream_exists': the events are hash-chained onto
 * the head the adapter read, so the server must refuse the append if that head moved.
 */
export function planAppend(expected: ExpectedVersion, current: number): AppendPlan {
  const actual = current === 0 ? ('no_stream' as const) : current;
  const exact: AppendExpectedRevision = current === 0 ? NO_STREAM : BigInt(current - 1);
  if (expected === 'any') return { ok: true, expectedRevision: exact };
  if (expected === 'stream_exists') return current > 0 ? { ok: true, expectedRevision: exact } : { ok: false, actual };
  const wanted = expected === 'no_stream' ? 0 : expected;
  return wanted === current ? { ok: true, expectedRevision: exact } : { ok: false, actual };
}

/** Port version (1-based) of an ESDB revision. */
export function versionOfRevision(revision: bigint): number {
  return Number(revision) + 1;
}

/** The port's globalPosition of an ESDB position (its commit position). */
export function positionToNumber(position: Position): number {
  const n = Number(position.commit);
  if (!Number.isSafeInteger(n) || BigInt(n) !== position.commit) throw new InfrastructureError(`EventStoreDB commit position ${position.commit} exceeds Number.MAX_SAFE_INTEGER`, false);
  return n;
}

/** The ESDB read position of a port globalPosition (0 = the start of $all). Reads from it are inclusive. */
export function readPositionOf(globalPosition: number): ReadPosition {
  if (globalPosition <= 0) return START;
  const p = BigInt(Math.floor(globalPosition));
  return { commit: p, prepare: p };
}

export function claimStreamOf(eventId: string): string {
  return `${CLAIM_STREAM_PREFIX}${eventId}`;
}

/** The envelope stored as ESDB metadata for a recorded (chained) event. */
export function toEnvelope(e: RecordedEvent): StoredEnvelope {
  const envelope: StoredEnvelope = {
    custodian: ENVELOPE_MARKER,
    tenantId: e.tenantId,
    schemaVersion: e.schemaVersion,
    recordedAt: e.recordedAt,
    prevHash: e.prevHash,
    hash: e.hash,
    metadata: e.metadata,
    $correlationId: e.metadata.correlationId,
  };
  if (e.metadata.causationId) envelope.$causationId = e.metadata.causationId;
  return envelope;
}

/** The fields of an ESDB recorded event this mapping needs (a subset of the client's type). */
export interface EsdbRecordedLike {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

export function isEnvelope(m: unknown): m is StoredEnvelope {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const e = m as Partial<StoredEnvelope>;
  return e.custodian === ENVELOPE_MARKER && typeof e.hash === 'string' && typeof e.prevHash === 'string' && typeof e.recordedAt === 'string' && typeof e.metadata === 'object';
}

/** True for events this adapter wrote (not system events, claims or other writers' events). */
export function isCustodianEvent(e: EsdbRecordedLike): boolean {
  return e.isJson && !e.streamId.startsWith('$') && !e.streamId.startsWith(CLAIM_STREAM_PREFIX) && !e.type.startsWith('$') && isEnvelope(e.metadata);
}

/** The port's RecordedEvent of an ESDB event written by this adapter. */
export function fromEsdb(e: EsdbRecordedLike): RecordedEvent {
  if (!isEnvelope(e.metadata)) throw new InfrastructureError(`event ${e.id} in ${e.streamId} was not written by the Custodian adapter`, false);
  if (!e.position) throw new InfrastructureError(`event ${e.id} in ${e.streamId} came without a position`, false);
  const m = e.metadata;
  return {
    eventId: e.id,
    type: e.type,
    schemaVersion: m.schemaVersion,
    streamId: e.streamId,
    version: versionOfRevision(e.revision),
    globalPosition: positionToNumber(e.position),
    recordedAt: m.recordedAt,
    tenantId: m.tenantId,
    data: e.data as RecordedEvent['data'],
    metadata: m.metadata,
    prevHash: m.prevHash,
    hash: m.hash,
  };
}

export function matchesPrefixes(type: string, prefixes: string[] | undefined): boolean {
  return !prefixes?.length || prefixes.some((p) => type.startsWith(p));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The same checks as the PostgreSQL adapter, plus ESDB's reserved stream names. */
export function validateAppend(streamId: string, events: NewEvent[], expected: ExpectedVersion): void {
  if (!streamId || streamId.length > 512) throw new ValidationError('streamId must be 1-512 characters');
  if (streamId.startsWith('$') || streamId.startsWith(CLAIM_STREAM_PREFIX)) throw new ValidationError(`streamId must not start with "$" or "${CLAIM_STREAM_PREFIX}" (reserved)`);
  if (events.length === 0) throw new ValidationError('append needs at least one event');
  if (typeof expected === 'number' && (!Number.isInteger(expected) || expected < 0)) throw new ValidationError('expected version must be a non-negative integer');
  const ids = new Set<string>();
  for (const e of events) {
    if (!UUID.test(e.eventId)) throw new ValidationError(`eventId must be a lowercase UUID (got ${JSON.stringify(e.eventId)})`);
    if (ids.has(e.eventId)) throw new ValidationError(`eventId ${e.eventId} appears twice in one append`);
    ids.add(e.eventId);
    if (!e.type || e.type.startsWith('$') || !Number.isInteger(e.schemaVersion) || e.schemaVersion < 1) throw new ValidationError('each event needs a type (not starting with "$") and a schemaVersion >= 1');
    if (!e.tenantId) throw new ValidationError('each event needs a tenantId');
    if (!e.metadata?.actorId || !e.metadata.correlationId) throw new ValidationError('each event needs metadata.actorId and metadata.correlationId');
  }
}

/**
 * Positions known to be record boundaries in $all (seen on events). ESDB refuses a read that
 * starts inside a record (InvalidPosition), and callers may ask for `after: p - 1`; a read then
 * starts at the closest known boundary below. Bounded: the lowest entries are dropped first.
 */
export class KnownPositions {
  private sorted: number[] = [];

  constructor(private readonly capacity = 50_000) {}

  add(p: number): void {
    const s = this.sorted;
    if (s.length === 0 || p > s[s.length - 1]) s.push(p);
    else {
      const i = this.lowerBound(p);
      if (s[i] === p) return;
      s.splice(i, 0, p);
    }
    if (s.length > this.capacity) this.sorted = s.slice(s.length - Math.floor(this.capacity / 2));
  }

  has(p: number): boolean {
    return this.sorted[this.lowerBound(p)] === p;
  }

  /** The greatest known position <= p, if any. */
  floor(p: number): number | undefined {
    const s = this.sorted;
    const i = this.lowerBound(p);
    if (s[i] === p) return p;
    return i > 0 ? s[i - 1] : undefined;
  }

  get size(): number {
    return this.sorted.length;
  }

  private lowerBound(p: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
