import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAgainstSchema } from '@custodian/testing';
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
const FIXTURE_NAME = /^(scheduling\.[A-Za-z]+)\.v(\d+)\.json$/;

type Json = Record<string, unknown>;
type Fixture = { file: string; type: string; version: number; json: Json };

function check(schema: Json, value: unknown, path = '$'): string[] {
  return checkAgainstSchema(schema, value, path);
}

function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      const match = FIXTURE_NAME.exec(file);
      if (!match) throw new Error(`Fixture ${file} is not named <type>.v<version>.json`);
      const json = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Json;
      return { file, type: match[1], version: Number(match[2]), json };
    });
}

function schemaFor(type: string, version: number): Json | undefined {
  if (!isSchedulingEventType(type)) return undefined;
  const versions: Readonly<Record<number, Json>> = SCHEDULING_EVENT_SCHEMAS[type];
  return versions[version];
}

function dataSchemaOf(schema: Json): { required: readonly string[]; properties: Json } {
  return (schema['properties'] as Json)['data'] as { required: readonly string[]; properties: Json };
}

const fixtures = loadFixtures();

describe('scheduling event fixtures', () => {
  it('has a v1 fixture for every published event type', () => {
    const present = new Set(fixtures.map((f) => `${f.type}.v${f.version}`));
    const missing = SCHEDULING_EVENT_TYPES.filter((type) => !present.has(`${type}.v1`));
    expect(missing).toEqual([]);
  });

  it('has a schema for every type and version a fixture names', () => {
    const orphans = fixtures.filter((f) => schemaFor(f.type, f.version) === undefined).map((f) => f.file);
    expect(orphans).toEqual([]);
  });

  describe.each(fixtures.map((f) => [f.file, f] as const))('%s', (_file, fixture) => {
    const schema = schemaFor(fixture.type, fixture.version) as Json;

    it('names its type and schema version as the file does', () => {
      expect(fixture.json['type']).toBe(fixture.type);
      expect(fixture.json['schemaVersion']).toBe(fixture.version);
      expect(Object.keys(fixture.json).sort()).toEqual(['data', 'schemaVersion', 'type']);
    });

    it('carries exactly the data keys the schema requires', () => {
      const data = fixture.json['data'] as Json;
      expect(Object.keys(data).sort()).toEqual([...dataSchemaOf(schema).required].sort());
    });

    it('is valid against its JSON schema', () => {
      expect(check(schema, fixture.json)).toEqual([]);
    });

    it('is read by the current code as the current version', () => {
      const event = upcastSchedulingEvent(fixture.json as Pick<SchedulingEvent, 'type' | 'schemaVersion' | 'data'>);
      expect(event.type).toBe(fixture.type);
      expect(event.schemaVersion).toBe(1);
      expect(event.data).toEqual(fixture.json['data']);
    });

    // The schema check must catch a broken event, or the tests above would prove nothing.
    it('is rejected by its schema once broken', () => {
      const data = fixture.json['data'] as Json;
      for (const key of dataSchemaOf(schema).required) {
        const { [key]: _dropped, ...without } = data;
        expect(check(schema, { ...fixture.json, data: without })).toContain(`$.data: missing required ${key}`);
      }
      expect(check(schema, { ...fixture.json, data: { ...data, extra: 'x' } })).toContain('$.data: unexpected property extra');
      expect(check(schema, { ...fixture.json, schemaVersion: 99 })).not.toEqual([]);
      expect(check(schema, { ...fixture.json, type: 'scheduling.Other' })).not.toEqual([]);
      expect(check(schema, { ...fixture.json, data: { ...data, tenantId: '' } })).toEqual(['$.data.tenantId: shorter than 1']);
    });
  });
});

describe('scheduling event schemas', () => {
  it.each(SCHEDULING_EVENT_TYPES.map((t) => [t]))('%s v1 is a closed draft 2020-12 object schema', (type) => {
    const schema = schemaFor(type, 1) as Json;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBe(`urn:custodian:event:${type}:v1`);
    expect(schema['additionalProperties']).toBe(false);
    expect(dataSchemaOf(schema)).toMatchObject({ additionalProperties: false });
    expect(Object.keys(dataSchemaOf(schema).properties).sort()).toEqual([...dataSchemaOf(schema).required].sort());
  });

  it('lists every type once', () => {
    expect(new Set(SCHEDULING_EVENT_TYPES).size).toBe(SCHEDULING_EVENT_TYPES.length);
    expect(SCHEDULING_EVENT_TYPES).toHaveLength(14);
    expect(Object.keys(SCHEDULING_EVENT_SCHEMAS).sort()).toEqual([...SCHEDULING_EVENT_TYPES].sort());
  });
});

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
