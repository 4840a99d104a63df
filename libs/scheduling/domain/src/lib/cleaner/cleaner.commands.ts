import type { Command } from '@custodian/kernel';

/** Take the cleaner for [start, end) for a shift. */
export type BookCleaner = Command<'BookCleaner', { tenantId: string; cleanerId: string; shiftId: string; start: string; end: string; at: string }>;
/** The shift moved: its booking moves with it. */
export type MoveBooking = Command<'MoveBooking', { tenantId: string; cleanerId: string; shiftId: string; start: string; end: string; at: string }>;
export type ReleaseBooking = Command<'ReleaseBooking', { tenantId: string; cleanerId: string; shiftId: string; at: string }>;
