import type { PersonalDataCipher } from '@custodian/crypto';
import { NotFoundError, ValidationError, type ServiceRequest } from '@custodian/kernel';
import { decodeCursor, encodeCursor, pageLimit } from '@custodian/platform';
import { readModelAt, type ProjectionRunner } from '@custodian/projections';
import type { ListShiftsRequest, MyShiftsRequest, Page, ShiftRef, ShiftView } from '@custodian/scheduling/contracts';
import type { DataSource } from 'typeorm';
import { Caller, uuidOrUndefined } from '../infra/caller';
import type { SchedulingCommands } from '../infra/scheduling-store';
import { reasonSubject, shiftViewOf } from './shift-views';
import { MAX_SHIFT_HOURS } from '@custodian/scheduling/domain';

type ShiftRow = {
  shift_id: string;
  tenant_id: string;
  location_id: string;
  start_at: Date;
  end_at: Date;
  local_start: string;
  local_end: string;
  timezone: string;
  checklist_id: string;
  checklist_version: number;
  series_id: string | null;
  status: 'scheduled' | 'cancelled';
  reason_encrypted: string | null;
  cancelled_at: Date | null;
  cleaner_ids: string[];
};

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads of shifts. One shift comes from its stream (the source of truth); lists come from the
 * read model, after it has applied everything committed before the request, filtered to the
 * caller's locations (a named location outside them is 404) and ordered by start time.
 * `from`/`to` select shifts overlapping [from, to).
 */
export class ShiftQueriesHandler {
  constructor(
    private readonly commands: SchedulingCommands,
    private readonly dataSource: DataSource,
    private readonly projection: ProjectionRunner,
    private readonly committedHead: () => Promise<number>,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async get({ meta, body }: ServiceRequest<ShiftRef>): Promise<ShiftView> {
    const caller = Caller.of(meta);
    const notFound = () => new NotFoundError('Shift not found', 'shift_not_found');
    const shiftId = uuidOrUndefined(body.shiftId);
    if (!shiftId) throw notFound();
    const state = await this.commands.shift(shiftId);
    if (state.status === 'none' || state.tenantId !== caller.tenantId) throw notFound();
    caller.requireAt(state.locationId, 'read', notFound);
    return shiftViewOf(state, this.cipher);
  }

  async list({ meta, body }: ServiceRequest<ListShiftsRequest>): Promise<Page<ShiftView>> {
    const caller = Caller.of(meta);
    caller.requireLevel('read');
    const where: string[] = [];
    const params: unknown[] = [caller.tenantId];
    if (body.locationId !== undefined) {
      // A named location must be the tenant's and in scope: 404 alike for absent, foreign and out of scope.
      const locationId = uuidOrUndefined(body.locationId);
      if (!locationId || !caller.sees(locationId) || !(await this.locationExists(caller.tenantId, locationId))) throw new NotFoundError('Location not found', 'location_not_found');
      where.push(`s.location_id = $${params.push(locationId)}::uuid`);
    } else if (caller.locations !== 'all') {
      where.push(`s.location_id = ANY($${params.push(caller.locations)}::uuid[])`);
    }
    if (body.cleanerId !== undefined) {
      const cleanerId = uuidOrUndefined(body.cleanerId);
      if (!cleanerId) throw new ValidationError('cleanerId must be a user id', { field: 'cleanerId' });
      where.push(`EXISTS (SELECT 1 FROM scheduling_rm.shift_cleaners c WHERE c.shift_id = s.shift_id AND c.cleaner_id = $${params.push(cleanerId)}::uuid)`);
    }
    return this.page(params, where, body);
  }

  /** The caller's own shifts (as cleaner), whatever their grants: a cleaner always sees where to be. */
  async mine({ meta, body }: ServiceRequest<MyShiftsRequest>): Promise<Page<ShiftView>> {
    const caller = Caller.of(meta);
    const params: unknown[] = [caller.tenantId];
    const where = [`EXISTS (SELECT 1 FROM scheduling_rm.shift_cleaners c WHERE c.shift_id = s.shift_id AND c.cleaner_id = $${params.push(uuidOrUndefined(caller.userId) ?? '00000000-0000-0000-0000-000000000000')}::uuid)`];
    return this.page(params, where, body);
  }

  private async page(params: unknown[], where: string[], body: { from?: string; to?: string; limit?: number; cursor?: string }): Promise<Page<ShiftView>> {
    const limit = pageLimit(body.limit);
    const from = instant(body.from, 'from');
    const to = instant(body.to, 'to');
    if (from && to && Date.parse(to) <= Date.parse(from)) throw new ValidationError('to must be after from', { field: 'to' });
    // Overlap with [from, to); shifts last at most MAX_SHIFT_HOURS, which bounds the index range on start_at.
    if (to) where.push(`s.start_at < $${params.push(to)}::timestamptz`);
    if (from) {
      where.push(`s.end_at > $${params.push(from)}::timestamptz`);
      where.push(`s.start_at > $${params.push(new Date(Date.parse(from) - MAX_SHIFT_HOURS * 3_600_000).toISOString())}::timestamptz`);
    }
    if (body.cursor) {
      const [at, id] = decodeCursor(body.cursor);
      where.push(`(s.start_at, s.shift_id) > ($${params.push(at)}::timestamptz, $${params.push(id)}::uuid)`);
    }
    await readModelAt(this.projection, await this.committedHead());
    const rows = (await this.dataSource.query(
      `SELECT s.*, ARRAY(SELECT c.cleaner_id::text FROM scheduling_rm.shift_cleaners c WHERE c.shift_id = s.shift_id ORDER BY c.cleaner_id) AS cleaner_ids
         FROM scheduling_rm.shifts s
        WHERE s.tenant_id = $1 ${where.map((w) => `AND ${w}`).join(' ')}
        ORDER BY s.start_at, s.shift_id
        LIMIT $${params.push(limit + 1)}`,
      params,
    )) as ShiftRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: await Promise.all(page.map((r) => this.viewOf(r))), nextCursor: rows.length > limit && last ? encodeCursor(last.start_at, last.shift_id) : null };
  }

  private async locationExists(tenantId: string, locationId: string): Promise<boolean> {
    await readModelAt(this.projection, await this.committedHead());
    const rows = (await this.dataSource.query('SELECT 1 FROM scheduling_rm.locations WHERE tenant_id = $1 AND location_id = $2', [tenantId, locationId])) as unknown[];
    return rows.length > 0;
  }

  private async viewOf(r: ShiftRow): Promise<ShiftView> {
    const view: ShiftView = {
      shiftId: r.shift_id,
      locationId: r.location_id,
      start: r.start_at.toISOString(),
      end: r.end_at.toISOString(),
      localStart: r.local_start,
      localEnd: r.local_end,
      timezone: r.timezone,
      checklist: { checklistId: r.checklist_id, version: r.checklist_version },
      seriesId: r.series_id,
      cleanerIds: r.cleaner_ids,
      status: r.status,
    };
    if (r.status === 'cancelled' && r.reason_encrypted && r.cancelled_at) {
      const reason = await this.cipher.decrypt(r.tenant_id, reasonSubject(r.shift_id), r.reason_encrypted);
      view.cancellation = { reason: reason ?? '[erased]', cancelledAt: r.cancelled_at.toISOString() };
    }
    return view;
  }
}

function instant(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !INSTANT.test(value) || Number.isNaN(Date.parse(value))) throw new ValidationError(`${field} must be an ISO-8601 instant with an offset or Z`, { field });
  return new Date(value).toISOString();
}
