import { assertNever, ConflictError, IllegalStateError, invalid, NotFoundError, requireText, requireTimestamp, type Decider } from '@custodian/kernel';
import type { PinnedChecklist, ShiftEvent, ShiftTime } from '@custodian/scheduling/contracts';
import type { AssignCleaner, CancelShift, RescheduleShift, ScheduleShift, UnassignCleaner } from './shift.commands';

export type ShiftCommand = ScheduleShift | AssignCleaner | UnassignCleaner | RescheduleShift | CancelShift;

export type ScheduledShift = {
  status: 'scheduled' | 'cancelled';
  tenantId: string;
  shiftId: string;
  locationId: string;
  time: ShiftTime;
  checklist: PinnedChecklist;
  seriesId: string | null;
  cleanerIds: string[];
  cancellation: { reasonEncrypted: string; cancelledAt: string } | null;
};
export type ShiftState = { status: 'none' } | ScheduledShift;

/** The most cleaners on one shift. */
export const MAX_CLEANERS_PER_SHIFT = 50;

/**
 * One shift. The past belongs to records: once a shift has started it cannot be rescheduled,
 * cancelled, or lose a cleaner (IllegalStateError `shift_started`); a cleaner can still be added
 * until it ends (`shift_ended`). A new shift may not start in the past (`starts_in_the_past`).
 * Double-booking is the cleaner stream's rule (see cleanerDecider): the app layer books the
 * cleaner there before assigning here. Repeats of an unchanged fact emit nothing.
 */
export const shiftDecider: Decider<ShiftState, ShiftCommand, ShiftEvent> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'ScheduleShift':
        return schedule(command, state);
      case 'AssignCleaner':
        return assign(command, live(state, command.data.tenantId));
      case 'UnassignCleaner':
        return unassign(command, live(state, command.data.tenantId));
      case 'RescheduleShift':
        return reschedule(command, live(state, command.data.tenantId));
      case 'CancelShift':
        return cancel(command, existingShift(state, command.data.tenantId));
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'scheduling.ShiftScheduled': {
        const d = event.data;
        return {
          status: 'scheduled',
          tenantId: d.tenantId,
          shiftId: d.shiftId,
          locationId: d.locationId,
          time: { start: d.start, end: d.end, localStart: d.localStart, localEnd: d.localEnd, timezone: d.timezone },
          checklist: d.checklist,
          seriesId: d.seriesId,
          cleanerIds: [],
          cancellation: null,
        };
      }
      case 'scheduling.CleanerAssigned':
        return state.status === 'none' ? state : { ...state, cleanerIds: [...state.cleanerIds, event.data.cleanerId] };
      case 'scheduling.CleanerUnassigned':
        return state.status === 'none' ? state : { ...state, cleanerIds: state.cleanerIds.filter((c) => c !== event.data.cleanerId) };
      case 'scheduling.ShiftRescheduled': {
        if (state.status === 'none') return state;
        const d = event.data;
        return { ...state, time: { ...state.time, start: d.start, end: d.end, localStart: d.localStart, localEnd: d.localEnd } };
      }
      case 'scheduling.ShiftCancelled':
        return state.status === 'none' ? state : { ...state, status: 'cancelled', cancellation: { reasonEncrypted: event.data.reasonEncrypted, cancelledAt: event.data.cancelledAt } };
      default:
        return assertNever(event, 'event');
    }
  },
};

function schedule({ data }: ScheduleShift, state: ShiftState): ShiftEvent[] {
  const tenantId = requireText(data.tenantId, 'tenantId');
  const shiftId = requireText(data.shiftId, 'shiftId');
  const at = requireTimestamp(data.at, 'at');
  const time = validTime(data.time);
  const checklist = data.checklist;
  if (!checklist || typeof checklist.checklistId !== 'string' || !Number.isInteger(checklist.version) || checklist.version < 1) throw invalid('checklist', 'A shift pins a checklist id and version');
  const cleanerIds = validCleaners(data.cleanerIds);
  if (Date.parse(time.start) < Date.parse(at)) throw new IllegalStateError('A shift cannot start in the past', 'starts_in_the_past');
  if (state.status !== 'none') throw new ConflictError('The shift already exists', 'shift_exists');
  return [
    {
      type: 'scheduling.ShiftScheduled',
      schemaVersion: 1,
      data: { tenantId, shiftId, locationId: requireText(data.locationId, 'locationId'), ...time, checklist: { checklistId: checklist.checklistId, version: checklist.version }, seriesId: data.seriesId ?? null, scheduledAt: at },
    },
    ...cleanerIds.map((cleanerId): ShiftEvent => ({ type: 'scheduling.CleanerAssigned', schemaVersion: 1, data: { tenantId, shiftId, cleanerId, assignedAt: at } })),
  ];
}

function assign({ data }: AssignCleaner, shift: ScheduledShift): ShiftEvent[] {
  const cleanerId = requireText(data.cleanerId, 'cleanerId');
  const at = requireTimestamp(data.at, 'at');
  if (shift.cleanerIds.includes(cleanerId)) return [];
  if (Date.parse(at) >= Date.parse(shift.time.end)) throw new IllegalStateError('The shift has ended', 'shift_ended');
  if (shift.cleanerIds.length >= MAX_CLEANERS_PER_SHIFT) throw new IllegalStateError(`A shift has at most ${MAX_CLEANERS_PER_SHIFT} cleaners`, 'shift_full');
  return [{ type: 'scheduling.CleanerAssigned', schemaVersion: 1, data: { tenantId: shift.tenantId, shiftId: shift.shiftId, cleanerId, assignedAt: at } }];
}

function unassign({ data }: UnassignCleaner, shift: ScheduledShift): ShiftEvent[] {
  const at = requireTimestamp(data.at, 'at');
  if (!shift.cleanerIds.includes(data.cleanerId)) return [];
  notStarted(shift, at);
  return [{ type: 'scheduling.CleanerUnassigned', schemaVersion: 1, data: { tenantId: shift.tenantId, shiftId: shift.shiftId, cleanerId: data.cleanerId, unassignedAt: at } }];
}

function reschedule({ data }: RescheduleShift, shift: ScheduledShift): ShiftEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const time = validTime(data.time);
  notStarted(shift, at);
  if (time.timezone !== shift.time.timezone) throw invalid('time', "A shift keeps its location's time zone");
  if (Date.parse(time.start) < Date.parse(at)) throw new IllegalStateError('A shift cannot be moved into the past', 'starts_in_the_past');
  if (time.start === shift.time.start && time.end === shift.time.end) return [];
  return [
    { type: 'scheduling.ShiftRescheduled', schemaVersion: 1, data: { tenantId: shift.tenantId, shiftId: shift.shiftId, start: time.start, end: time.end, localStart: time.localStart, localEnd: time.localEnd, rescheduledAt: at } },
  ];
}

function cancel({ data }: CancelShift, shift: ScheduledShift): ShiftEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const reasonEncrypted = requireText(data.reasonEncrypted, 'reasonEncrypted');
  if (shift.status === 'cancelled') return [];
  notStarted(shift, at);
  return [{ type: 'scheduling.ShiftCancelled', schemaVersion: 1, data: { tenantId: shift.tenantId, shiftId: shift.shiftId, reasonEncrypted, cancelledAt: at } }];
}

function notStarted(shift: ScheduledShift, at: string): void {
  if (Date.parse(at) >= Date.parse(shift.time.start)) throw new IllegalStateError('The shift has started: the past belongs to records', 'shift_started');
}

/** The shift when it exists in `tenantId` (cancelled or not); NotFoundError otherwise. */
export function existingShift(state: ShiftState, tenantId: string): ScheduledShift {
  if (state.status === 'none' || state.tenantId !== tenantId) throw new NotFoundError('Shift not found', 'shift_not_found');
  return state;
}

/** A shift that can still change: IllegalStateError `shift_cancelled` once cancelled. */
function live(state: ShiftState, tenantId: string): ScheduledShift {
  const shift = existingShift(state, tenantId);
  if (shift.status === 'cancelled') throw new IllegalStateError('The shift is cancelled', 'shift_cancelled');
  return shift;
}

function validTime(time: ShiftTime): ShiftTime {
  if (!time || typeof time !== 'object') throw invalid('time', 'time is required');
  const start = requireTimestamp(time.start, 'start');
  const end = requireTimestamp(time.end, 'end');
  if (Date.parse(end) <= Date.parse(start)) throw invalid('end', 'end must be after start', 'end_before_start');
  requireText(time.timezone, 'timezone');
  requireText(time.localStart, 'localStart');
  requireText(time.localEnd, 'localEnd');
  return { start, end, localStart: time.localStart, localEnd: time.localEnd, timezone: time.timezone };
}

function validCleaners(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_CLEANERS_PER_SHIFT || !value.every((c) => typeof c === 'string' && c.length > 0)) {
    throw invalid('cleanerIds', `cleanerIds must list at most ${MAX_CLEANERS_PER_SHIFT} user ids`);
  }
  return [...new Set(value as string[])];
}
