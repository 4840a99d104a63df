/** How sensitive a client site is; drives evidence rules in records (healthcare, government are strict). */
export const SENSITIVITIES = ['standard', 'healthcare', 'government'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** What a clock-in outside the geofence does: kept and flagged, or refused. */
export const CLOCK_IN_POLICIES = ['flag', 'refuse'] as const;
export type ClockInPolicy = (typeof CLOCK_IN_POLICIES)[number];

/** How a scan point is read on site. */
export const SCAN_METHODS = ['qr', 'nfc'] as const;
export type ScanMethod = (typeof SCAN_METHODS)[number];

export type Geofence = { lat: number; lon: number; radiusMeters: number };

/** One task of a checklist version. `taskId` is stable across versions of the same checklist. */
export type ChecklistTask = { taskId: string; title: string; required: boolean };

/** The checklist version a shift was scheduled with: later revisions never change it. */
export type PinnedChecklist = { checklistId: string; version: number };

/** A shift's time: absolute instants (UTC) and the wall-clock times at the location. */
export type ShiftTime = {
  /** ISO-8601 UTC instant. */
  start: string;
  end: string;
  /** Local wall-clock `YYYY-MM-DDTHH:mm:ss` in `timezone`. */
  localStart: string;
  localEnd: string;
  /** IANA zone of the location. */
  timezone: string;
};
