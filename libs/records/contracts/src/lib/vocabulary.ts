/** How a clock-in or clock-out was made. */
export const CLOCK_METHODS = ['qr', 'nfc', 'gps', 'manual'] as const;
export type ClockMethod = (typeof CLOCK_METHODS)[number];

/** A position reading with the device's own accuracy estimate (metres, 68 % radius). */
export type GeoReading = { lat: number; lon: number; accuracyMeters: number };

/**
 * Why a piece of evidence is doubtful. Flags are part of the record, never silent:
 * - outside_geofence: the reading is outside the location's geofence even allowing for its accuracy;
 * - geofence_uncertain: the reading's accuracy circle straddles the geofence edge;
 * - no_location_evidence: a manual clock-in (no scan, no reading);
 * - outside_shift_window: the time is outside the shift, beyond the tolerance.
 */
export const FLAG_CODES = ['outside_geofence', 'geofence_uncertain', 'no_location_evidence', 'outside_shift_window'] as const;
export type FlagCode = (typeof FLAG_CODES)[number];
export type Flag = { code: FlagCode; detail: string };

/** What a correction may replace. `version` names the record event it corrects. */
export type CorrectionTarget = { version: number; field: string };

/** The scoring method stored with an inspection score, so scores stay comparable over time. */
export type ScoringMethod = { name: string; version: string };
export type InspectionItem = { label: string; score: number };

export type RecordStatus = 'in_progress' | 'clocked_out' | 'sealed';
