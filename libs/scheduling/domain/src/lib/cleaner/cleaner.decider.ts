import { assertNever, ConflictError, invalid, requireText, requireTimestamp, type Decider } from '@custodian/kernel';
import type { CleanerEvent } from '@custodian/scheduling/contracts';
import { overlaps } from '../time/shift-time';
import type { BookCleaner, MoveBooking, ReleaseBooking } from './cleaner.commands';

export type CleanerCommand = BookCleaner | MoveBooking | ReleaseBooking;

export type Booking = { start: string; end: string };
/** State of stream `scheduling-cleaner-<tenantId>-<cleanerId>`: the cleaner's current bookings by shift. */
export type CleanerState = { bookings: Record<string, Booking> };

/**
 * A cleaner's bookings: the one place that decides double-booking, so two supervisors placing
 * the same cleaner at the same time race on one stream and exactly one wins.
 * - Booking or moving into a time that overlaps another shift's booking ([start, end),
 *   touching ends do not overlap) is ConflictError `cleaner_double_booked` (409), naming the
 *   other shift.
 * - Booking a shift already booked at the same time, or releasing one not booked, emits nothing.
 */
export const cleanerDecider: Decider<CleanerState, CleanerCommand, CleanerEvent> = {
  initialState: () => ({ bookings: {} }),
  decide(command, state) {
    switch (command.type) {
      case 'BookCleaner':
      case 'MoveBooking': {
        const d = command.data;
        const tenantId = requireText(d.tenantId, 'tenantId');
        const cleanerId = requireText(d.cleanerId, 'cleanerId');
        const shiftId = requireText(d.shiftId, 'shiftId');
        const at = requireTimestamp(d.at, 'at');
        const wanted = { start: requireTimestamp(d.start, 'start'), end: requireTimestamp(d.end, 'end') };
        if (Date.parse(wanted.end) <= Date.parse(wanted.start)) throw invalid('end', 'end must be after start', 'end_before_start');
        const current = state.bookings[shiftId];
        if (current && current.start === wanted.start && current.end === wanted.end) return [];
        requireFree(state, cleanerId, shiftId, wanted);
        if (command.type === 'BookCleaner' || !current) {
          return [{ type: 'scheduling.CleanerBooked', schemaVersion: 1, data: { tenantId, cleanerId, shiftId, ...wanted, bookedAt: at } }];
        }
        return [{ type: 'scheduling.CleanerBookingMoved', schemaVersion: 1, data: { tenantId, cleanerId, shiftId, ...wanted, movedAt: at } }];
      }
      case 'ReleaseBooking': {
        const d = command.data;
        if (!state.bookings[d.shiftId]) return [];
        return [{ type: 'scheduling.CleanerBookingReleased', schemaVersion: 1, data: { tenantId: requireText(d.tenantId, 'tenantId'), cleanerId: requireText(d.cleanerId, 'cleanerId'), shiftId: d.shiftId, releasedAt: requireTimestamp(d.at, 'at') } }];
      }
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'scheduling.CleanerBooked':
      case 'scheduling.CleanerBookingMoved':
        return { bookings: { ...state.bookings, [event.data.shiftId]: { start: event.data.start, end: event.data.end } } };
      case 'scheduling.CleanerBookingReleased': {
        const { [event.data.shiftId]: _released, ...bookings } = state.bookings;
        return { bookings };
      }
      default:
        return assertNever(event, 'event');
    }
  },
};

/** ConflictError `cleaner_double_booked` when `wanted` overlaps a booking of another shift. */
export function requireFree(state: CleanerState, cleanerId: string, shiftId: string, wanted: Booking): void {
  for (const [other, booking] of Object.entries(state.bookings)) {
    if (other !== shiftId && overlaps(booking, wanted)) {
      throw new ConflictError('The cleaner is already booked for an overlapping shift', 'cleaner_double_booked', { cleanerId, shiftId: other });
    }
  }
}
