import { ConflictError, foldEvents, NotFoundError, ValidationError } from '@custodian/kernel';
import type { AreaAdded, LocationRegistered, ScanPointIssued, ScanPointRotated } from '@custodian/scheduling/contracts';
import { deciderSpec } from '@custodian/testing';
import type { AddArea, IssueScanPoint, RegisterLocation, RotateScanPoint } from './location.commands';
import { existing, locationDecider, type LocationState } from './location.decider';

const spec = deciderSpec(locationDecider);
const tenantId = 'tenant-1';
const otherTenant = 'tenant-2';
const locationId = 'location-1';
const areaId = 'area-1';
const scanPointId = 'scan-point-1';
const at = '2027-03-01T09:00:00.000Z';
const later = '2027-03-02T09:00:00.000Z';
const code = '9F86D081884C7D659A2FEAA0C55AD015';
const newCode = 'A665A45920422F9D417E4867EFDC4FB8';
const geofence = { lat: 51.5362, lon: -0.1033, radiusMeters: 150 };

// ---- commands ----
const register = (overrides: Partial<RegisterLocation['data']> = {}): RegisterLocation => ({
  type: 'RegisterLocation',
  data: { tenantId, locationId, name: 'St Mary Clinic', address: '12 High Street, London', timezone: 'Europe/London', sensitivity: 'healthcare', geofence, clockInPolicy: 'flag', at, ...overrides },
});
const addArea = (overrides: Partial<AddArea['data']> = {}): AddArea => ({
  type: 'AddArea',
  data: { tenantId, locationId, areaId, name: 'Ground floor restroom', kind: 'restroom', at: later, ...overrides },
});
const issue = (overrides: Partial<IssueScanPoint['data']> = {}): IssueScanPoint => ({
  type: 'IssueScanPoint',
  data: { tenantId, locationId, areaId, scanPointId, method: 'qr', code, at: later, ...overrides },
});
const rotate = (overrides: Partial<RotateScanPoint['data']> = {}): RotateScanPoint => ({
  type: 'RotateScanPoint',
  data: { tenantId, locationId, areaId, scanPointId, code: newCode, at: later, ...overrides },
});

// ---- events ----
const registered = (overrides: Partial<LocationRegistered['data']> = {}): LocationRegistered => ({
  type: 'scheduling.LocationRegistered',
  schemaVersion: 1,
  data: { tenantId, locationId, name: 'St Mary Clinic', address: '12 High Street, London', timezone: 'Europe/London', sensitivity: 'healthcare', geofence, clockInPolicy: 'flag', registeredAt: at, ...overrides },
});
const areaAdded = (overrides: Partial<AreaAdded['data']> = {}): AreaAdded => ({
  type: 'scheduling.AreaAdded',
  schemaVersion: 1,
  data: { tenantId, locationId, areaId, name: 'Ground floor restroom', kind: 'restroom', addedAt: later, ...overrides },
});
const issued = (overrides: Partial<ScanPointIssued['data']> = {}): ScanPointIssued => ({
  type: 'scheduling.ScanPointIssued',
  schemaVersion: 1,
  data: { tenantId, locationId, areaId, scanPointId, method: 'qr', code, issuedAt: later, ...overrides },
});
const rotated = (overrides: Partial<ScanPointRotated['data']> = {}): ScanPointRotated => ({
  type: 'scheduling.ScanPointRotated',
  schemaVersion: 1,
  data: { tenantId, locationId, areaId, scanPointId, code: newCode, rotatedAt: later, ...overrides },
});

describe('locationDecider', () => {
  describe('RegisterLocation', () => {
    it('registers a new location', () => {
      spec.given([]).when(register()).then([registered()]);
    });

    it('trims the name and address', () => {
      spec.given([]).when(register({ name: '  St Mary Clinic ', address: ' 12 High Street, London  ' })).then([registered()]);
    });

    it('starts with no areas', () => {
      spec
        .given([])
        .when(register())
        .thenState({ status: 'registered', tenantId, locationId, name: 'St Mary Clinic', timezone: 'Europe/London', sensitivity: 'healthcare', geofence, clockInPolicy: 'flag', areas: {} });
    });

    it('refuses to register the same location twice', () => {
      spec.given([registered()]).when(register()).thenThrows(ConflictError, 'location_exists');
    });

    it('refuses an unknown time zone', () => {
      spec.given([]).when(register({ timezone: 'Europe/Atlantis' })).thenThrows(ValidationError, 'unknown_timezone');
      spec.given([]).when(register({ timezone: '' })).thenThrows(ValidationError, 'unknown_timezone');
    });

    it.each([
      ['latitude above 90', { ...geofence, lat: 90.01 }],
      ['latitude below -90', { ...geofence, lat: -91 }],
      ['longitude above 180', { ...geofence, lon: 180.5 }],
      ['longitude below -180', { ...geofence, lon: -181 }],
      ['a radius under 1 m', { ...geofence, radiusMeters: 0.5 }],
      ['a radius over 100 km', { ...geofence, radiusMeters: 100_001 }],
      ['a latitude that is not a number', { ...geofence, lat: '51.5' }],
      ['an infinite longitude', { ...geofence, lon: Number.POSITIVE_INFINITY }],
      ['NaN radius', { ...geofence, radiusMeters: Number.NaN }],
      ['no radius', { lat: 1, lon: 1 }],
      ['no geofence', null],
    ])('refuses a geofence with %s', (_case, bad) => {
      spec
        .given([])
        .when(register({ geofence: bad as unknown as RegisterLocation['data']['geofence'] }))
        .thenThrows(ValidationError, 'validation_failed');
    });

    it('accepts a geofence on its bounds', () => {
      const edge = { lat: -90, lon: 180, radiusMeters: 100_000 };
      spec.given([]).when(register({ geofence: edge })).then([registered({ geofence: edge })]);
    });

    it('keeps only lat, lon and radius of a geofence', () => {
      const noisy = { ...geofence, altitude: 30 } as unknown as RegisterLocation['data']['geofence'];
      spec.given([]).when(register({ geofence: noisy })).then([registered()]);
    });

    it('refuses a sensitivity or clock-in policy outside the vocabulary', () => {
      spec.given([]).when(register({ sensitivity: 'secret' as never })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(register({ clockInPolicy: 'ignore' as never })).thenThrows(ValidationError, 'validation_failed');
    });

    it('accepts every sensitivity and policy of the vocabulary', () => {
      spec.given([]).when(register({ sensitivity: 'government', clockInPolicy: 'refuse' })).then([registered({ sensitivity: 'government', clockInPolicy: 'refuse' })]);
      spec.given([]).when(register({ sensitivity: 'standard' })).then([registered({ sensitivity: 'standard' })]);
    });

    it('refuses a blank or over-long name or address, and a bad timestamp', () => {
      spec.given([]).when(register({ name: '   ' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(register({ name: 'x'.repeat(201) })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(register({ address: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(register({ address: 'x'.repeat(501) })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(register({ at: 'now' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(register({ tenantId: '' })).thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('AddArea', () => {
    it('adds an area', () => {
      spec.given([registered()]).when(addArea()).then([areaAdded()]);
    });

    it('repeating the same area emits nothing', () => {
      spec.given([registered(), areaAdded()]).when(addArea()).thenNothing();
    });

    it('refuses the same area id with another name or kind', () => {
      spec.given([registered(), areaAdded()]).when(addArea({ name: 'Lobby' })).thenThrows(ConflictError, 'area_exists');
      spec.given([registered(), areaAdded()]).when(addArea({ kind: 'lobby' })).thenThrows(ConflictError, 'area_exists');
    });

    it('refuses a second area with the same name, whatever its case', () => {
      spec.given([registered(), areaAdded()]).when(addArea({ areaId: 'area-2' })).thenThrows(ConflictError, 'area_exists');
      spec.given([registered(), areaAdded()]).when(addArea({ areaId: 'area-2', name: 'GROUND FLOOR RESTROOM ' })).thenThrows(ConflictError, 'area_exists');
    });

    it('adds a second area with another name', () => {
      spec
        .given([registered(), areaAdded()])
        .when(addArea({ areaId: 'area-2', name: 'Theatre 1', kind: 'operating-room' }))
        .then([areaAdded({ areaId: 'area-2', name: 'Theatre 1', kind: 'operating-room' })]);
    });

    it.each([['Restroom'], ['-restroom'], ['rest room'], ['x'.repeat(65)], ['']])('refuses the kind %p (not a lower-case slug)', (kind) => {
      spec.given([registered()]).when(addArea({ kind })).thenThrows(ValidationError, 'validation_failed');
    });

    it('accepts a slug of 64 characters', () => {
      const kind = `a${'-'.repeat(63)}`;
      spec.given([registered()]).when(addArea({ kind })).then([areaAdded({ kind })]);
    });

    it('refuses a blank name', () => {
      spec.given([registered()]).when(addArea({ name: ' ' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('is not found before the location is registered', () => {
      spec.given([]).when(addArea()).thenThrows(NotFoundError, 'location_not_found');
    });

    it("treats another tenant's location as none", () => {
      spec.given([registered()]).when(addArea({ tenantId: otherTenant })).thenThrows(NotFoundError, 'location_not_found');
    });
  });

  describe('IssueScanPoint', () => {
    it('issues a scan point to an area', () => {
      spec.given([registered(), areaAdded()]).when(issue()).then([issued()]);
      spec.given([registered(), areaAdded()]).when(issue({ method: 'nfc' })).then([issued({ method: 'nfc' })]);
    });

    it('records the point under its area', () => {
      spec
        .given([registered(), areaAdded()])
        .when(issue())
        .thenState({
          status: 'registered',
          tenantId,
          locationId,
          name: 'St Mary Clinic',
          timezone: 'Europe/London',
          sensitivity: 'healthcare',
          geofence,
          clockInPolicy: 'flag',
          areas: { [areaId]: { name: 'Ground floor restroom', kind: 'restroom', scanPoints: { [scanPointId]: { method: 'qr', code } } } },
        });
    });

    it('refuses an unknown area', () => {
      spec.given([registered(), areaAdded()]).when(issue({ areaId: 'area-9' })).thenThrows(NotFoundError, 'area_not_found');
    });

    it('refuses to issue the same scan point twice', () => {
      spec.given([registered(), areaAdded(), issued()]).when(issue({ code: newCode })).thenThrows(ConflictError, 'scan_point_exists');
    });

    it.each([['9f86d081884c7d659a2feaa0c55ad015'], ['9F86D081884C7D659A2FEAA0C55AD01'], [`${code}0`], ['ZZ86D081884C7D659A2FEAA0C55AD015']])('refuses the code %p', (bad) => {
      spec.given([registered(), areaAdded()]).when(issue({ code: bad })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses a method other than qr or nfc', () => {
      spec.given([registered(), areaAdded()]).when(issue({ method: 'barcode' as never })).thenThrows(ValidationError, 'validation_failed');
    });

    it("treats another tenant's location as none", () => {
      spec.given([registered(), areaAdded()]).when(issue({ tenantId: otherTenant })).thenThrows(NotFoundError, 'location_not_found');
    });
  });

  describe('RotateScanPoint', () => {
    it('replaces the code of a scan point', () => {
      spec.given([registered(), areaAdded(), issued()]).when(rotate()).then([rotated()]);
    });

    it('keeps the method and holds only the new code', () => {
      const state = foldEvents(locationDecider, [registered(), areaAdded(), issued({ method: 'nfc' }), rotated()]);
      expect(existing(state, tenantId).areas[areaId].scanPoints).toEqual({ [scanPointId]: { method: 'nfc', code: newCode } });
    });

    it('can rotate again, back to an earlier code', () => {
      spec.given([registered(), areaAdded(), issued(), rotated()]).when(rotate({ code })).then([rotated({ code })]);
    });

    it('refuses the same code again', () => {
      spec.given([registered(), areaAdded(), issued()]).when(rotate({ code })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses a malformed code', () => {
      spec.given([registered(), areaAdded(), issued()]).when(rotate({ code: 'not-hex' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses an unknown scan point, or a known one under another area', () => {
      spec.given([registered(), areaAdded(), issued()]).when(rotate({ scanPointId: 'scan-point-9' })).thenThrows(NotFoundError, 'scan_point_not_found');
      spec
        .given([registered(), areaAdded(), areaAdded({ areaId: 'area-2', name: 'Lobby', kind: 'lobby' }), issued()])
        .when(rotate({ areaId: 'area-2' }))
        .thenThrows(NotFoundError, 'scan_point_not_found');
      spec.given([registered(), areaAdded(), issued()]).when(rotate({ areaId: 'area-9' })).thenThrows(NotFoundError, 'scan_point_not_found');
    });

    it("treats another tenant's location as none", () => {
      spec.given([registered(), areaAdded(), issued()]).when(rotate({ tenantId: otherTenant })).thenThrows(NotFoundError, 'location_not_found');
    });
  });

  describe('evolve', () => {
    it('ignores scan point events for an unknown area or point', () => {
      const base = foldEvents(locationDecider, [registered(), areaAdded()]);
      const after = foldEvents(locationDecider, [registered(), areaAdded(), issued({ areaId: 'area-9' }), rotated({ scanPointId: 'scan-point-9' })]);
      expect(after).toEqual(base);
    });

    it('ignores area events before registration', () => {
      const none: LocationState = { status: 'none' };
      expect(foldEvents(locationDecider, [areaAdded()])).toEqual(none);
    });
  });
});

describe('existing', () => {
  it('returns the location of the tenant, NotFoundError otherwise', () => {
    const state = foldEvents(locationDecider, [registered()]);
    expect(existing(state, tenantId).locationId).toBe(locationId);
    expect(() => existing(state, otherTenant)).toThrow(expect.objectContaining({ code: 'location_not_found' }));
    expect(() => existing({ status: 'none' }, tenantId)).toThrow(NotFoundError);
  });
});
