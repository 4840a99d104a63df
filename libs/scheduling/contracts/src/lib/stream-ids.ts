/*
 * Stream ids of the scheduling context. Ids are UUIDs, so prefixes cannot collide. Stored in
 * the event store: never change them.
 */

/** A location with its areas and scan points. */
export function locationStreamId(locationId: string): string {
  return `scheduling-location-${locationId}`;
}

/** A checklist and all its versions. */
export function checklistStreamId(checklistId: string): string {
  return `scheduling-checklist-${checklistId}`;
}

/** One shift: scheduled, staffed, moved, cancelled. */
export function shiftStreamId(shiftId: string): string {
  return `scheduling-shift-${shiftId}`;
}

/** One cleaner's bookings in one tenant: the consistency boundary that forbids double-booking. */
export function cleanerStreamId(tenantId: string, cleanerId: string): string {
  return `scheduling-cleaner-${tenantId}-${cleanerId}`;
}
