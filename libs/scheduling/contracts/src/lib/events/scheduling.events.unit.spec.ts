import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAgainstSchema, describeEventContract } from '@custodian/testing';
import type { ChecklistTask, ClockInPolicy, Geofence, PinnedChecklist, ScanMethod, Sensitivity } from '../vocabulary';
import type { SchedulingEvent, SchedulingEventType } from './scheduling.events';
import { isSchedulingEventType, SCHEDULING_EVENT_TYPES } from './scheduling.events';
import { SCHEDULING_EVENT_SCHEMAS } from './scheduling.schemas';
import { upcastSchedulingEvent } from './scheduling.upcast';

/*
 * Every version of every published event keeps a JSON fixture (src/fixtures/<type>.v<n>.json)
 * that must stay valid against its schema and readable by the current code — forever.
 * The TypeScript shapes are tied to the schemas at compile time (bottom of this file).
 */

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

type Json = Record<string, unknown>;

function check(schema: Json, value: unknown, path = '$'): string[] {
  return checkAgainstSchema(schema, value, path);
}

// The fixture and schema contract every context keeps (libs/testing); this context's own rules follow.
describeEventContract({ context: 'scheduling', fixturesDir: FIXTURES, types: SCHEDULING_EVENT_TYPES, schemas: SCHEDULING_EVENT_SCHEMAS, upcast: (e) => upcastSchedulingEvent(e) });

describe('scheduling event schemas: field rules', () => {
  const fixture = (type: SchedulingEventType) => JSON.parse(readFileSync(join(FIXTURES, `${type}.v1.json`), 'utf8')) as { type: string; schemaVersion: number; data: Json };
  const checkData = (type: SchedulingEventType, data: Json) => {
    const base = fixture(type);
    return check(SCHEDULING_EVENT_SCHEMAS[type][1], { ...base, data: { ...base.data, ...data } });
  };

  it('holds a location to its vocabularies and a geofence to the globe', () => {
    const geofence: Geofence = { lat: 51.5, lon: -0.1, radiusMeters: 150 };
    expect(checkData('scheduling.LocationRegistered', { sensitivity: 'government', clockInPolicy: 'refuse' })).toEqual([]);
    expect(checkData('scheduling.LocationRegistered', { sensitivity: 'secret' })).not.toEqual([]);
    expect(checkData('scheduling.LocationRegistered', { clockInPolicy: 'ignore' })).not.toEqual([]);
    expect(checkData('scheduling.LocationRegistered', { geofence: { ...geofence, lat: 90.5 } })).toEqual(['$.data.geofence.lat: greater than 90']);
    expect(checkData('scheduling.LocationRegistered', { geofence: { ...geofence, lon: -180.1 } })).toEqual(['$.data.geofence.lon: less than -180']);
    expect(checkData('scheduling.LocationRegistered', { geofence: { ...geofence, radiusMeters: 0 } })).toEqual(['$.data.geofence.radiusMeters: less than 1']);
    expect(checkData('scheduling.LocationRegistered', { geofence: { lat: 1, lon: 1 } })).toEqual(['$.data.geofence: missing required radiusMeters']);
    expect(checkData('scheduling.LocationRegistered', { geofence: { ...geofence, alt: 3 } })).toEqual(['$.data.geofence: unexpected property alt']);
  });

  it('holds area kinds to lower-case slugs', () => {
    expect(checkData('scheduling.AreaAdded', { kind: 'operating-room' })).toEqual([]);
    expect(checkData('scheduling.AreaAdded', { kind: 'Restroom' })).not.toEqual([]);
    expect(checkData('scheduling.AreaAdded', { kind: '-restroom' })).not.toEqual([]);
    expect(checkData('scheduling.AreaAdded', { kind: 'a'.repeat(65) })).not.toEqual([]);
    expect(checkData('scheduling.ChecklistCreated', { areaKind: 'rest room' })).not.toEqual([]);
  });

  it('holds scan codes to 32 upper-case hex digits and methods to qr or nfc', () => {
    expect(checkData('scheduling.ScanPointIssued', { method: 'nfc' })).toEqual([]);
    expect(checkData('scheduling.ScanPointIssued', { method: 'barcode' })).not.toEqual([]);
    expect(checkData('scheduling.ScanPointIssued', { code: '9f86d081884c7d659a2feaa0c55ad015' })).not.toEqual([]);
    expect(checkData('scheduling.ScanPointRotated', { code: 'A665A45920422F9D417E4867EFDC4F' })).not.toEqual([]);
  });

  it('numbers checklist versions: created is 1, a revision 2 or more', () => {
    expect(checkData('scheduling.ChecklistCreated', { version: 2 })).not.toEqual([]);
    expect(checkData('scheduling.ChecklistRevised', { version: 7 })).toEqual([]);
    expect(checkData('scheduling.ChecklistRevised', { version: 1 })).toEqual(['$.data.version: less than 2']);
    expect(checkData('scheduling.ChecklistRevised', { version: 2.5 })).toEqual(['$.data.version: expected integer, got number']);
  });

  it('holds checklist tasks to 1-500 closed objects', () => {
    const task: ChecklistTask = { taskId: 't-1', title: 'Mop', required: true };
    expect(checkData('scheduling.ChecklistCreated', { tasks: [] })).toEqual(['$.data.tasks: fewer than 1 items']);
    expect(checkData('scheduling.ChecklistCreated', { tasks: Array.from({ length: 500 }, (_, i) => ({ ...task, taskId: `t-${i}` })) })).toEqual([]);
    expect(checkData('scheduling.ChecklistCreated', { tasks: Array.from({ length: 501 }, (_, i) => ({ ...task, taskId: `t-${i}` })) })).toEqual([
      '$.data.tasks: more than 500 items',
    ]);
    expect(checkData('scheduling.ChecklistRevised', { tasks: [{ ...task, required: 'yes' }] })).toEqual(['$.data.tasks[0].required: expected boolean, got string']);
    expect(checkData('scheduling.ChecklistRevised', { tasks: [{ taskId: 't-1', title: 'Mop' }] })).toEqual(['$.data.tasks[0]: missing required required']);
    expect(checkData('scheduling.ChecklistRevised', { tasks: [{ ...task, title: '' }] })).toEqual(['$.data.tasks[0].title: shorter than 1']);
  });

  it('keeps local times without an offset and instants as RFC 3339', () => {
    expect(checkData('scheduling.ShiftScheduled', { localStart: '2027-03-21T22:00:00Z' })).not.toEqual([]);
    expect(checkData('scheduling.ShiftRescheduled', { localEnd: '2027-03-22T06:00' })).not.toEqual([]);
    expect(checkData('scheduling.ShiftScheduled', { start: '2027-03-21 22:00' })).toEqual(['$.data.start: not an RFC 3339 date-time']);
    expect(checkData('scheduling.CleanerBooked', { end: 'tomorrow' })).toEqual(['$.data.end: not an RFC 3339 date-time']);
  });

  it('accepts a shift outside a series (null) and pins a whole checklist version', () => {
    expect(checkData('scheduling.ShiftScheduled', { seriesId: null })).toEqual([]);
    expect(checkData('scheduling.ShiftScheduled', { seriesId: '' })).not.toEqual([]);
    expect(checkData('scheduling.ShiftScheduled', { seriesId: 7 })).not.toEqual([]);
    expect(checkData('scheduling.ShiftScheduled', { checklist: { checklistId: 'c-1', version: 0 } })).toEqual(['$.data.checklist.version: less than 1']);
    expect(checkData('scheduling.ShiftScheduled', { checklist: { checklistId: 'c-1' } })).toEqual(['$.data.checklist: missing required version']);
  });

  it('carries a cancellation reason only encrypted', () => {
    expect(checkData('scheduling.ShiftCancelled', { reasonEncrypted: '' })).not.toEqual([]);
    expect(checkData('scheduling.ShiftCancelled', { reason: 'Client closed' })).toEqual(['$.data: unexpected property reason']);
  });
});

describe('upcastSchedulingEvent', () => {
  it('rejects an unknown schema version instead of guessing', () => {
    expect(() => upcastSchedulingEvent({ type: 'scheduling.ShiftScheduled', schemaVersion: 2, data: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported_event_version', retriable: false }),
    );
  });

  it('rejects a type outside the scheduling contract', () => {
    expect(() => upcastSchedulingEvent({ type: 'identity.UserRegistered', schemaVersion: 1, data: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported_event_version', retriable: false }),
    );
  });

  it('does not take an inherited property for a version', () => {
    expect(() => upcastSchedulingEvent({ type: 'scheduling.AreaAdded', schemaVersion: 'toString' as unknown as number, data: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported_event_version' }),
    );
  });
});

describe('isSchedulingEventType', () => {
  it('knows the published types and nothing else', () => {
    expect(SCHEDULING_EVENT_TYPES.every(isSchedulingEventType)).toBe(true);
    expect(isSchedulingEventType('scheduling.ShiftDeleted')).toBe(false);
    expect(isSchedulingEventType('ShiftScheduled')).toBe(false);
  });
});

// ---- Compile-time: the TS event types and the JSON schemas describe the same shapes. ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Schemas = typeof SCHEDULING_EVENT_SCHEMAS;
type V1<K extends SchedulingEventType> = Schemas[K][1];
type DataOf<K extends SchedulingEventType> = Extract<SchedulingEvent, { type: K }>['data'];
type SchemaDataKeys<S> = S extends { properties: { data: { properties: infer P } } } ? keyof P : never;
type SchemaRequired<S> = S extends { properties: { data: { required: readonly (infer R)[] } } } ? R : never;
type SchemaConst<S, F extends string> = S extends { properties: { [P in F]: { const: infer C } } } ? C : never;
type ObjectKeys<S> = S extends { properties: infer P } ? keyof P : never;
type ObjectRequired<S> = S extends { required: readonly (infer R)[] } ? R : never;

type KeysMismatch = {
  [K in SchedulingEventType]: Equal<SchemaDataKeys<V1<K>>, keyof DataOf<K>> extends true ? never : K;
}[SchedulingEventType];
type RequiredMismatch = {
  [K in SchedulingEventType]: Equal<SchemaRequired<V1<K>>, keyof DataOf<K>> extends true ? never : K;
}[SchedulingEventType];
type ConstMismatch = {
  [K in SchedulingEventType]: Equal<SchemaConst<V1<K>, 'type'>, K> extends true
    ? Equal<SchemaConst<V1<K>, 'schemaVersion'>, Extract<SchedulingEvent, { type: K }>['schemaVersion']> extends true
      ? never
      : K
    : K;
}[SchedulingEventType];
type LocationProps = V1<'scheduling.LocationRegistered'>['properties']['data']['properties'];
type IssuedProps = V1<'scheduling.ScanPointIssued'>['properties']['data']['properties'];
type CreatedProps = V1<'scheduling.ChecklistCreated'>['properties']['data']['properties'];
type RevisedProps = V1<'scheduling.ChecklistRevised'>['properties']['data']['properties'];
type ScheduledProps = V1<'scheduling.ShiftScheduled'>['properties']['data']['properties'];

const _schemasMatchTypes: [
  Equal<KeysMismatch, never>,
  Equal<RequiredMismatch, never>,
  Equal<ConstMismatch, never>,
  Equal<LocationProps['sensitivity']['enum'][number], Sensitivity>,
  Equal<LocationProps['clockInPolicy']['enum'][number], ClockInPolicy>,
  Equal<ObjectKeys<LocationProps['geofence']>, keyof Geofence>,
  Equal<ObjectRequired<LocationProps['geofence']>, keyof Geofence>,
  Equal<IssuedProps['method']['enum'][number], ScanMethod>,
  Equal<CreatedProps['version']['const'], DataOf<'scheduling.ChecklistCreated'>['version']>,
  Equal<ObjectKeys<CreatedProps['tasks']['items']>, keyof ChecklistTask>,
  Equal<ObjectRequired<CreatedProps['tasks']['items']>, keyof ChecklistTask>,
  Equal<ObjectKeys<RevisedProps['tasks']['items']>, keyof ChecklistTask>,
  Equal<ObjectKeys<ScheduledProps['checklist']>, keyof PinnedChecklist>,
  Equal<ObjectRequired<ScheduledProps['checklist']>, keyof PinnedChecklist>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true];
void _schemasMatchTypes;
