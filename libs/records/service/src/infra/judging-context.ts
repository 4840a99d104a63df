import { NotFoundError } from '@custodian/kernel';
import { readModelAt, type ProjectionRunner } from '@custodian/projections';
import type { LocationContext, ShiftContext } from '@custodian/records/domain';
import type { Geofence } from '@custodian/scheduling/contracts';
import type { DataSource } from 'typeorm';

type ShiftRow = { shift_id: string; tenant_id: string; location_id: string; start_at: Date; end_at: Date; status: 'scheduled' | 'cancelled'; checklist_id: string; checklist_version: number; cleaner_ids: string[] };

/** Refusals a stale context could cause: worth one retry on a context that is surely current. */
export const CONTEXT_SENSITIVE_CODES = new Set(['shift_not_found', 'not_assigned', 'unknown_scan_code', 'area_not_in_location', 'area_not_in_checklist', 'task_not_in_checklist']);

type ContextRow = ShiftRow & { area_kind: string | null; task_ids: string[] | null; geofence: Geofence | null; clock_in_policy: 'flag' | 'refuse' | null; areas: Array<{ area_id: string; kind: string }>; codes: Array<{ code: string; area_id: string }> };

/**
 * Reads what a record command is judged against from records' view of scheduling's published
 * events, in one query. `current: false` reads the view as it is (at most a projection tick
 * behind); `current: true` first waits until it has applied everything committed before the
 * call. Callers use the first and, when a command is refused for a reason a stale view could
 * explain (CONTEXT_SENSITIVE_CODES), retry once with the second — so a cleaner assigned a moment
 * ago can clock in, and the common path costs one query. A shift or location of another tenant
 * is not found.
 */
export class JudgingContext {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projection: ProjectionRunner,
    private readonly committedHead: () => Promise<number>,
  ) {}

  async of(tenantId: string, shiftId: string, { current }: { current: boolean }): Promise<{ shift: ShiftContext; location: LocationContext }> {
    if (current) await readModelAt(this.projection, await this.committedHead());
    const rows = (await this.dataSource.query(
      `SELECT s.*, c.area_kind, c.task_ids, l.geofence, l.clock_in_policy,
              COALESCE((SELECT json_agg(json_build_object('area_id', a.area_id, 'kind', a.kind)) FROM records_rm.areas a WHERE a.location_id = s.location_id), '[]') AS areas,
              COALESCE((SELECT json_agg(json_build_object('code', p.code, 'area_id', p.area_id)) FROM records_rm.scan_points p WHERE p.location_id = s.location_id), '[]') AS codes
         FROM records_rm.shifts s
         LEFT JOIN records_rm.checklist_versions c ON c.checklist_id = s.checklist_id AND c.version = s.checklist_version
         LEFT JOIN records_rm.locations l ON l.location_id = s.location_id AND l.tenant_id = s.tenant_id
        WHERE s.shift_id = $1 AND s.tenant_id = $2`,
      [shiftId, tenantId],
    )) as ContextRow[];
    const s = rows[0];
    if (!s || s.area_kind === null || s.task_ids === null || s.geofence === null || s.clock_in_policy === null) throw new NotFoundError('Shift not found', 'shift_not_found');
    return {
      shift: {
        shiftId: s.shift_id,
        tenantId: s.tenant_id,
        locationId: s.location_id,
        start: s.start_at.toISOString(),
        end: s.end_at.toISOString(),
        status: s.status,
        cleanerIds: s.cleaner_ids,
        checklist: { checklistId: s.checklist_id, version: s.checklist_version, areaKind: s.area_kind, taskIds: s.task_ids },
      },
      location: {
        geofence: s.geofence,
        clockInPolicy: s.clock_in_policy,
        areas: s.areas.map((a) => ({ areaId: a.area_id, kind: a.kind })),
        scanCodes: Object.fromEntries(s.codes.map((c) => [c.code, c.area_id])),
      },
    };
  }
}
