import type { PersonalDataCipher } from '@custodian/crypto';
import { NotFoundError, ValidationError, type EventStore, type RecordedEvent, type RequestMeta, type ServiceRequest } from '@custodian/kernel';
import { decodeCursor, encodeCursor, ModuleCaller, pageLimit, uuidOrUndefined } from '@custodian/platform';
import { readModelAt, type ProjectionRunner } from '@custodian/projections';
import {
  recordStreamId,
  type GetRecordRequest,
  type HistoryEntry,
  type HistoryResponse,
  type ListRecordsRequest,
  type ListRecordsResponse,
  type RecordExport,
  type RecordRef,
  type RecordStatus,
  type RecordView,
  type VerifyResponse,
} from '@custodian/records/contracts';
import type { DataSource } from 'typeorm';
import { recordSubject, recordViewOf } from './record-view';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const STATUSES: RecordStatus[] = ['in_progress', 'clocked_out', 'sealed'];
const ENCRYPTED_FIELDS = ['notesEncrypted', 'descriptionEncrypted', 'reasonEncrypted'];

type Row = { record_id: string; shift_id: string; location_id: string; cleaner_id: string; status: RecordStatus; started_at: Date; clocked_out_at: Date | null; sealed_at: Date | null; flag_count: number; correction_count: number };

/**
 * Reads of records (`records:read`, location-scoped; integrators' API keys may read). One
 * record and its history come from its stream, the source of truth; `asOf` folds only the
 * events recorded up to that instant. Lists come from the read model.
 */
export class RecordQueriesHandler {
  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly projection: ProjectionRunner,
    private readonly committedHead: () => Promise<number>,
    private readonly cipher: PersonalDataCipher,
    /** The judging-context read model (sites come from scheduling's events) and the head of its log. */
    private readonly context: { runner: ProjectionRunner; head: () => Promise<number> },
  ) {}

  async get({ meta, body }: ServiceRequest<GetRecordRequest>): Promise<RecordView> {
    const { events } = await this.readable(meta, body.recordId);
    if (body.asOf === undefined) return (await recordViewOf(events, this.cipher, null)) as RecordView;
    const asOf = instant(body.asOf, 'asOf');
    const view = await recordViewOf(
      events.filter((e) => Date.parse(e.recordedAt) <= Date.parse(asOf)),
      this.cipher,
      asOf,
    );
    if (!view) throw new NotFoundError('The record did not exist at that instant', 'record_not_found');
    return view;
  }

  async history({ meta, body }: ServiceRequest<RecordRef>): Promise<HistoryResponse> {
    const { recordId, events } = await this.readable(meta, body.recordId);
    const entries: HistoryEntry[] = [];
    for (const e of events) {
      const decrypted: Record<string, string | null> = {};
      for (const field of ENCRYPTED_FIELDS) {
        const value = e.data[field];
        if (typeof value === 'string') decrypted[field.replace(/Encrypted$/, '')] = await this.cipher.decrypt(e.tenantId, recordSubject(recordId), value);
      }
      entries.push({ version: e.version, type: e.type, recordedAt: e.recordedAt, actorId: e.metadata.actorId, actorIp: e.metadata.actorIp ?? null, data: e.data, decrypted, prevHash: e.prevHash, hash: e.hash });
    }
    return { recordId, streamId: recordStreamId(recordId), events: entries };
  }

  async verify({ meta, body }: ServiceRequest<RecordRef>): Promise<VerifyResponse> {
    const { recordId } = await this.readable(meta, body.recordId);
    const result = await this.store.verifyStream(recordStreamId(recordId));
    return result.ok ? { ok: true, events: result.events, headHash: result.headHash } : { ok: false, events: result.events, brokenAtVersion: result.brokenAtVersion, reason: result.reason };
  }

  /** Every event as stored, with its hashes: what `npx custodian verify record <file>` checks offline. */
  async export({ meta, body }: ServiceRequest<RecordRef>): Promise<RecordExport> {
    const { recordId, events } = await this.readable(meta, body.recordId);
    const last = events[events.length - 1];
    return {
      format: 'custodian.record-export.v1',
      recordId,
      streamId: recordStreamId(recordId),
      exportedAt: new Date().toISOString(),
      headHash: last.hash,
      events: events.map((e) => ({ ...e }) as unknown as Record<string, unknown>),
    };
  }

  async list({ meta, body }: ServiceRequest<ListRecordsRequest>): Promise<ListRecordsResponse> {
    const caller = ModuleCaller.of(meta, 'records');
    caller.requireLevel('read');
    const limit = pageLimit(body.limit);
    const params: unknown[] = [caller.tenantId];
    const where: string[] = [];
    if (body.locationId !== undefined) {
      const locationId = uuidOrUndefined(body.locationId);
      // Absent, foreign and out of scope alike: 404 (a tenant-wide caller too).
      if (!locationId || !caller.sees(locationId) || !(await this.locationExists(caller.tenantId, locationId))) throw new NotFoundError('Location not found', 'location_not_found');
      where.push(`location_id = $${params.push(locationId)}::uuid`);
    } else if (caller.locations !== 'all') {
      where.push(`location_id = ANY($${params.push(caller.locations)}::uuid[])`);
    }
    if (body.status !== undefined) {
      if (!STATUSES.includes(body.status)) throw new ValidationError(`status must be one of ${STATUSES.join(', ')}`, { field: 'status' });
      where.push(`status = $${params.push(body.status)}`);
    }
    if (body.flagged !== undefined) where.push(body.flagged ? 'flag_count > 0' : 'flag_count = 0');
    if (body.from !== undefined) where.push(`started_at >= $${params.push(instant(body.from, 'from'))}::timestamptz`);
    if (body.to !== undefined) where.push(`started_at < $${params.push(instant(body.to, 'to'))}::timestamptz`);
    if (body.cursor) {
      const [at, id] = decodeCursor(body.cursor);
      where.push(`(started_at, record_id) > ($${params.push(at)}::timestamptz, $${params.push(id)}::uuid)`);
    }
    await readModelAt(this.projection, await this.committedHead());
    const rows = (await this.dataSource.query(
      `SELECT * FROM records_rm.records WHERE tenant_id = $1 ${where.map((w) => `AND ${w}`).join(' ')} ORDER BY started_at, record_id LIMIT $${params.push(limit + 1)}`,
      params,
    )) as Row[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        recordId: r.record_id,
        shiftId: r.shift_id,
        locationId: r.location_id,
        cleanerId: r.cleaner_id,
        status: r.status,
        startedAt: r.started_at.toISOString(),
        clockedOutAt: r.clocked_out_at ? r.clocked_out_at.toISOString() : null,
        sealedAt: r.sealed_at ? r.sealed_at.toISOString() : null,
        flagCount: r.flag_count,
        correctionCount: r.correction_count,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.started_at, last.record_id) : null,
    };
  }

  /** Locations are scheduling's: records knows them from its judging context. */
  private async locationExists(tenantId: string, locationId: string): Promise<boolean> {
    await readModelAt(this.context.runner, await this.context.head());
    const rows = (await this.dataSource.query('SELECT 1 FROM records_rm.locations WHERE location_id = $1 AND tenant_id = $2', [locationId, tenantId])) as unknown[];
    return rows.length > 0;
  }

  private async readable(meta: RequestMeta, rawRecordId: string): Promise<{ recordId: string; events: RecordedEvent[] }> {
    const caller = ModuleCaller.of(meta, 'records');
    const notFound = () => new NotFoundError('Record not found', 'record_not_found');
    const recordId = uuidOrUndefined(rawRecordId);
    if (!recordId) throw notFound();
    const events = await this.store.readStream(recordStreamId(recordId));
    const first = events[0];
    if (!first || first.tenantId !== caller.tenantId) throw notFound();
    caller.requireAt(String(first.data['locationId']), 'read', notFound);
    return { recordId, events };
  }
}

function instant(value: unknown, field: string): string {
  if (typeof value !== 'string' || !INSTANT.test(value) || Number.isNaN(Date.parse(value))) throw new ValidationError(`${field} must be an ISO-8601 instant with an offset or Z`, { field });
  return new Date(value).toISOString();
}
