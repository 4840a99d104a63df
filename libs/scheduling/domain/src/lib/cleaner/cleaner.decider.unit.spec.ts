import { ConflictError, CustodianError, foldEvents, ValidationError } from '@custodian/kernel';
import type { CleanerBooked, CleanerBookingMoved, CleanerBookingReleased } from '@custodian/scheduling/contracts';
import { deciderSpec } from '@custodian/testing';
import type { BookCleaner, MoveBooking, ReleaseBooking } from './cleaner.commands';
import { cleanerDecider, requireFree } from './cleaner.decider';

const spec = deciderSpec(cleanerDecider);
const tenantId = 'tenant-1';
const cleanerId = 'cleaner-1';
const at = '2027-03-10T12:00:00.000Z';
const h = (hour: number) => `2027-03-21T${String(hour).padStart(2, '0')}:00:00.000Z`;

// ---- commands ----
const book = (shiftId: string, start: string, end: string, overrides: Partial<BookCleaner['data']> = {}): BookCleaner => ({
  type: 'BookCleaner',
  data: { tenantId, cleanerId, shiftId, start, end, at, ...overrides },
});
const move = (shiftId: string, start: string, end: string): MoveBooking => ({ type: 'MoveBooking', data: { tenantId, cleanerId, shiftId, start, end, at } });
const release = (shiftId: string): ReleaseBooking => ({ type: 'ReleaseBooking', data: { tenantId, cleanerId, shiftId, at } });

// ---- events ----
const booked = (shiftId: string, start: string, end: string): CleanerBooked => ({
  type: 'scheduling.CleanerBooked',
  schemaVersion: 1,
  data: { tenantId, cleanerId, shiftId, start, end, bookedAt: at },
});
const bookingMoved = (shiftId: string, start: string, end: string): CleanerBookingMoved => ({
  type: 'scheduling.CleanerBookingMoved',
  schemaVersion: 1,
  data: { tenantId, cleanerId, shiftId, start, end, movedAt: at },
});
const released = (shiftId: string): CleanerBookingReleased => ({
  type: 'scheduling.CleanerBookingReleased',
  schemaVersion: 1,
  data: { tenantId, cleanerId, shiftId, releasedAt: at },
});

/** The shift A booking: 08:00–12:00. */
const morning = booked('shift-a', h(8), h(12));

describe('cleanerDecider', () => {
  describe('BookCleaner', () => {
    it('books a free cleaner', () => {
      spec.given([]).when(book('shift-a', h(8), h(12))).then([morning]);
    });

    it('holds the booking by shift', () => {
      spec.given([morning]).when(book('shift-b', h(14), h(18))).thenState({ bookings: { 'shift-a': { start: h(8), end: h(12) }, 'shift-b': { start: h(14), end: h(18) } } });
    });

    it.each([
      ['starts inside it', h(10), h(14)],
      ['ends inside it', h(6), h(9)],
      ['lies inside it', h(9), h(11)],
      ['covers it', h(6), h(14)],
      ['is the same time', h(8), h(12)],
    ])('refuses a booking of another shift that %s, naming that shift', (_case, start, end) => {
      spec.given([morning]).when(book('shift-b', start, end)).thenThrows(ConflictError, 'cleaner_double_booked');
    });

    it('names the other shift and the cleaner in the details', () => {
      const state = foldEvents(cleanerDecider, [booked('shift-z', h(1), h(2)), morning]);
      let thrown: unknown;
      try {
        cleanerDecider.decide(book('shift-b', h(10), h(14)), state);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConflictError);
      expect((thrown as CustodianError).details).toEqual({ cleanerId, shiftId: 'shift-a' });
    });

    it('lets bookings whose ends touch stand side by side', () => {
      spec.given([morning]).when(book('shift-b', h(12), h(16))).then([booked('shift-b', h(12), h(16))]);
      spec.given([morning]).when(book('shift-b', h(4), h(8))).then([booked('shift-b', h(4), h(8))]);
    });

    it('compares instants, whatever offset they are written with', () => {
      // 13:00+02:00 is 11:00Z: inside the morning booking.
      spec.given([morning]).when(book('shift-b', '2027-03-21T13:00:00+02:00', '2027-03-21T15:00:00+02:00')).thenThrows(ConflictError, 'cleaner_double_booked');
    });

    it('booking the same shift at the same time again emits nothing', () => {
      spec.given([morning]).when(book('shift-a', h(8), h(12))).thenNothing();
    });

    it('books the same shift at a new time again, as a booking, ignoring its own old time', () => {
      spec.given([morning]).when(book('shift-a', h(10), h(14))).then([booked('shift-a', h(10), h(14))]);
    });

    it('is free again once the other booking is released', () => {
      spec.given([morning, released('shift-a')]).when(book('shift-b', h(8), h(12))).then([booked('shift-b', h(8), h(12))]);
    });

    it('refuses an end at or before the start', () => {
      spec.given([]).when(book('shift-a', h(12), h(12))).thenThrows(ValidationError, 'end_before_start');
      spec.given([]).when(book('shift-a', h(12), h(8))).thenThrows(ValidationError, 'end_before_start');
    });

    it('refuses missing ids and bad timestamps', () => {
      spec.given([]).when(book('', h(8), h(12))).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(book('shift-a', h(8), h(12), { cleanerId: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(book('shift-a', 'eight', h(12))).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(book('shift-a', h(8), h(12), { at: 'now' })).thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('MoveBooking', () => {
    it('moves a booking, not counting its own old time as a conflict', () => {
      spec.given([morning]).when(move('shift-a', h(10), h(14))).then([bookingMoved('shift-a', h(10), h(14))]);
    });

    it('holds the new time', () => {
      spec.given([morning]).when(move('shift-a', h(10), h(14))).thenState({ bookings: { 'shift-a': { start: h(10), end: h(14) } } });
    });

    it('refuses a move into another shift’s booking', () => {
      spec.given([morning, booked('shift-b', h(14), h(18))]).when(move('shift-a', h(13), h(15))).thenThrows(ConflictError, 'cleaner_double_booked');
    });

    it('moves up to the edge of another booking', () => {
      spec.given([morning, booked('shift-b', h(14), h(18))]).when(move('shift-a', h(10), h(14))).then([bookingMoved('shift-a', h(10), h(14))]);
    });

    it('moving to the same time emits nothing', () => {
      spec.given([morning]).when(move('shift-a', h(8), h(12))).thenNothing();
      spec.given([morning, bookingMoved('shift-a', h(10), h(14))]).when(move('shift-a', h(10), h(14))).thenNothing();
    });

    it('books a shift that was not booked yet', () => {
      spec.given([]).when(move('shift-a', h(8), h(12))).then([morning]);
      spec.given([morning, released('shift-a')]).when(move('shift-a', h(8), h(12))).then([morning]);
    });

    it('refuses an end at or before the start', () => {
      spec.given([morning]).when(move('shift-a', h(14), h(10))).thenThrows(ValidationError, 'end_before_start');
    });
  });

  describe('ReleaseBooking', () => {
    it('releases a booking', () => {
      spec.given([morning]).when(release('shift-a')).then([released('shift-a')]);
    });

    it('frees its time and keeps the others', () => {
      spec.given([morning, booked('shift-b', h(14), h(18))]).when(release('shift-a')).thenState({ bookings: { 'shift-b': { start: h(14), end: h(18) } } });
    });

    it('releasing a shift that is not booked emits nothing', () => {
      spec.given([]).when(release('shift-a')).thenNothing();
      spec.given([morning]).when(release('shift-b')).thenNothing();
      spec.given([morning, released('shift-a')]).when(release('shift-a')).thenNothing();
    });
  });
});

describe('requireFree', () => {
  const state = foldEvents(cleanerDecider, [morning]);

  it('passes a free time and the shift’s own booking', () => {
    expect(() => requireFree(state, cleanerId, 'shift-b', { start: h(12), end: h(13) })).not.toThrow();
    expect(() => requireFree(state, cleanerId, 'shift-a', { start: h(9), end: h(10) })).not.toThrow();
  });

  it('is ConflictError cleaner_double_booked for an overlap with another shift', () => {
    expect(() => requireFree(state, cleanerId, 'shift-b', { start: h(11), end: h(13) })).toThrow(
      expect.objectContaining({ code: 'cleaner_double_booked', details: { cleanerId, shiftId: 'shift-a' } }),
    );
  });
});
