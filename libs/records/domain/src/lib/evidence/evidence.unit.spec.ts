import type { GeoReading } from '@custodian/records/contracts';
import { distanceMeters, FUTURE_TOLERANCE_MINUTES, geofenceFlag, geofenceVerdict, inTheFuture, SHIFT_WINDOW_TOLERANCE_MINUTES, windowFlag } from './evidence';

const london = { lat: 51.5074, lon: -0.1278 };
const paris = { lat: 48.8566, lon: 2.3522 };
/** One degree of latitude on the mean Earth radius (2πR / 360). */
const DEGREE = (2 * Math.PI * 6_371_008.8) / 360;

describe('distanceMeters', () => {
  it('puts London 343.5 km from Paris (within 0.5 %)', () => {
    expect(Math.abs(distanceMeters(london, paris) - 343_500) / 343_500).toBeLessThan(0.005);
  });

  it('is 0 for the same point, and the same both ways', () => {
    expect(distanceMeters(london, london)).toBe(0);
    expect(distanceMeters(london, paris)).toBeCloseTo(distanceMeters(paris, london), 6);
  });

  it('makes a degree of latitude ~111.2 km, wherever it is taken', () => {
    expect(DEGREE).toBeCloseTo(111_195, 0);
    expect(distanceMeters({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(DEGREE, 3);
    expect(distanceMeters({ lat: 40, lon: 10 }, { lat: 41, lon: 10 })).toBeCloseTo(DEGREE, 3);
    expect(distanceMeters({ lat: -34, lon: 151 }, { lat: -35, lon: 151 })).toBeCloseTo(DEGREE, 3);
  });

  it('shrinks a degree of longitude with the cosine of the latitude', () => {
    expect(distanceMeters({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(DEGREE, 3);
    expect(distanceMeters({ lat: 60, lon: 0 }, { lat: 60, lon: 1 }) / DEGREE).toBeCloseTo(0.5, 4);
  });

  it('measures across the antimeridian the short way, and half the globe at most', () => {
    expect(distanceMeters({ lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 })).toBeCloseTo(DEGREE, 3);
    expect(distanceMeters({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(180 * DEGREE, 0);
    expect(distanceMeters({ lat: 90, lon: 0 }, { lat: -90, lon: 0 })).toBeCloseTo(180 * DEGREE, 0);
  });
});

describe('geofenceVerdict', () => {
  const fence = { lat: 51.5, lon: -0.1, radiusMeters: 150 };
  /** A reading `metres` due north of the fence centre. */
  const north = (metres: number, accuracyMeters: number): GeoReading => ({ lat: fence.lat + metres / DEGREE, lon: fence.lon, accuracyMeters });

  it('is inside only when the whole accuracy circle is inside', () => {
    expect(geofenceVerdict({ lat: fence.lat, lon: fence.lon, accuracyMeters: 0 }, fence)).toBe('inside');
    expect(geofenceVerdict(north(100, 49.9), fence)).toBe('inside');
    // The circle touching the fence from inside still counts as inside.
    expect(geofenceVerdict({ lat: fence.lat, lon: fence.lon, accuracyMeters: 150 }, fence)).toBe('inside');
  });

  it('is uncertain — never inside — when the accuracy circle straddles the edge', () => {
    expect(geofenceVerdict(north(100, 50.1), fence)).toBe('uncertain');
    expect(geofenceVerdict({ lat: fence.lat, lon: fence.lon, accuracyMeters: 150.01 }, fence)).toBe('uncertain');
    // Dead centre, but the device admits it could be anywhere within 2 km.
    expect(geofenceVerdict({ lat: fence.lat, lon: fence.lon, accuracyMeters: 2000 }, fence)).toBe('uncertain');
    // Outside the fence, but close enough that the circle reaches back in.
    expect(geofenceVerdict(north(200, 50.1), fence)).toBe('uncertain');
    expect(geofenceVerdict(north(160, 0), fence)).toBe('outside');
    expect(geofenceVerdict(north(149.9, 0), fence)).toBe('inside');
  });

  it('is outside when the whole accuracy circle is outside', () => {
    expect(geofenceVerdict(north(200, 49.9), fence)).toBe('outside');
    expect(geofenceVerdict({ ...paris, accuracyMeters: 5000 }, fence)).toBe('outside');
  });
});

describe('geofenceFlag', () => {
  const fence = { lat: 51.5, lon: -0.1, radiusMeters: 150 };
  const north = (metres: number, accuracyMeters: number): GeoReading => ({ lat: fence.lat + metres / DEGREE, lon: fence.lon, accuracyMeters });

  it('flags nothing for a reading clearly inside', () => {
    expect(geofenceFlag(north(50, 10), fence)).toBeUndefined();
  });

  it('flags a straddling reading as uncertain and a far one as outside, with the numbers', () => {
    expect(geofenceFlag(north(140, 20), fence)).toEqual({ code: 'geofence_uncertain', detail: '140 m from the site centre, accuracy 20 m straddles the 150 m fence' });
    expect(geofenceFlag(north(400, 20), fence)).toEqual({ code: 'outside_geofence', detail: '400 m from the site centre, accuracy 20 m, fence 150 m' });
  });
});

describe('windowFlag', () => {
  const shift = { start: '2027-03-21T22:00:00.000Z', end: '2027-03-22T06:00:00.000Z' };

  it(`tolerates ${SHIFT_WINDOW_TOLERANCE_MINUTES} minutes either side of the shift`, () => {
    expect(SHIFT_WINDOW_TOLERANCE_MINUTES).toBe(15);
    expect(windowFlag('2027-03-21T21:45:00.000Z', shift, 'clock-in')).toBeUndefined();
    expect(windowFlag('2027-03-22T02:00:00.000Z', shift, 'task completed')).toBeUndefined();
    expect(windowFlag('2027-03-22T06:15:00.000Z', shift, 'clock-out')).toBeUndefined();
  });

  it('flags a time before the tolerance, saying how early', () => {
    expect(windowFlag('2027-03-21T21:44:59.000Z', shift, 'clock-in')).toEqual({ code: 'outside_shift_window', detail: 'clock-in 15 min before the shift starts' });
    expect(windowFlag('2027-03-21T21:30:00.000Z', shift, 'clock-in')).toEqual({ code: 'outside_shift_window', detail: 'clock-in 30 min before the shift starts' });
  });

  it('flags a time after the tolerance, saying how late', () => {
    expect(windowFlag('2027-03-22T06:15:01.000Z', shift, 'clock-out')).toEqual({ code: 'outside_shift_window', detail: 'clock-out 15 min after the shift ends' });
    expect(windowFlag('2027-03-22T07:00:00.000Z', shift, 'task completed')).toEqual({ code: 'outside_shift_window', detail: 'task completed 60 min after the shift ends' });
  });

  it('compares instants, not strings: an offset time is judged by its instant', () => {
    expect(windowFlag('2027-03-21T23:45:00+02:00', shift, 'clock-in')).toBeUndefined();
    expect(windowFlag('2027-03-21T23:44:00+02:00', shift, 'clock-in')).toEqual({ code: 'outside_shift_window', detail: 'clock-in 16 min before the shift starts' });
  });
});

describe('inTheFuture', () => {
  const now = '2027-03-21T22:00:00.000Z';

  it(`allows ${FUTURE_TOLERANCE_MINUTES} minutes of clock skew, and the past`, () => {
    expect(FUTURE_TOLERANCE_MINUTES).toBe(5);
    expect(inTheFuture('2027-03-21T21:00:00.000Z', now)).toBe(false);
    expect(inTheFuture(now, now)).toBe(false);
    expect(inTheFuture('2027-03-21T22:05:00.000Z', now)).toBe(false);
  });

  it('is true beyond the skew', () => {
    expect(inTheFuture('2027-03-21T22:05:00.001Z', now)).toBe(true);
    expect(inTheFuture('2027-03-22T22:00:00.000Z', now)).toBe(true);
    expect(inTheFuture('2027-03-22T00:05:01+02:00', now)).toBe(true);
  });
});
