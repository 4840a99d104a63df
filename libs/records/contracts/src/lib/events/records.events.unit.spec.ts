import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAgainstSchema, describeEventContract } from '@custodian/testing';
import type { ClockMethod, CorrectionTarget, Flag, FlagCode, GeoReading, InspectionItem, ScoringMethod } from '../vocabulary';
import { CLOCK_METHODS, FLAG_CODES } from '../vocabulary';
import type { ClockEvidence, RecordEvent, RecordsEventType } from './records.events';
import { isRecordsEventType, RECORDS_EVENT_TYPES } from './records.events';
import { RECORDS_EVENT_SCHEMAS } from './records.schemas';
import { upcastRecordsEvent } from './records.upcast';

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
describeEventContract({ context: 'records', fixturesDir: FIXTURES, types: RECORDS_EVENT_TYPES, schemas: RECORDS_EVENT_SCHEMAS, upcast: (e) => upcastRecordsEvent(e) });

describe('records event schemas', () => {

  it('keeps the published clock methods and flag codes', () => {
    expect(CLOCK_METHODS).toEqual(['qr', 'nfc', 'gps', 'manual']);
    expect(FLAG_CODES).toEqual(['outside_geofence', 'geofence_uncertain', 'no_location_evidence', 'outside_shift_window']);
  });
});

describe('records event schemas: field rules', () => {
  const fixture = (type: RecordsEventType) => JSON.parse(readFileSync(join(FIXTURES, `${type}.v1.json`), 'utf8')) as { type: string; schemaVersion: number; data: Json };
  const checkData = (type: RecordsEventType, data: Json) => {
    const base = fixture(type);
    return check(RECORDS_EVENT_SCHEMAS[type][1], { ...base, data: { ...base.data, ...data } });
  };
  it.each(RECORDS_EVENT_TYPES.map((t) => [t]))('%s refuses a record id that is not a string', (type) => {
    expect(checkData(type, { recordId: null })).toEqual(['$.data.recordId: expected string, got null']);
  });

  const started = fixture('records.CleaningStarted').data;
  const clockIn = started['clockIn'] as ClockEvidence;
  const geo = clockIn.geo as GeoReading;
  const withClockIn = (over: Json) => checkData('records.CleaningStarted', { clockIn: { ...clockIn, ...over } });
  const flag: Flag = { code: 'outside_shift_window', detail: 'clock-in 20 min before the shift starts' };

  it('pins a whole checklist version', () => {
    expect(checkData('records.CleaningStarted', { checklist: { checklistId: 'c-1', version: 1 } })).toEqual([]);
    expect(checkData('records.CleaningStarted', { checklist: { checklistId: 'c-1', version: 0 } })).toEqual(['$.data.checklist.version: less than 1']);
    expect(checkData('records.CleaningStarted', { checklist: { checklistId: 'c-1', version: 1.5 } })).toEqual(['$.data.checklist.version: expected integer, got number']);
    expect(checkData('records.CleaningStarted', { checklist: { checklistId: 'c-1' } })).toEqual(['$.data.checklist: missing required version']);
  });

  it('holds clock evidence to its methods, RFC 3339 times and nullable scan, area and reading', () => {
    for (const method of CLOCK_METHODS) expect(withClockIn({ method })).toEqual([]);
    expect(withClockIn({ method: 'bluetooth' })).not.toEqual([]);
    expect(withClockIn({ at: '2027-03-21 21:52' })).toEqual(['$.data.clockIn.at: not an RFC 3339 date-time']);
    expect(withClockIn({ scanCode: null, areaId: null, geo: null })).toEqual([]);
    expect(withClockIn({ scanCode: '' })).toEqual(['$.data.clockIn.scanCode: shorter than 1']);
    expect(withClockIn({ areaId: '' })).toEqual(['$.data.clockIn.areaId: shorter than 1']);
    expect(checkData('records.CleaningStarted', { clockIn: { at: clockIn.at, method: 'manual', scanCode: null, areaId: null } })).toEqual(['$.data.clockIn: missing required geo']);
    expect(withClockIn({ ip: '10.0.0.1' })).toEqual(['$.data.clockIn: unexpected property ip']);
  });

  it('holds a reading to the globe and a sane accuracy', () => {
    expect(withClockIn({ geo: { ...geo, lat: 90, lon: -180, accuracyMeters: 0 } })).toEqual([]);
    expect(withClockIn({ geo: { ...geo, lat: 90.5 } })).toEqual(['$.data.clockIn.geo.lat: greater than 90']);
    expect(withClockIn({ geo: { ...geo, lon: 180.1 } })).toEqual(['$.data.clockIn.geo.lon: greater than 180']);
    expect(withClockIn({ geo: { ...geo, accuracyMeters: -1 } })).toEqual(['$.data.clockIn.geo.accuracyMeters: less than 0']);
    expect(withClockIn({ geo: { ...geo, accuracyMeters: 100_001 } })).toEqual(['$.data.clockIn.geo.accuracyMeters: greater than 100000']);
    expect(withClockIn({ geo: { lat: 1, lon: 1 } })).toEqual(['$.data.clockIn.geo: missing required accuracyMeters']);
    expect(withClockIn({ geo: { ...geo, alt: 12 } })).toEqual(['$.data.clockIn.geo: unexpected property alt']);
  });

  it('holds flags to the published codes, a detail and at most 10', () => {
    for (const code of FLAG_CODES) expect(checkData('records.ClockedOut', { flags: [{ code, detail: 'why' }] })).toEqual([]);
    expect(checkData('records.ClockedOut', { flags: [] })).toEqual([]);
    expect(checkData('records.ClockedOut', { flags: [{ code: 'late', detail: 'why' }] })).not.toEqual([]);
    expect(checkData('records.TaskCompleted', { flags: [{ ...flag, detail: '' }] })).toEqual(['$.data.flags[0].detail: shorter than 1']);
    expect(checkData('records.TaskCompleted', { flags: [{ ...flag, detail: 'x'.repeat(501) }] })).toEqual(['$.data.flags[0].detail: longer than 500']);
    expect(checkData('records.TaskCompleted', { flags: [{ code: flag.code }] })).toEqual(['$.data.flags[0]: missing required detail']);
    expect(checkData('records.CleaningStarted', { flags: Array.from({ length: 10 }, () => flag) })).toEqual([]);
    expect(checkData('records.CleaningStarted', { flags: Array.from({ length: 11 }, () => flag) })).toEqual(['$.data.flags: more than 10 items']);
  });

  it('holds a task photo to a lower-case SHA-256 or null, and notes to ciphertext or null', () => {
    expect(checkData('records.TaskCompleted', { photoSha256: null, notesEncrypted: null })).toEqual([]);
    expect(checkData('records.TaskCompleted', { photoSha256: 'A'.repeat(64) })).not.toEqual([]);
    expect(checkData('records.TaskCompleted', { photoSha256: 'a'.repeat(63) })).not.toEqual([]);
    expect(checkData('records.TaskCompleted', { notesEncrypted: '' })).toEqual(['$.data.notesEncrypted: shorter than 1']);
    expect(checkData('records.TaskCompleted', { notes: 'Mopped twice' })).toEqual(['$.data: unexpected property notes']);
    expect(checkData('records.TaskCompleted', { areaId: null })).toEqual(['$.data.areaId: expected string, got null']);
  });

  it('holds issue categories to lower-case slugs and lets an issue have no area', () => {
    expect(checkData('records.IssueReported', { areaId: null, category: 'leak' })).toEqual([]);
    expect(checkData('records.IssueReported', { category: 'Leak' })).not.toEqual([]);
    expect(checkData('records.IssueReported', { category: '-leak' })).not.toEqual([]);
    expect(checkData('records.IssueReported', { category: 'a'.repeat(65) })).not.toEqual([]);
    expect(checkData('records.IssueReported', { description: 'Tap leaks' })).toEqual(['$.data: unexpected property description']);
    expect(checkData('records.IssueReported', { descriptionEncrypted: null })).toEqual(['$.data.descriptionEncrypted: expected string, got null']);
  });

  it('holds inspection scores to 0-100 with a named scoring method', () => {
    const method: ScoringMethod = { name: 'custodian-area-audit', version: '2' };
    const item: InspectionItem = { label: 'Floors', score: 90 };
    expect(checkData('records.InspectionRecorded', { score: 0, items: [] })).toEqual([]);
    expect(checkData('records.InspectionRecorded', { score: 100.5 })).toEqual(['$.data.score: greater than 100']);
    expect(checkData('records.InspectionRecorded', { score: -1 })).toEqual(['$.data.score: less than 0']);
    expect(checkData('records.InspectionRecorded', { method: { name: method.name } })).toEqual(['$.data.method: missing required version']);
    expect(checkData('records.InspectionRecorded', { method: { ...method, version: '' } })).toEqual(['$.data.method.version: shorter than 1']);
    expect(checkData('records.InspectionRecorded', { items: [{ ...item, score: 101 }] })).toEqual(['$.data.items[0].score: greater than 100']);
    expect(checkData('records.InspectionRecorded', { items: [{ ...item, label: '' }] })).toEqual(['$.data.items[0].label: shorter than 1']);
    expect(checkData('records.InspectionRecorded', { items: Array.from({ length: 200 }, () => item) })).toEqual([]);
    expect(checkData('records.InspectionRecorded', { items: Array.from({ length: 201 }, () => item) })).toEqual(['$.data.items: more than 200 items']);
  });

  it('makes a correction name a whole event version and a field, with a scalar value', () => {
    const target: CorrectionTarget = { version: 1, field: 'clockIn.at' };
    expect(checkData('records.RecordCorrected', { target, value: null, afterSeal: false })).toEqual([]);
    expect(checkData('records.RecordCorrected', { value: 87 })).toEqual([]);
    expect(checkData('records.RecordCorrected', { value: { at: 'x' } })).not.toEqual([]);
    expect(checkData('records.RecordCorrected', { target: { ...target, version: 0 } })).toEqual(['$.data.target.version: less than 1']);
    expect(checkData('records.RecordCorrected', { target: { ...target, version: 1.5 } })).toEqual(['$.data.target.version: expected integer, got number']);
    expect(checkData('records.RecordCorrected', { target: { version: 1 } })).toEqual(['$.data.target: missing required field']);
    expect(checkData('records.RecordCorrected', { target: { ...target, field: '' } })).toEqual(['$.data.target.field: shorter than 1']);
    expect(checkData('records.RecordCorrected', { afterSeal: 'yes' })).toEqual(['$.data.afterSeal: expected boolean, got string']);
    expect(checkData('records.RecordCorrected', { reason: 'Forgot to scan' })).toEqual(['$.data: unexpected property reason']);
  });

  it('keeps every instant RFC 3339', () => {
    expect(checkData('records.TaskCompleted', { completedAt: 'tonight' })).toEqual(['$.data.completedAt: not an RFC 3339 date-time']);
    expect(checkData('records.IssueReported', { reportedAt: '2027-03-21T23:05:00' })).toEqual(['$.data.reportedAt: not an RFC 3339 date-time']);
    expect(checkData('records.InspectionRecorded', { inspectedAt: null })).toEqual(['$.data.inspectedAt: expected string, got null']);
    expect(checkData('records.RecordSealed', { sealedAt: 1_774_166_400_000 })).toEqual(['$.data.sealedAt: expected string, got integer']);
    expect(checkData('records.RecordCorrected', { correctedAt: '22 March 2027' })).toEqual(['$.data.correctedAt: not an RFC 3339 date-time']);
  });
});

describe('upcastRecordsEvent', () => {
  it('rejects an unknown schema version instead of guessing', () => {
    expect(() => upcastRecordsEvent({ type: 'records.CleaningStarted', schemaVersion: 2, data: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported_event_version', retriable: false }),
    );
  });

  it('rejects a type outside the records contract', () => {
    expect(() => upcastRecordsEvent({ type: 'scheduling.ShiftScheduled', schemaVersion: 1, data: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported_event_version', retriable: false }),
    );
  });

  it('does not take an inherited property for a version', () => {
    expect(() => upcastRecordsEvent({ type: 'records.RecordSealed', schemaVersion: 'toString' as unknown as number, data: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported_event_version' }),
    );
  });
});

describe('isRecordsEventType', () => {
  it('knows the published types and nothing else', () => {
    expect(RECORDS_EVENT_TYPES.every(isRecordsEventType)).toBe(true);
    expect(isRecordsEventType('records.RecordDeleted')).toBe(false);
    expect(isRecordsEventType('CleaningStarted')).toBe(false);
    expect(isRecordsEventType('scheduling.ShiftScheduled')).toBe(false);
  });
});

// ---- Compile-time: the TS event types and the JSON schemas describe the same shapes. ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Schemas = typeof RECORDS_EVENT_SCHEMAS;
type V1<K extends RecordsEventType> = Schemas[K][1];
type DataOf<K extends RecordsEventType> = Extract<RecordEvent, { type: K }>['data'];
type SchemaDataKeys<S> = S extends { properties: { data: { properties: infer P } } } ? keyof P : never;
type SchemaRequired<S> = S extends { properties: { data: { required: readonly (infer R)[] } } } ? R : never;
type SchemaConst<S, F extends string> = S extends { properties: { [P in F]: { const: infer C } } } ? C : never;
type ObjectKeys<S> = S extends { properties: infer P } ? keyof P : never;
type ObjectRequired<S> = S extends { required: readonly (infer R)[] } ? R : never;

type KeysMismatch = {
  [K in RecordsEventType]: Equal<SchemaDataKeys<V1<K>>, keyof DataOf<K>> extends true ? never : K;
}[RecordsEventType];
type RequiredMismatch = {
  [K in RecordsEventType]: Equal<SchemaRequired<V1<K>>, keyof DataOf<K>> extends true ? never : K;
}[RecordsEventType];
type ConstMismatch = {
  [K in RecordsEventType]: Equal<SchemaConst<V1<K>, 'type'>, K> extends true
    ? Equal<SchemaConst<V1<K>, 'schemaVersion'>, Extract<RecordEvent, { type: K }>['schemaVersion']> extends true
      ? never
      : K
    : K;
}[RecordsEventType];
type StartedProps = V1<'records.CleaningStarted'>['properties']['data']['properties'];
type ClockedOutProps = V1<'records.ClockedOut'>['properties']['data']['properties'];
type InspectionProps = V1<'records.InspectionRecorded'>['properties']['data']['properties'];
type CorrectedProps = V1<'records.RecordCorrected'>['properties']['data']['properties'];
type EvidenceProps = StartedProps['clockIn']['properties'];
type FlagItem = StartedProps['flags']['items'];

const _schemasMatchTypes: [
  Equal<KeysMismatch, never>,
  Equal<RequiredMismatch, never>,
  Equal<ConstMismatch, never>,
  Equal<ObjectKeys<StartedProps['clockIn']>, keyof ClockEvidence>,
  Equal<ObjectRequired<StartedProps['clockIn']>, keyof ClockEvidence>,
  Equal<ObjectKeys<ClockedOutProps['clockOut']>, keyof ClockEvidence>,
  Equal<EvidenceProps['method']['enum'][number], ClockMethod>,
  Equal<ObjectKeys<EvidenceProps['geo']>, keyof GeoReading>,
  Equal<ObjectRequired<EvidenceProps['geo']>, keyof GeoReading>,
  Equal<ObjectKeys<FlagItem>, keyof Flag>,
  Equal<ObjectRequired<FlagItem>, keyof Flag>,
  Equal<FlagItem['properties']['code']['enum'][number], FlagCode>,
  Equal<ObjectKeys<StartedProps['checklist']>, keyof DataOf<'records.CleaningStarted'>['checklist']>,
  Equal<ObjectKeys<InspectionProps['method']>, keyof ScoringMethod>,
  Equal<ObjectRequired<InspectionProps['method']>, keyof ScoringMethod>,
  Equal<ObjectKeys<InspectionProps['items']['items']>, keyof InspectionItem>,
  Equal<ObjectRequired<InspectionProps['items']['items']>, keyof InspectionItem>,
  Equal<ObjectKeys<CorrectedProps['target']>, keyof CorrectionTarget>,
  Equal<ObjectRequired<CorrectedProps['target']>, keyof CorrectionTarget>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
void _schemasMatchTypes;
