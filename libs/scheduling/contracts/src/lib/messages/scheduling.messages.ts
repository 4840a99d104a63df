import type { ChecklistTask, ClockInPolicy, Geofence, PinnedChecklist, ScanMethod, Sensitivity } from '../vocabulary';

/*
 * The gateway ↔ scheduling message contract (envelope: the kernel's ServiceRequest/Reply).
 * Every request is scoped by the caller's `scheduling` grant carried in `meta.actor.grants`:
 * an object outside the caller's locations or tenant is NotFoundError, never the object.
 */
export const SCHEDULING_PATTERNS = {
  health: 'scheduling.health',
  createLocation: 'scheduling.locations.create',
  listLocations: 'scheduling.locations.list',
  getLocation: 'scheduling.locations.get',
  addArea: 'scheduling.areas.add',
  issueScanPoint: 'scheduling.scan-points.issue',
  rotateScanPoint: 'scheduling.scan-points.rotate',
  createChecklist: 'scheduling.checklists.create',
  reviseChecklist: 'scheduling.checklists.revise',
  getChecklist: 'scheduling.checklists.get',
  listChecklists: 'scheduling.checklists.list',
  scheduleShifts: 'scheduling.shifts.schedule',
  getShift: 'scheduling.shifts.get',
  listShifts: 'scheduling.shifts.list',
  myShifts: 'scheduling.shifts.mine',
  assignCleaner: 'scheduling.shifts.assign',
  unassignCleaner: 'scheduling.shifts.unassign',
  rescheduleShift: 'scheduling.shifts.reschedule',
  cancelShift: 'scheduling.shifts.cancel',
} as const;

export type CreateLocationRequest = {
  name: string;
  address: string;
  timezone: string;
  sensitivity: Sensitivity;
  geofence: Geofence;
  clockInPolicy: ClockInPolicy;
};

export type ScanPointView = { scanPointId: string; method: ScanMethod; code: string; issuedAt: string; rotatedAt: string | null };
export type AreaView = { areaId: string; name: string; kind: string; scanPoints: ScanPointView[] };
export type LocationView = CreateLocationRequest & { locationId: string; registeredAt: string; areas: AreaView[] };

export type Page<T> = { items: T[]; nextCursor: string | null };
export type ListLocationsRequest = { limit?: number; cursor?: string };
export type LocationRef = { locationId: string };

export type AddAreaRequest = { locationId: string; name: string; kind: string };
export type IssueScanPointRequest = { locationId: string; areaId: string; method: ScanMethod };
export type RotateScanPointRequest = { locationId: string; areaId: string; scanPointId: string };

export type ChecklistTaskInput = { taskId?: string; title: string; required?: boolean };
export type CreateChecklistRequest = { name: string; areaKind: string; tasks: ChecklistTaskInput[] };
export type ReviseChecklistRequest = CreateChecklistRequest & { checklistId: string };
/** One version of a checklist; `createdAt` is when that version was made. */
export type ChecklistView = { checklistId: string; version: number; name: string; areaKind: string; tasks: ChecklistTask[]; createdAt: string };
/** `version` absent: the latest. */
export type ChecklistRef = { checklistId: string; version?: number };
export type ListChecklistsRequest = { areaKind?: string; limit?: number; cursor?: string };

/**
 * Times: an ISO date-time with an offset or `Z` is an instant; without one
 * (`2026-03-28T22:00`) it is wall-clock time at the location. `repeatWeekly`: this many
 * occurrences in all (1 = just this one, at most 26), each 7 local days after the previous at
 * the same wall-clock times, across daylight-saving changes.
 */
export type ScheduleShiftsRequest = {
  locationId: string;
  start: string;
  end: string;
  checklistId: string;
  cleanerIds?: string[];
  repeatWeekly?: number;
};
export type ShiftStatus = 'scheduled' | 'cancelled';
export type ShiftView = {
  shiftId: string;
  locationId: string;
  start: string;
  end: string;
  localStart: string;
  localEnd: string;
  timezone: string;
  checklist: PinnedChecklist;
  seriesId: string | null;
  cleanerIds: string[];
  status: ShiftStatus;
  /** Present once cancelled. */
  cancellation?: { reason: string; cancelledAt: string };
};
export type ScheduleShiftsResponse = { shifts: ShiftView[] };
export type ShiftRef = { shiftId: string };
export type ListShiftsRequest = { locationId?: string; from?: string; to?: string; cleanerId?: string; limit?: number; cursor?: string };
export type MyShiftsRequest = { from?: string; to?: string; limit?: number; cursor?: string };
export type AssignmentRequest = { shiftId: string; cleanerId: string };
export type RescheduleShiftRequest = { shiftId: string; start: string; end: string };
export type CancelShiftRequest = { shiftId: string; reason: string };

export type SchedulingHealthResponse = { status: 'up' | 'down'; checks: Array<{ name: string; status: 'up' | 'down'; detail?: string }> };

export type SchedulingMessages = {
  [SCHEDULING_PATTERNS.health]: { request: Record<string, never>; response: SchedulingHealthResponse };
  [SCHEDULING_PATTERNS.createLocation]: { request: CreateLocationRequest; response: LocationView };
  [SCHEDULING_PATTERNS.listLocations]: { request: ListLocationsRequest; response: Page<LocationView> };
  [SCHEDULING_PATTERNS.getLocation]: { request: LocationRef; response: LocationView };
  [SCHEDULING_PATTERNS.addArea]: { request: AddAreaRequest; response: AreaView };
  [SCHEDULING_PATTERNS.issueScanPoint]: { request: IssueScanPointRequest; response: ScanPointView };
  [SCHEDULING_PATTERNS.rotateScanPoint]: { request: RotateScanPointRequest; response: ScanPointView };
  [SCHEDULING_PATTERNS.createChecklist]: { request: CreateChecklistRequest; response: ChecklistView };
  [SCHEDULING_PATTERNS.reviseChecklist]: { request: ReviseChecklistRequest; response: ChecklistView };
  [SCHEDULING_PATTERNS.getChecklist]: { request: ChecklistRef; response: ChecklistView };
  [SCHEDULING_PATTERNS.listChecklists]: { request: ListChecklistsRequest; response: Page<ChecklistView> };
  [SCHEDULING_PATTERNS.scheduleShifts]: { request: ScheduleShiftsRequest; response: ScheduleShiftsResponse };
  [SCHEDULING_PATTERNS.getShift]: { request: ShiftRef; response: ShiftView };
  [SCHEDULING_PATTERNS.listShifts]: { request: ListShiftsRequest; response: Page<ShiftView> };
  [SCHEDULING_PATTERNS.myShifts]: { request: MyShiftsRequest; response: Page<ShiftView> };
  [SCHEDULING_PATTERNS.assignCleaner]: { request: AssignmentRequest; response: ShiftView };
  [SCHEDULING_PATTERNS.unassignCleaner]: { request: AssignmentRequest; response: ShiftView };
  [SCHEDULING_PATTERNS.rescheduleShift]: { request: RescheduleShiftRequest; response: ShiftView };
  [SCHEDULING_PATTERNS.cancelShift]: { request: CancelShiftRequest; response: ShiftView };
};
