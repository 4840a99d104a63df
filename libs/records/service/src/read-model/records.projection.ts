import type { EntityManager } from 'typeorm';
import { assertNever, type RecordedEvent } from '@custodian/kernel';
import type { Projection } from '@custodian/projections';
import { upcastRecordsEvent } from '@custodian/records/contracts';
import { upcastSchedulingEvent } from '@custodian/scheduling/contracts';

/**
 * Builds records_rm.records from records events (in the records store, which may be
 * EventStoreDB). Upserts and keyed updates only, so applying the log from zero reproduces the rows.
 */
export const recordsProjection: Projection = {
  name: 'records.read-model.v1',
  typePrefixes: ['records.'],
  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = upcastRecordsEvent(recorded);
    const q = (sql: string, params: unknown[]) => manager.query(sql, params);
    const d = event.data;
    switch (event.type) {
      case 'records.CleaningStarted':
        await q(
          `INSERT INTO records_rm.records (record_id, tenant_id, shift_id, location_id, cleaner_id, status, started_at, flag_count)
           VALUES ($1,$2,$3,$4,$5,'in_progress',$6,$7) ON CONFLICT (record_id) DO NOTHING`,
          [event.data.recordId, event.data.tenantId, event.data.shiftId, event.data.locationId, event.data.cleanerId, event.data.clockIn.at, event.data.flags.length],
        );
        return;
      case 'records.TaskCompleted':
        await q('UPDATE records_rm.records SET flag_count = flag_count + $2 WHERE record_id = $1', [d.recordId, event.data.flags.length]);
        return;
      case 'records.ClockedOut':
        await q(`UPDATE records_rm.records SET status = 'clocked_out', clocked_out_at = $2, flag_count = flag_count + $3 WHERE record_id = $1`, [d.recordId, event.data.clockOut.at, event.data.flags.length]);
        return;
      case 'records.RecordSealed':
        await q(`UPDATE records_rm.records SET status = 'sealed', sealed_at = $2 WHERE record_id = $1`, [d.recordId, event.data.sealedAt]);
        return;
      case 'records.RecordCorrected':
        await q('UPDATE records_rm.records SET correction_count = correction_count + 1 WHERE record_id = $1', [d.recordId]);
        return;
      case 'records.IssueReported':
      case 'records.InspectionRecorded':
        return;
      default:
        return assertNever(event, 'event');
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query('DELETE FROM records_rm.records;');
  },
};

/**
 * Builds the judging context — shifts, sites, areas, scan codes, checklist versions — from
 * scheduling's published events in the platform's PostgreSQL log (records never reads
 * scheduling's tables). Upserts and keyed updates only.
 */
export const recordsContextProjection: Projection = {
  name: 'records.context.v1',
  typePrefixes: ['scheduling.'],
  apply: (recorded: RecordedEvent, manager: EntityManager) => applyScheduling(recorded, manager),
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(
      'DELETE FROM records_rm.shifts; DELETE FROM records_rm.locations; DELETE FROM records_rm.areas; DELETE FROM records_rm.scan_points; DELETE FROM records_rm.checklist_versions;',
    );
  },
};

async function applyScheduling(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
  const event = upcastSchedulingEvent(recorded);
  const q = (sql: string, params: unknown[]) => manager.query(sql, params);
  switch (event.type) {
    case 'scheduling.LocationRegistered':
      await q('INSERT INTO records_rm.locations (location_id, tenant_id, geofence, clock_in_policy) VALUES ($1,$2,$3,$4) ON CONFLICT (location_id) DO NOTHING', [
        event.data.locationId,
        event.data.tenantId,
        JSON.stringify(event.data.geofence),
        event.data.clockInPolicy,
      ]);
      return;
    case 'scheduling.AreaAdded':
      await q('INSERT INTO records_rm.areas (area_id, location_id, kind) VALUES ($1,$2,$3) ON CONFLICT (area_id) DO NOTHING', [event.data.areaId, event.data.locationId, event.data.kind]);
      return;
    case 'scheduling.ScanPointIssued':
    case 'scheduling.ScanPointRotated':
      await q(
        `INSERT INTO records_rm.scan_points (scan_point_id, location_id, area_id, code) VALUES ($1,$2,$3,$4)
         ON CONFLICT (scan_point_id) DO UPDATE SET code = EXCLUDED.code`,
        [event.data.scanPointId, event.data.locationId, event.data.areaId, event.data.code],
      );
      return;
    case 'scheduling.ChecklistCreated':
    case 'scheduling.ChecklistRevised':
      await q('INSERT INTO records_rm.checklist_versions (checklist_id, version, area_kind, task_ids) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING', [
        event.data.checklistId,
        event.data.version,
        event.data.areaKind,
        event.data.tasks.map((t) => t.taskId),
      ]);
      return;
    case 'scheduling.ShiftScheduled':
      await q(
        `INSERT INTO records_rm.shifts (shift_id, tenant_id, location_id, start_at, end_at, status, checklist_id, checklist_version)
         VALUES ($1,$2,$3,$4,$5,'scheduled',$6,$7) ON CONFLICT (shift_id) DO NOTHING`,
        [event.data.shiftId, event.data.tenantId, event.data.locationId, event.data.start, event.data.end, event.data.checklist.checklistId, event.data.checklist.version],
      );
      return;
    case 'scheduling.CleanerAssigned':
      await q('UPDATE records_rm.shifts SET cleaner_ids = array_append(array_remove(cleaner_ids, $2::uuid), $2::uuid) WHERE shift_id = $1', [event.data.shiftId, event.data.cleanerId]);
      return;
    case 'scheduling.CleanerUnassigned':
      await q('UPDATE records_rm.shifts SET cleaner_ids = array_remove(cleaner_ids, $2::uuid) WHERE shift_id = $1', [event.data.shiftId, event.data.cleanerId]);
      return;
    case 'scheduling.ShiftRescheduled':
      await q('UPDATE records_rm.shifts SET start_at = $2, end_at = $3 WHERE shift_id = $1', [event.data.shiftId, event.data.start, event.data.end]);
      return;
    case 'scheduling.ShiftCancelled':
      await q(`UPDATE records_rm.shifts SET status = 'cancelled' WHERE shift_id = $1`, [event.data.shiftId]);
      return;
    default:
      return;
  }
}
