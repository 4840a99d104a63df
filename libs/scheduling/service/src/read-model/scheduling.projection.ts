import type { EntityManager } from 'typeorm';
import { assertNever, type RecordedEvent } from '@custodian/kernel';
import type { Projection } from '@custodian/projections';
import { upcastIdentityEvent } from '@custodian/identity/contracts';
import { upcastSchedulingEvent } from '@custodian/scheduling/contracts';

/**
 * Builds scheduling_rm.* from scheduling events, and `people` from identity's published events
 * (registration, `records` grants, disable/enable): scheduling never reads identity's tables.
 * Every write is an upsert or keyed update, so applying the log from zero reproduces the rows.
 */
export const schedulingProjection: Projection = {
  name: 'scheduling.read-model.v1',
  typePrefixes: ['scheduling.', 'identity.'],
  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    if (recorded.type.startsWith('identity.')) return applyIdentity(recorded, manager);
    const event = upcastSchedulingEvent(recorded);
    const q = (sql: string, params: unknown[]) => manager.query(sql, params);
    switch (event.type) {
      case 'scheduling.LocationRegistered': {
        const d = event.data;
        await q(
          `INSERT INTO scheduling_rm.locations (location_id, tenant_id, name, address, timezone, sensitivity, geofence, clock_in_policy, registered_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (location_id) DO NOTHING`,
          [d.locationId, d.tenantId, d.name, d.address, d.timezone, d.sensitivity, JSON.stringify(d.geofence), d.clockInPolicy, d.registeredAt],
        );
        return;
      }
      case 'scheduling.AreaAdded': {
        const d = event.data;
        await q(`INSERT INTO scheduling_rm.areas (area_id, location_id, tenant_id, name, kind, added_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (area_id) DO NOTHING`, [d.areaId, d.locationId, d.tenantId, d.name, d.kind, d.addedAt]);
        return;
      }
      case 'scheduling.ScanPointIssued': {
        const d = event.data;
        await q(
          `INSERT INTO scheduling_rm.scan_points (scan_point_id, area_id, location_id, tenant_id, method, code, issued_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (scan_point_id) DO NOTHING`,
          [d.scanPointId, d.areaId, d.locationId, d.tenantId, d.method, d.code, d.issuedAt],
        );
        return;
      }
      case 'scheduling.ScanPointRotated':
        await q(`UPDATE scheduling_rm.scan_points SET code = $2, rotated_at = $3 WHERE scan_point_id = $1`, [event.data.scanPointId, event.data.code, event.data.rotatedAt]);
        return;
      case 'scheduling.ChecklistCreated':
      case 'scheduling.ChecklistRevised': {
        const d = event.data;
        const at = event.type === 'scheduling.ChecklistCreated' ? event.data.createdAt : event.data.revisedAt;
        await q(`UPDATE scheduling_rm.checklists SET latest = false WHERE checklist_id = $1 AND version <> $2`, [d.checklistId, d.version]);
        await q(
          `INSERT INTO scheduling_rm.checklists (checklist_id, version, tenant_id, name, area_kind, tasks, created_at, latest) VALUES ($1,$2,$3,$4,$5,$6,$7,true)
           ON CONFLICT (checklist_id, version) DO NOTHING`,
          [d.checklistId, d.version, d.tenantId, d.name, d.areaKind, JSON.stringify(d.tasks), at],
        );
        return;
      }
      case 'scheduling.ShiftScheduled': {
        const d = event.data;
        await q(
          `INSERT INTO scheduling_rm.shifts (shift_id, tenant_id, location_id, start_at, end_at, local_start, local_end, timezone, checklist_id, checklist_version, series_id, status)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,'scheduled') ON CONFLICT (shift_id) DO NOTHING`,
          [d.shiftId, d.tenantId, d.locationId, d.start, d.end, d.localStart, d.localEnd, d.timezone, d.checklist.checklistId, d.checklist.version, d.seriesId],
        );
        return;
      }
      case 'scheduling.CleanerAssigned':
        await q(
          `INSERT INTO scheduling_rm.shift_cleaners (shift_id, cleaner_id, tenant_id, start_at)
           SELECT shift_id, $2, tenant_id, start_at FROM scheduling_rm.shifts WHERE shift_id = $1 ON CONFLICT DO NOTHING`,
          [event.data.shiftId, event.data.cleanerId],
        );
        return;
      case 'scheduling.CleanerUnassigned':
        await q(`DELETE FROM scheduling_rm.shift_cleaners WHERE shift_id = $1 AND cleaner_id = $2`, [event.data.shiftId, event.data.cleanerId]);
        return;
      case 'scheduling.ShiftRescheduled': {
        const d = event.data;
        await q(`UPDATE scheduling_rm.shifts SET start_at = $2, end_at = $3, local_start = $4, local_end = $5 WHERE shift_id = $1`, [d.shiftId, d.start, d.end, d.localStart, d.localEnd]);
        await q(`UPDATE scheduling_rm.shift_cleaners SET start_at = $2 WHERE shift_id = $1`, [d.shiftId, d.start]);
        return;
      }
      case 'scheduling.ShiftCancelled':
        await q(`UPDATE scheduling_rm.shifts SET status = 'cancelled', reason_encrypted = $2, cancelled_at = $3 WHERE shift_id = $1`, [event.data.shiftId, event.data.reasonEncrypted, event.data.cancelledAt]);
        return;
      case 'scheduling.CleanerBooked':
      case 'scheduling.CleanerBookingMoved':
      case 'scheduling.CleanerBookingReleased':
        return;
      default:
        return assertNever(event, 'event');
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(
      'DELETE FROM scheduling_rm.shift_cleaners; DELETE FROM scheduling_rm.shifts; DELETE FROM scheduling_rm.checklists; DELETE FROM scheduling_rm.scan_points; DELETE FROM scheduling_rm.areas; DELETE FROM scheduling_rm.locations; DELETE FROM scheduling_rm.people;',
    );
  },
};

/** The identity facts scheduling needs: who exists, is enabled, and may record cleaning where. */
async function applyIdentity(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
  const event = upcastIdentityEvent(recorded);
  switch (event.type) {
    case 'identity.UserRegistered':
    case 'identity.UserInvited':
      await manager.query(`INSERT INTO scheduling_rm.people (user_id, tenant_id, disabled) VALUES ($1, $2, false) ON CONFLICT (user_id) DO NOTHING`, [event.data.userId, event.data.tenantId]);
      return;
    case 'identity.ModuleAccessGranted':
      if (event.data.module !== 'records') return;
      await manager.query(`UPDATE scheduling_rm.people SET records_access = $2, records_locations = $3 WHERE user_id = $1`, [event.data.userId, event.data.access, JSON.stringify(event.data.locations)]);
      return;
    case 'identity.ModuleAccessRevoked':
      if (event.data.module !== 'records') return;
      await manager.query(`UPDATE scheduling_rm.people SET records_access = NULL, records_locations = NULL WHERE user_id = $1`, [event.data.userId]);
      return;
    case 'identity.UserDisabled':
      await manager.query(`UPDATE scheduling_rm.people SET disabled = true WHERE user_id = $1`, [event.data.userId]);
      return;
    case 'identity.UserEnabled':
      await manager.query(`UPDATE scheduling_rm.people SET disabled = false WHERE user_id = $1`, [event.data.userId]);
      return;
    default:
      return;
  }
}
