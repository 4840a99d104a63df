import { NotFoundError } from '@custodian/kernel';
import { readModelAt, type ProjectionRunner } from '@custodian/projections';
import type { LocationContext, ShiftContext } from '@custodian/records/domain';
import type { Geofence } from '@custodian/scheduling/contracts';
import type { DataSource } from 'typeorm';

type ShiftRow = { shift_id: string; tenant_id: string; location_id: string; start_at: Date; end_at: Date; status: 'scheduled' | 'cancelled'; checklist_id: string; checklist_version: number; cleaner_ids: string[] };

/**
 * Reads what a record command is judged against from records' view of scheduling's published
 * events, after that view has applied everything committed before the request (so a cleaner
 * assigned a moment ago can clock in). A shift or location of another tenant is not found.
 */
export class JudgingContext {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projection: ProjectionRunner,
    private readonly committedHead: () => Promise<number>,
  ) {}

  async of(tenantId: string, shiftId: string): Promise<{ shift: ShiftContext; location: LocationContext }> {
    await readModelAt(this.projection, await this.committedHead());
    const rows = (await this.dataSource.query('SELECT * FROM records_rm.shifts WHERE shift_id = $1 AND tenant_id = $2', [shiftId, tenantId])) as ShiftRow[];
    const s = rows[0];
    if (!s) throw new NotFoundError('Shift not found', 'shift_not_found');
    const [checklist] = (await this.dataSource.query('SELECT area_kind, task_ids FROM records_rm.checklist_versions WHERE checklist_id = $1 AND version = $2', [s.checklist_id, s.checklist_version])) as Array<{
      area_kind: string;
      task_ids: string[];
    }>;
    const [loc] = (await this.dataSource.query('SELECT geofence, clock_in_policy FROM records_rm.locations WHERE location_id = $1 AND tenant_id = $2', [s.location_id, tenantId])) as Array<{
      geofence: Geofence;
      clock_in_policy: 'flag' | 'refuse';
    }>;
    if (!checklist || !loc) throw new NotFoundError('Shift not found', 'shift_not_found');
    const areas = (await this.dataSource.query('SELECT area_id, kind FROM records_rm.areas WHERE location_id = $1', [s.location_id])) as Array<{ area_id: string; kind: string }>;
    const codes = (await this.dataSource.query('SELECT code, area_id FROM records_rm.scan_points WHERE location_id = $1', [s.location_id])) as Array<{ code: string; area_id: string }>;
    return {
      shift: {
        shiftId: s.shift_id,
        tenantId: s.tenant_id,
        locationId: s.location_id,
        start: s.start_at.toISOString(),
        end: s.end_at.toISOString(),
        status: s.status,
        cleanerIds: s.cleaner_ids,
        checklist: { checklistId: s.checklist_id, version: s.checklist_version, areaKind: checklist.area_kind, taskIds: checklist.task_ids },
      },
      location: {
        geofence: loc.geofence,
        clockInPolicy: loc.clock_in_policy,
        areas: areas.map((a) => ({ areaId: a.area_id, kind: a.kind })),
        scanCodes: Object.fromEntries(codes.map((c) => [c.code, c.area_id])),
      },
    };
  }
}
