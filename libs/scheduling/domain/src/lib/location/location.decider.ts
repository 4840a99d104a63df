import { assertNever, ConflictError, invalid, NotFoundError, requireText, requireTimestamp, type Decider } from '@custodian/kernel';
import { CLOCK_IN_POLICIES, SCAN_METHODS, SENSITIVITIES, type ClockInPolicy, type Geofence, type LocationEvent, type ScanMethod, type Sensitivity } from '@custodian/scheduling/contracts';
import { requireTimezone } from '../time/shift-time';
import type { AddArea, IssueScanPoint, RegisterLocation, RotateScanPoint } from './location.commands';

export type LocationCommand = RegisterLocation | AddArea | IssueScanPoint | RotateScanPoint;

export type ScanPointState = { method: ScanMethod; code: string };
export type AreaState = { name: string; kind: string; scanPoints: Record<string, ScanPointState> };
export type RegisteredLocation = {
  status: 'registered';
  tenantId: string;
  locationId: string;
  name: string;
  timezone: string;
  sensitivity: Sensitivity;
  geofence: Geofence;
  clockInPolicy: ClockInPolicy;
  areas: Record<string, AreaState>;
};
export type LocationState = { status: 'none' } | RegisteredLocation;

const KIND = /^[a-z0-9][a-z0-9-]{0,63}$/;
const CODE = /^[0-9A-F]{32}$/;

/**
 * A client site with its areas and their scan points, one stream per location.
 * - Another tenant's location is indistinguishable from none (NotFoundError `location_not_found`).
 * - Area names are unique within a location (ConflictError `area_exists`); area kinds are
 *   lower-case slugs matched against checklists' `areaKind`.
 * - A scan code belongs to exactly one scan point of one area; rotation replaces it.
 */
export const locationDecider: Decider<LocationState, LocationCommand, LocationEvent> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'RegisterLocation':
        return register(command, state);
      case 'AddArea':
        return addArea(command, existing(state, command.data.tenantId));
      case 'IssueScanPoint':
        return issue(command, existing(state, command.data.tenantId));
      case 'RotateScanPoint':
        return rotate(command, existing(state, command.data.tenantId));
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'scheduling.LocationRegistered': {
        const d = event.data;
        return { status: 'registered', tenantId: d.tenantId, locationId: d.locationId, name: d.name, timezone: d.timezone, sensitivity: d.sensitivity, geofence: d.geofence, clockInPolicy: d.clockInPolicy, areas: {} };
      }
      case 'scheduling.AreaAdded':
        if (state.status !== 'registered') return state;
        return { ...state, areas: { ...state.areas, [event.data.areaId]: { name: event.data.name, kind: event.data.kind, scanPoints: {} } } };
      case 'scheduling.ScanPointIssued':
      case 'scheduling.ScanPointRotated': {
        if (state.status !== 'registered') return state;
        const area = state.areas[event.data.areaId];
        if (!area) return state;
        const method = event.type === 'scheduling.ScanPointIssued' ? event.data.method : area.scanPoints[event.data.scanPointId]?.method;
        if (!method) return state;
        const scanPoints = { ...area.scanPoints, [event.data.scanPointId]: { method, code: event.data.code } };
        return { ...state, areas: { ...state.areas, [event.data.areaId]: { ...area, scanPoints } } };
      }
      default:
        return assertNever(event, 'event');
    }
  },
};

function register({ data }: RegisterLocation, state: LocationState): LocationEvent[] {
  const registered = {
    tenantId: requireText(data.tenantId, 'tenantId'),
    locationId: requireText(data.locationId, 'locationId'),
    name: boundedText(data.name, 'name', 200),
    address: boundedText(data.address, 'address', 500),
    timezone: requireTimezone(data.timezone),
    sensitivity: oneOf(data.sensitivity, SENSITIVITIES, 'sensitivity'),
    geofence: validGeofence(data.geofence),
    clockInPolicy: oneOf(data.clockInPolicy, CLOCK_IN_POLICIES, 'clockInPolicy'),
    registeredAt: requireTimestamp(data.at, 'at'),
  };
  if (state.status !== 'none') throw new ConflictError('The location already exists', 'location_exists');
  return [{ type: 'scheduling.LocationRegistered', schemaVersion: 1, data: registered }];
}

function addArea({ data }: AddArea, location: RegisteredLocation): LocationEvent[] {
  const areaId = requireText(data.areaId, 'areaId');
  const name = boundedText(data.name, 'name', 200);
  if (typeof data.kind !== 'string' || !KIND.test(data.kind)) throw invalid('kind', 'kind must be a lower-case slug (letters, digits, -), at most 64 characters');
  const addedAt = requireTimestamp(data.at, 'at');
  const existingArea = location.areas[areaId];
  if (existingArea) {
    if (existingArea.name === name && existingArea.kind === data.kind) return [];
    throw new ConflictError('The area already exists', 'area_exists');
  }
  if (Object.values(location.areas).some((a) => a.name.toLowerCase() === name.toLowerCase())) throw new ConflictError(`The location already has an area named ${name}`, 'area_exists');
  return [{ type: 'scheduling.AreaAdded', schemaVersion: 1, data: { tenantId: location.tenantId, locationId: location.locationId, areaId, name, kind: data.kind, addedAt } }];
}

function issue({ data }: IssueScanPoint, location: RegisteredLocation): LocationEvent[] {
  const areaId = requireText(data.areaId, 'areaId');
  const scanPointId = requireText(data.scanPointId, 'scanPointId');
  const method = oneOf(data.method, SCAN_METHODS, 'method');
  const code = validCode(data.code);
  const issuedAt = requireTimestamp(data.at, 'at');
  const area = location.areas[areaId];
  if (!area) throw new NotFoundError('Area not found', 'area_not_found');
  if (area.scanPoints[scanPointId]) throw new ConflictError('The scan point already exists', 'scan_point_exists');
  return [{ type: 'scheduling.ScanPointIssued', schemaVersion: 1, data: { tenantId: location.tenantId, locationId: location.locationId, areaId, scanPointId, method, code, issuedAt } }];
}

function rotate({ data }: RotateScanPoint, location: RegisteredLocation): LocationEvent[] {
  const code = validCode(data.code);
  const rotatedAt = requireTimestamp(data.at, 'at');
  const area = location.areas[data.areaId];
  const point = area?.scanPoints[data.scanPointId];
  if (!area || !point) throw new NotFoundError('Scan point not found', 'scan_point_not_found');
  if (point.code === code) throw invalid('code', 'A rotated code must differ from the current one');
  return [{ type: 'scheduling.ScanPointRotated', schemaVersion: 1, data: { tenantId: location.tenantId, locationId: location.locationId, areaId: data.areaId, scanPointId: data.scanPointId, code, rotatedAt } }];
}

/** The location when it exists in `tenantId`; NotFoundError otherwise. */
export function existing(state: LocationState, tenantId: string): RegisteredLocation {
  if (state.status !== 'registered' || state.tenantId !== tenantId) throw new NotFoundError('Location not found', 'location_not_found');
  return state;
}

function boundedText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) throw invalid(field, `${field} must be 1-${max} characters`);
  return value.trim();
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw invalid(field, `${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function validGeofence(value: unknown): Geofence {
  const g = value as Partial<Geofence> | null;
  const num = (n: unknown, min: number, max: number) => typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max;
  if (!g || typeof g !== 'object' || !num(g.lat, -90, 90) || !num(g.lon, -180, 180) || !num(g.radiusMeters, 1, 100_000)) {
    throw invalid('geofence', 'geofence needs lat (-90..90), lon (-180..180) and radiusMeters (1..100000)');
  }
  return { lat: g.lat as number, lon: g.lon as number, radiusMeters: g.radiusMeters as number };
}

function validCode(value: unknown): string {
  if (typeof value !== 'string' || !CODE.test(value)) throw invalid('code', 'A scan code is 32 upper-case hex digits');
  return value;
}
