import type { Command } from '@custodian/kernel';
import type { PinnedChecklist, ShiftTime } from '@custodian/scheduling/contracts';

/** A shift at a location, its time already resolved in the location's zone (see shiftTimeOf). */
export type ScheduleShift = Command<
  'ScheduleShift',
  { tenantId: string; shiftId: string; locationId: string; time: ShiftTime; checklist: PinnedChecklist; seriesId: string | null; cleanerIds: string[]; at: string }
>;
export type AssignCleaner = Command<'AssignCleaner', { tenantId: string; shiftId: string; cleanerId: string; at: string }>;
export type UnassignCleaner = Command<'UnassignCleaner', { tenantId: string; shiftId: string; cleanerId: string; at: string }>;
export type RescheduleShift = Command<'RescheduleShift', { tenantId: string; shiftId: string; time: ShiftTime; at: string }>;
/** `reasonEncrypted`: the reason, encrypted per subject by the app layer (it may name people). */
export type CancelShift = Command<'CancelShift', { tenantId: string; shiftId: string; reasonEncrypted: string; at: string }>;
