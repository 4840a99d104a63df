import { DateTime, IANAZone } from 'luxon';
import type { ShiftTime } from '@custodian/scheduling/contracts';
import { invalid } from '@custodian/kernel';

/** The longest shift the platform accepts. */
export const MAX_SHIFT_HOURS = 24;
/** The most occurrences one weekly recurrence expands to (half a year). */
export const MAX_WEEKLY_OCCURRENCES = 26;

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";

/** ValidationError `unknown_timezone` unless `zone` is an IANA time zone this runtime knows. */
export function requireTimezone(zone: unknown, field = 'timezone'): string {
  if (typeof zone !== 'string' || zone.length > 64 || !IANAZone.isValidZone(zone)) throw invalid(field, `${String(zone)} is not an IANA time zone`, 'unknown_timezone');
  return zone;
}

/**
 * Reads one end of a shift: a date-time with an offset or `Z` is that instant; one without is
 * wall-clock time in `zone`. A wall-clock time that does not exist (skipped by a
 * daylight-saving change) is refused rather than shifted.
 */
function instantOf(value: unknown, zone: string, field: string): DateTime {
  if (typeof value === 'string' && WITH_OFFSET.test(value)) {
    const dt = DateTime.fromISO(value, { setZone: true });
    if (dt.isValid) return dt.setZone(zone);
  } else if (typeof value === 'string' && LOCAL.test(value)) {
    const dt = DateTime.fromISO(value, { zone });
    if (dt.isValid) {
      if (dt.toFormat("yyyy-MM-dd'T'HH:mm") !== value.slice(0, 16)) throw invalid(field, `${value} does not exist in ${zone} (a daylight-saving gap)`, 'nonexistent_local_time');
      return dt;
    }
  }
  throw invalid(field, `${field} must be an ISO-8601 date-time (with an offset for an instant, without for wall-clock time at the location)`);
}

function timeOf(start: DateTime, end: DateTime, timezone: string): ShiftTime {
  if (end <= start) throw invalid('end', 'end must be after start', 'end_before_start');
  if (end.diff(start, 'hours').hours > MAX_SHIFT_HOURS) throw invalid('end', `A shift lasts at most ${MAX_SHIFT_HOURS} hours`, 'shift_too_long');
  return {
    start: start.toUTC().toISO() as string,
    end: end.toUTC().toISO() as string,
    localStart: start.setZone(timezone).toFormat(LOCAL_FORMAT),
    localEnd: end.setZone(timezone).toFormat(LOCAL_FORMAT),
    timezone,
  };
}

/** A shift's time at a location in `timezone`, from what a client sent. */
export function shiftTimeOf(start: unknown, end: unknown, timezone: string): ShiftTime {
  const zone = requireTimezone(timezone);
  return timeOf(instantOf(start, zone, 'start'), instantOf(end, zone, 'end'), zone);
}

/**
 * The `count` occurrences of a weekly shift, the first being `first`: each 7 local days later at
 * the same wall-clock start and end, so a 22:00–06:00 shift stays 22:00–06:00 local across a
 * daylight-saving change (its length in hours changes instead). An occurrence whose local time
 * falls in a daylight-saving gap is moved forward by the gap, as the clock on the wall would be.
 */
export function weeklyOccurrences(first: ShiftTime, count: number): ShiftTime[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_WEEKLY_OCCURRENCES) {
    throw invalid('repeatWeekly', `repeatWeekly must be 1 to ${MAX_WEEKLY_OCCURRENCES}`);
  }
  const start = DateTime.fromISO(first.localStart, { zone: first.timezone });
  const end = DateTime.fromISO(first.localEnd, { zone: first.timezone });
  return Array.from({ length: count }, (_, week) => timeOf(start.plus({ weeks: week }), end.plus({ weeks: week }), first.timezone));
}

/** True when [a.start, a.end) and [b.start, b.end) share an instant. */
export function overlaps(a: { start: string; end: string }, b: { start: string; end: string }): boolean {
  return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
}
