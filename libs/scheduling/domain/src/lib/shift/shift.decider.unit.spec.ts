import { ConflictError, foldEvents, IllegalStateError, NotFoundError, ValidationError } from '@custodian/kernel';
import type { CleanerAssigned, CleanerUnassigned, ShiftCancelled, ShiftRescheduled, ShiftScheduled, ShiftTime } from '@custodian/scheduling/contracts';
import { deciderSpec } from '@custodian/testing';
import type { AssignCleaner, CancelShift, RescheduleShift, ScheduleShift, UnassignCleaner } from './shift.commands';
import { existingShift, MAX_CLEANERS_PER_SHIFT, shiftDecider } from './shift.decider';

const spec = deciderSpec(shiftDecider);
const tenantId = 'tenant-1';
const otherTenant = 'tenant-2';
const shiftId = 'shift-1';
const locationId = 'location-1';
const seriesId = 'series-1';
const checklist = { checklistId: 'checklist-1', version: 2 };
const reasonEncrypted = 'v1.k-1.nonce.ciphertext.tag';

/** A 22:00–06:00 Europe/London night shift. */
const time: ShiftTime = { start: '2027-03-21T22:00:00.000Z', end: '2027-03-22T06:00:00.000Z', localStart: '2027-03-21T22:00:00', localEnd: '2027-03-22T06:00:00', timezone: 'Europe/London' };
/** The same shift an hour later. */
const moved: ShiftTime = { start: '2027-03-21T23:00:00.000Z', end: '2027-03-22T07:00:00.000Z', localStart: '2027-03-21T23:00:00', localEnd: '2027-03-22T07:00:00', timezone: 'Europe/London' };

// ---- instants relative to the shift ----
const scheduledAt = '2027-03-10T12:00:00.000Z';
const beforeStart = '2027-03-21T21:59:59.000Z';
const atStart = time.start;
const duringShift = '2027-03-22T02:00:00.000Z';
const atEnd = time.end;

// ---- commands ----
const schedule = (overrides: Partial<ScheduleShift['data']> = {}): ScheduleShift => ({
  type: 'ScheduleShift',
  data: { tenantId, shiftId, locationId, time, checklist, seriesId, cleanerIds: [], at: scheduledAt, ...overrides },
});
const assign = (cleanerId: string, at = scheduledAt, overrides: Partial<AssignCleaner['data']> = {}): AssignCleaner => ({
  type: 'AssignCleaner',
  data: { tenantId, shiftId, cleanerId, at, ...overrides },
});
const unassign = (cleanerId: string, at = scheduledAt, overrides: Partial<UnassignCleaner['data']> = {}): UnassignCleaner => ({
  type: 'UnassignCleaner',
  data: { tenantId, shiftId, cleanerId, at, ...overrides },
});
const reschedule = (to: ShiftTime, at = scheduledAt, overrides: Partial<RescheduleShift['data']> = {}): RescheduleShift => ({
  type: 'RescheduleShift',
  data: { tenantId, shiftId, time: to, at, ...overrides },
});
const cancel = (at = scheduledAt, overrides: Partial<CancelShift['data']> = {}): CancelShift => ({
  type: 'CancelShift',
  data: { tenantId, shiftId, reasonEncrypted, at, ...overrides },
});

// ---- events ----
const scheduled = (overrides: Partial<ShiftScheduled['data']> = {}): ShiftScheduled => ({
  type: 'scheduling.ShiftScheduled',
  schemaVersion: 1,
  data: { tenantId, shiftId, locationId, ...time, checklist, seriesId, scheduledAt, ...overrides },
});
const assigned = (cleanerId: string, assignedAt = scheduledAt): CleanerAssigned => ({
  type: 'scheduling.CleanerAssigned',
  schemaVersion: 1,
  data: { tenantId, shiftId, cleanerId, assignedAt },
});
const unassigned = (cleanerId: string, unassignedAt = scheduledAt): CleanerUnassigned => ({
  type: 'scheduling.CleanerUnassigned',
  schemaVersion: 1,
  data: { tenantId, shiftId, cleanerId, unassignedAt },
});
const rescheduled = (to: ShiftTime, rescheduledAt = scheduledAt): ShiftRescheduled => ({
  type: 'scheduling.ShiftRescheduled',
  schemaVersion: 1,
  data: { tenantId, shiftId, start: to.start, end: to.end, localStart: to.localStart, localEnd: to.localEnd, rescheduledAt },
});
const cancelled = (cancelledAt = scheduledAt): ShiftCancelled => ({
  type: 'scheduling.ShiftCancelled',
  schemaVersion: 1,
  data: { tenantId, shiftId, reasonEncrypted, cancelledAt },
});

const cleaners = (n: number) => Array.from({ length: n }, (_, i) => `cleaner-${i + 1}`);

describe('shiftDecider', () => {
  describe('ScheduleShift', () => {
    it('schedules a shift without cleaners', () => {
      spec.given([]).when(schedule()).then([scheduled()]);
    });

    it('schedules a shift with its cleaners, one assignment each, in order', () => {
      spec
        .given([])
        .when(schedule({ cleanerIds: ['cleaner-a', 'cleaner-b'] }))
        .then([scheduled(), assigned('cleaner-a'), assigned('cleaner-b')]);
    });

    it('takes absent cleanerIds as none and a missing series as null', () => {
      spec
        .given([])
        .when(schedule({ cleanerIds: undefined as unknown as string[], seriesId: undefined as unknown as null }))
        .then([scheduled({ seriesId: null })]);
    });

    it('assigns a cleaner listed twice once', () => {
      spec
        .given([])
        .when(schedule({ cleanerIds: ['cleaner-a', 'cleaner-b', 'cleaner-a'] }))
        .then([scheduled(), assigned('cleaner-a'), assigned('cleaner-b')]);
    });

    it('holds its time, checklist, series and cleaners', () => {
      spec
        .given([])
        .when(schedule({ cleanerIds: ['cleaner-a'] }))
        .thenState({ status: 'scheduled', tenantId, shiftId, locationId, time, checklist, seriesId, cleanerIds: ['cleaner-a'], cancellation: null });
    });

    it(`accepts ${MAX_CLEANERS_PER_SHIFT} cleaners and refuses more`, () => {
      const fifty = cleaners(MAX_CLEANERS_PER_SHIFT);
      spec.given([]).when(schedule({ cleanerIds: fifty })).then([scheduled(), ...fifty.map((c) => assigned(c))]);
      spec.given([]).when(schedule({ cleanerIds: cleaners(MAX_CLEANERS_PER_SHIFT + 1) })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses a blank cleaner id or a list that is not one', () => {
      spec.given([]).when(schedule({ cleanerIds: ['cleaner-a', ''] })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(schedule({ cleanerIds: 'cleaner-a' as unknown as string[] })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses a shift starting in the past', () => {
      spec.given([]).when(schedule({ at: '2027-03-21T22:00:01.000Z' })).thenThrows(IllegalStateError, 'starts_in_the_past');
    });

    it('accepts a shift starting right now', () => {
      spec.given([]).when(schedule({ at: atStart })).then([scheduled({ scheduledAt: atStart })]);
    });

    it('refuses an end at or before the start', () => {
      spec.given([]).when(schedule({ time: { ...time, end: time.start } })).thenThrows(ValidationError, 'end_before_start');
      spec.given([]).when(schedule({ time: { ...time, end: '2027-03-21T21:00:00.000Z' } })).thenThrows(ValidationError, 'end_before_start');
    });

    it('refuses a time without its local times or zone, or with a bad instant', () => {
      spec.given([]).when(schedule({ time: { ...time, timezone: '' } })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(schedule({ time: { ...time, localStart: '' } })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(schedule({ time: { ...time, start: '21 March' } })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(schedule({ time: undefined as unknown as ShiftTime })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses a checklist without a whole positive version', () => {
      spec.given([]).when(schedule({ checklist: { checklistId: 'checklist-1', version: 0 } })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(schedule({ checklist: { checklistId: 'checklist-1', version: 1.5 } })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(schedule({ checklist: undefined as never })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses to schedule the same shift twice', () => {
      spec.given([scheduled()]).when(schedule()).thenThrows(ConflictError, 'shift_exists');
    });
  });

  describe('AssignCleaner', () => {
    it('assigns a cleaner', () => {
      spec.given([scheduled()]).when(assign('cleaner-a')).then([assigned('cleaner-a')]);
    });

    it('assigning an assigned cleaner again emits nothing', () => {
      spec.given([scheduled(), assigned('cleaner-a')]).when(assign('cleaner-a')).thenNothing();
      // …even after the shift has ended.
      spec.given([scheduled(), assigned('cleaner-a')]).when(assign('cleaner-a', atEnd)).thenNothing();
    });

    it('still assigns a cleaner once the shift has started, until it ends', () => {
      spec.given([scheduled()]).when(assign('cleaner-a', duringShift)).then([assigned('cleaner-a', duringShift)]);
      spec.given([scheduled()]).when(assign('cleaner-a', atEnd)).thenThrows(IllegalStateError, 'shift_ended');
    });

    it('refuses a cleaner on a cancelled shift', () => {
      spec.given([scheduled(), cancelled()]).when(assign('cleaner-a')).thenThrows(IllegalStateError, 'shift_cancelled');
    });

    it(`refuses a cleaner beyond ${MAX_CLEANERS_PER_SHIFT}`, () => {
      const full = cleaners(MAX_CLEANERS_PER_SHIFT).map((c) => assigned(c));
      spec.given([scheduled(), ...full]).when(assign('cleaner-51')).thenThrows(IllegalStateError, 'shift_full');
      spec.given([scheduled(), ...full.slice(1)]).when(assign('cleaner-51')).then([assigned('cleaner-51')]);
    });

    it('refuses a blank cleaner id', () => {
      spec.given([scheduled()]).when(assign('')).thenThrows(ValidationError, 'validation_failed');
    });

    it('is not found before it is scheduled', () => {
      spec.given([]).when(assign('cleaner-a')).thenThrows(NotFoundError, 'shift_not_found');
    });

    it("treats another tenant's shift as none", () => {
      spec.given([scheduled()]).when(assign('cleaner-a', scheduledAt, { tenantId: otherTenant })).thenThrows(NotFoundError, 'shift_not_found');
    });
  });

  describe('UnassignCleaner', () => {
    it('unassigns a cleaner before the shift starts', () => {
      spec.given([scheduled(), assigned('cleaner-a')]).when(unassign('cleaner-a', beforeStart)).then([unassigned('cleaner-a', beforeStart)]);
    });

    it('leaves the other cleaners', () => {
      spec.given([scheduled(), assigned('cleaner-a'), assigned('cleaner-b')]).when(unassign('cleaner-a')).thenState({
        status: 'scheduled',
        tenantId,
        shiftId,
        locationId,
        time,
        checklist,
        seriesId,
        cleanerIds: ['cleaner-b'],
        cancellation: null,
      });
    });

    it('refuses once the shift has started: the past belongs to records', () => {
      spec.given([scheduled(), assigned('cleaner-a')]).when(unassign('cleaner-a', atStart)).thenThrows(IllegalStateError, 'shift_started');
      spec.given([scheduled(), assigned('cleaner-a')]).when(unassign('cleaner-a', duringShift)).thenThrows(IllegalStateError, 'shift_started');
    });

    it('emits nothing for a cleaner not assigned, before or after the start', () => {
      spec.given([scheduled(), assigned('cleaner-a')]).when(unassign('cleaner-b')).thenNothing();
      spec.given([scheduled(), assigned('cleaner-a'), unassigned('cleaner-a')]).when(unassign('cleaner-a')).thenNothing();
      spec.given([scheduled()]).when(unassign('cleaner-b', duringShift)).thenNothing();
    });

    it('refuses on a cancelled shift', () => {
      spec.given([scheduled(), assigned('cleaner-a'), cancelled()]).when(unassign('cleaner-a')).thenThrows(IllegalStateError, 'shift_cancelled');
    });

    it("treats another tenant's shift as none", () => {
      spec.given([scheduled(), assigned('cleaner-a')]).when(unassign('cleaner-a', scheduledAt, { tenantId: otherTenant })).thenThrows(NotFoundError, 'shift_not_found');
    });
  });

  describe('RescheduleShift', () => {
    it('moves the shift before it starts', () => {
      spec.given([scheduled()]).when(reschedule(moved, beforeStart)).then([rescheduled(moved, beforeStart)]);
    });

    it('keeps its cleaners, zone, checklist and series', () => {
      spec.given([scheduled(), assigned('cleaner-a')]).when(reschedule(moved)).thenState({
        status: 'scheduled',
        tenantId,
        shiftId,
        locationId,
        time: moved,
        checklist,
        seriesId,
        cleanerIds: ['cleaner-a'],
        cancellation: null,
      });
    });

    it('refuses once the shift has started', () => {
      spec.given([scheduled()]).when(reschedule(moved, atStart)).thenThrows(IllegalStateError, 'shift_started');
      spec.given([scheduled()]).when(reschedule(moved, duringShift)).thenThrows(IllegalStateError, 'shift_started');
    });

    it('refuses a move into the past', () => {
      const earlier: ShiftTime = { ...time, start: '2027-03-09T22:00:00.000Z', end: '2027-03-10T06:00:00.000Z', localStart: '2027-03-09T22:00:00', localEnd: '2027-03-10T06:00:00' };
      spec.given([scheduled()]).when(reschedule(earlier)).thenThrows(IllegalStateError, 'starts_in_the_past');
    });

    it('emits nothing for the same time', () => {
      spec.given([scheduled()]).when(reschedule(time)).thenNothing();
      spec.given([scheduled(), rescheduled(moved)]).when(reschedule(moved)).thenNothing();
    });

    it('refuses a time in another zone than the location', () => {
      spec.given([scheduled()]).when(reschedule({ ...moved, timezone: 'Europe/Paris' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses an end at or before the start', () => {
      spec.given([scheduled()]).when(reschedule({ ...moved, end: moved.start })).thenThrows(ValidationError, 'end_before_start');
    });

    it('refuses on a cancelled shift', () => {
      spec.given([scheduled(), cancelled()]).when(reschedule(moved)).thenThrows(IllegalStateError, 'shift_cancelled');
    });

    it("treats another tenant's shift as none", () => {
      spec.given([scheduled()]).when(reschedule(moved, scheduledAt, { tenantId: otherTenant })).thenThrows(NotFoundError, 'shift_not_found');
    });
  });

  describe('CancelShift', () => {
    it('cancels the shift before it starts', () => {
      spec.given([scheduled()]).when(cancel(beforeStart)).then([cancelled(beforeStart)]);
    });

    it('keeps the encrypted reason and the time of cancellation', () => {
      spec.given([scheduled(), assigned('cleaner-a')]).when(cancel()).thenState({
        status: 'cancelled',
        tenantId,
        shiftId,
        locationId,
        time,
        checklist,
        seriesId,
        cleanerIds: ['cleaner-a'],
        cancellation: { reasonEncrypted, cancelledAt: scheduledAt },
      });
    });

    it('refuses once the shift has started', () => {
      spec.given([scheduled()]).when(cancel(atStart)).thenThrows(IllegalStateError, 'shift_started');
      spec.given([scheduled()]).when(cancel(atEnd)).thenThrows(IllegalStateError, 'shift_started');
    });

    it('cancelling twice emits nothing, even after the start', () => {
      spec.given([scheduled(), cancelled()]).when(cancel()).thenNothing();
      spec.given([scheduled(), cancelled()]).when(cancel(duringShift)).thenNothing();
    });

    it('refuses a missing reason', () => {
      spec.given([scheduled()]).when(cancel(scheduledAt, { reasonEncrypted: '' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('is not found before it is scheduled', () => {
      spec.given([]).when(cancel()).thenThrows(NotFoundError, 'shift_not_found');
    });

    it("treats another tenant's shift as none, cancelled or not", () => {
      spec.given([scheduled()]).when(cancel(scheduledAt, { tenantId: otherTenant })).thenThrows(NotFoundError, 'shift_not_found');
      spec.given([scheduled(), cancelled()]).when(cancel(scheduledAt, { tenantId: otherTenant })).thenThrows(NotFoundError, 'shift_not_found');
    });
  });
});

describe('existingShift', () => {
  it('returns a cancelled shift of the tenant too', () => {
    const state = foldEvents(shiftDecider, [scheduled(), cancelled()]);
    expect(existingShift(state, tenantId).status).toBe('cancelled');
    expect(() => existingShift(state, otherTenant)).toThrow(expect.objectContaining({ code: 'shift_not_found' }));
  });
});
