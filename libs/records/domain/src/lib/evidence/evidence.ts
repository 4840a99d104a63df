import type { Flag, GeoReading } from '@custodian/records/contracts';

/** How far outside the shift a time may be before it is flagged. */
export const SHIFT_WINDOW_TOLERANCE_MINUTES = 15;
/** How far ahead of the server's clock a device time may be before it is refused (clock skew). */
export const FUTURE_TOLERANCE_MINUTES = 5;

const EARTH_RADIUS_METERS = 6_371_008.8;

/** Great-circle distance in metres (haversine on the mean Earth radius). */
export function distanceMeters(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Where a reading lies against a geofence, allowing for its accuracy — and giving a doubtful
 * reading no benefit of the doubt:
 * - 'inside' only when the whole accuracy circle is inside the fence;
 * - 'outside' when the whole circle is outside;
 * - 'uncertain' when it straddles the edge.
 */
export function geofenceVerdict(reading: GeoReading, fence: { lat: number; lon: number; radiusMeters: number }): 'inside' | 'outside' | 'uncertain' {
  const d = distanceMeters(reading, fence);
  if (d + reading.accuracyMeters <= fence.radiusMeters) return 'inside';
  if (d - reading.accuracyMeters > fence.radiusMeters) return 'outside';
  return 'uncertain';
}

/** The flag for a reading that is not clearly inside, or none. */
export function geofenceFlag(reading: GeoReading, fence: { lat: number; lon: number; radiusMeters: number }): Flag | undefined {
  const verdict = geofenceVerdict(reading, fence);
  const d = Math.round(distanceMeters(reading, fence));
  if (verdict === 'outside') return { code: 'outside_geofence', detail: `${d} m from the site centre, accuracy ${reading.accuracyMeters} m, fence ${fence.radiusMeters} m` };
  if (verdict === 'uncertain') return { code: 'geofence_uncertain', detail: `${d} m from the site centre, accuracy ${reading.accuracyMeters} m straddles the ${fence.radiusMeters} m fence` };
  return undefined;
}

/** The flag for a time outside [start − tolerance, end + tolerance], or none. */
export function windowFlag(at: string, shift: { start: string; end: string }, what: string): Flag | undefined {
  const t = Date.parse(at);
  const slack = SHIFT_WINDOW_TOLERANCE_MINUTES * 60_000;
  if (t < Date.parse(shift.start) - slack) return { code: 'outside_shift_window', detail: `${what} ${Math.round((Date.parse(shift.start) - t) / 60_000)} min before the shift starts` };
  if (t > Date.parse(shift.end) + slack) return { code: 'outside_shift_window', detail: `${what} ${Math.round((t - Date.parse(shift.end)) / 60_000)} min after the shift ends` };
  return undefined;
}

/** True when `at` is further ahead of `now` than devices' clocks may drift. */
export function inTheFuture(at: string, now: string): boolean {
  return Date.parse(at) > Date.parse(now) + FUTURE_TOLERANCE_MINUTES * 60_000;
}
