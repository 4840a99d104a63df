import { isDeepStrictEqual } from 'node:util';
import type { Pool, PoolClient } from 'pg';
import {
  ConcurrencyError,
  ConflictError,
  GENESIS_HASH,
  InfrastructureError,
  ValidationError,
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

export interface PostgresEventStoreOptions {
  /** Clock for recordedAt. @defaultValue () => new Date() */
  now?: () => Date;
  /** Stream heads remembered to chain appends without a read. @defaultValue 10_000 */
  headCacheSize?: number;
  /** Instrumentation hook around append (the app wraps it in a span). */
  onAppend?: <T>(streamId: string, count: number, work: () => Promise<T>) => Promise<T>;
}

interface Head {
  version: number;
  hash: string;
}

interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  schema_version: number;
  tenant_id: string;
  data: RecordedEvent['data'];
  metadata: RecordedEvent['metadata'];
  recorded_at: string;
  prev_hash: string;
  hash: string;
}

// recorded_at is formatted by PostgreSQL exactly as it was hashed (ISO-8601, ms, Z).
const COLUMNS = `global_position, event_id::text, stream_id, version, type, schema_version, tenant_id,
  data, metadata, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, prev_hash, hash`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EXPECTED_ANY = -1;
const EXPECTED_STREAM_EXISTS = -2;
/** Bound on re-chaining when another writer moved the head under 'any'/'stream_exists'. */
const MAX_HEAD_RETRIES = 20;

/**
 * The PostgreSQL adapter of the EventStore port (schema from `eventStoreMigrations`).
 * Each append is one round trip to `event_store.append_events` in its own transaction.
 * Hashes are computed here, chained onto the stream head the adapter believes current; the
 * function checks that belief under the stream's row lock.
 */
export class PostgresEventStore implements EventStore {
  private readonly now: () => Date;
  private readonly heads = new Map<string, Head>();
  private readonly headCacheSize: number;
  private readonly onAppend: NonNullable<PostgresEventStoreOptions['onAppend']>;

  constructor(
    private readonly pool: Pool,
    options: PostgresEventStoreOptions = {},
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
    const expectedCode = expected === 'any' ? EXPECTED_ANY : expected === 'stream_exists' ? EXPECTED_STREAM_EXISTS : expected === 'no_stream' ? 0 : expected;
    let head = this.heads.get(streamId);
    if (!head || (typeof expectedCode === 'number' && expectedCode >= 0 && head.version !== expectedCode)) {
      head = expectedCode === 0 ? { version: 0, hash: GENESIS_HASH } : await this.readHead(streamId);
    }
    for (let attempt = 0; ; attempt++) {
      const recordedAt = this.now().toISOString();
      const recorded = chain(streamId, events, head, recordedAt);
      const payload = recorded.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        schemaVersion: e.schemaVersion,
        tenantId: e.tenantId,
        data: e.data,
        metadata: e.metadata,
        prevHash: e.prevHash,
        hash: e.hash,
      }));
      const row = await this.callAppend(streamId, expectedCode, head.hash, recordedAt, payload);
      switch (row.status) {
        case 'ok': {
          const positions = row.positions ?? [];
          if (positions.length !== recorded.length) throw new InfrastructureError('append_events returned no positions', false);
          recorded.forEach((e, i) => (e.globalPosition = positions[i]));
          this.remember(streamId, { version: row.version, hash: row.head_hash });
          return { nextExpectedVersion: row.version, lastGlobalPosition: recorded[recorded.length - 1].globalPosition, alreadyAppended: false, events: recorded };
        }
        case 'duplicate':
          return this.resolveDuplicate(streamId, events);
        case 'wrong_version':
          this.remember(streamId, { version: row.version, hash: row.head_hash });
          throw new ConcurrencyError(streamId, expected, row.version === 0 ? 'no_stream' : row.version);
        case 'stale_head':
          head = { version: row.version, hash: row.head_hash };
          this.remember(streamId, head);
          if (attempt >= MAX_HEAD_RETRIES) throw new ConcurrencyError(streamId, expected, row.version);
          continue;
        default:
          throw new InfrastructureError(`append_events returned unknown status ${String(row.status)}`, false);
      }
    }
  }

  private async callAppend(streamId: string, expected: number, prevHash: string, recordedAt: string, payload: unknown[]) {
    const client = await this.connect();
    try {
      const res = await client.query<{ status: string; version: number; head_hash: string; positions: number[] | null }>({
        name: 'event_store.append_events',
        text: 'SELECT status, version, head_hash, positions FROM event_store.append_events($1, $2, $3, $4, $5)',
        values: [streamId, expected, prevHash, recordedAt, JSON.stringify(payload)],
      });
      return { ...res.rows[0], positions: res.rows[0].positions?.map(Number) ?? null };
    } catch (error) {
      // An event id stored in another stream meanwhile: resolved like any duplicate.
      if ((error as PgLikeError).code === '23505') return { status: 'duplicate', version: 0, head_hash: GENESIS_HASH, positions: null };
      // A failure inside the sequencer's critical section would leave its session lock held.
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      throw translatePgError(error);
    } finally {
      client.release();
    }
  }

  /** Every id already stored: same stream and content → replayed append; anything else → conflict. */
  private async resolveDuplicate(streamId: string, events: NewEvent[]): Promise<AppendResult> {
    const ids = events.map((e) => e.eventId);
    const res = await this.query<EventRow>(`SELECT ${COLUMNS} FROM event_store.events WHERE event_id = ANY($1::uuid[]) ORDER BY global_position`, [ids]);
    const stored = new Map(res.rows.map((r) => [r.event_id, toRecorded(r)]));
    const same =
      stored.size === events.length &&
      events.every((e) => {
        const s = stored.get(e.eventId);
        return (
          s !== undefined &&
          s.streamId === streamId &&
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
    return { nextExpectedVersion: await this.streamVersion(streamId), lastGlobalPosition: last.globalPosition, alreadyAppended: true, events: recorded };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromVersion ?? 1;
    // With a limit, bound the range too (versions have no gaps): the plan then stays an index
    // range scan whatever the planner's statistics say.
    const res = await this.query<EventRow>(
      options.limit
        ? `SELECT ${COLUMNS} FROM event_store.events WHERE stream_id = $1 AND version >= $2 AND version < $2 + $3 ORDER BY version`
        : `SELECT ${COLUMNS} FROM event_store.events WHERE stream_id = $1 AND version >= $2 ORDER BY version`,
      options.limit ? [streamId, from, options.limit] : [streamId, from],
    );
    const events = res.rows.map(toRecorded);
    const last = events[events.length - 1];
    if (last && options.limit === undefined) this.remember(streamId, { version: last.version, hash: last.hash });
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const params: unknown[] = [options.after ?? 0, options.limit ?? 1000];
    let filter = '';
    if (options.typePrefixes?.length) {
      params.push(options.typePrefixes.map((p) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
      filter = 'AND type LIKE ANY($3::text[])';
    }
    // Only rows of transactions older than every running one: a gap-free, final prefix.
    const res = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM event_store.events
        WHERE global_position > $1 AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) ${filter}
        ORDER BY global_position LIMIT $2`,
      params,
    );
    return res.rows.map(toRecorded);
  }

  subscribeAll(options: SubscribeAllOptions): Subscription {
    return new PollingSubscription((after, limit) => this.readAll({ after, limit, typePrefixes: options.typePrefixes }), options);
  }

  /**
   * The highest global position committed so far (some lower positions may still be in flight).
   * What read-your-writes waits for: a projection caught up to it reflects every event
   * committed before the call.
   */
  async headPosition(): Promise<number> {
    const res = await this.query<{ head: string }>('SELECT coalesce(max(global_position), 0) AS head FROM event_store.events', []);
    return Number(res.rows[0].head);
  }

  /**
   * The highest global position below which the log is final (every lower position is
   * committed or will never exist): where a subscription that wants only new events starts.
   */
  async safeHeadPosition(): Promise<number> {
    const res = await this.query<{ head: string }>(
      'SELECT coalesce(max(global_position), 0) AS head FROM event_store.events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())',
      [],
    );
    return Number(res.rows[0].head);
  }

  async verifyStream(streamId: string): Promise<VerifyResult> {
    // Page through the stream so a long one verifies in bounded memory.
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
  }

  private async readHead(streamId: string): Promise<Head> {
    const res = await this.query<{ version: number; head_hash: string }>('SELECT version, head_hash FROM event_store.streams WHERE stream_id = $1', [streamId]);
    const head = res.rows[0] ? { version: res.rows[0].version, hash: res.rows[0].head_hash } : { version: 0, hash: GENESIS_HASH };
    return head;
  }

  private remember(streamId: string, head: Head): void {
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.headCacheSize) this.heads.delete(this.heads.keys().next().value as string);
  }

  private async query<R extends object>(sql: string, params: unknown[]) {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      throw translatePgError(error);
    }
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw translatePgError(error);
    }
  }
}

/** Builds the recorded events of a batch, chained onto `head`. globalPosition is filled on success. */
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

function toRecorded(r: EventRow): RecordedEvent {
  return {
    eventId: r.event_id,
    type: r.type,
    schemaVersion: r.schema_version,
    streamId: r.stream_id,
    version: r.version,
    globalPosition: Number(r.global_position),
    recordedAt: r.recorded_at,
    tenantId: r.tenant_id,
    data: r.data,
    metadata: r.metadata,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}


function validateAppend(streamId: string, events: NewEvent[], expected: ExpectedVersion): void {
  if (!streamId || streamId.length > 512) throw new ValidationError('streamId must be 1-512 characters');
  if (events.length === 0) throw new ValidationError('append needs at least one event');
  if (typeof expected === 'number' && (!Number.isInteger(expected) || expected < 0)) throw new ValidationError('expected version must be a non-negative integer');
  const ids = new Set<string>();
  for (const e of events) {
    if (!UUID.test(e.eventId)) throw new ValidationError(`eventId must be a lowercase UUID (got ${JSON.stringify(e.eventId)})`);
    if (ids.has(e.eventId)) throw new ValidationError(`eventId ${e.eventId} appears twice in one append`);
    ids.add(e.eventId);
    if (!e.type || !Number.isInteger(e.schemaVersion) || e.schemaVersion < 1) throw new ValidationError('each event needs a type and a schemaVersion >= 1');
    if (!e.tenantId) throw new ValidationError('each event needs a tenantId');
    if (!e.metadata?.actorId || !e.metadata.correlationId) throw new ValidationError('each event needs metadata.actorId and metadata.correlationId');
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
}

/** Maps driver errors to the kernel error set; connection-level failures are retriable. */
function translatePgError(error: unknown): Error {
  if (!(error instanceof Error)) return new InfrastructureError(String(error), false);
  const code = (error as PgLikeError).code;
  if (code === '22P05' || code === '22021' || code === '22P02') return new ValidationError(`event data is not storable: ${error.message}`);
  if (code && /^(08|57P|53)/.test(code)) return new InfrastructureError(`event store unavailable: ${error.message}`, true, 'store_unavailable', error);
  if (!code && /ECONNREFUSED|ECONNRESET|timeout|terminated/i.test(error.message)) {
    return new InfrastructureError(`event store unavailable: ${error.message}`, true, 'store_unavailable', error);
  }
  return error;
}

