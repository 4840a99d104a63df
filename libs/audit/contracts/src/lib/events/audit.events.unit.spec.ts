import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAgainstSchema, describeEventContract } from '@custodian/testing';
import type { ActorKind, ActorRef, BreachAlertThreshold, IncidentEntryEventKind, IncidentKind, IncidentSeverity, IncidentStatus } from '../vocabulary';
import {
  ACTOR_KINDS,
  ADDABLE_INCIDENT_ENTRY_KINDS,
  BREACH_ALERT_THRESHOLDS,
  BREACH_NOTIFICATION_HOURS,
  INCIDENT_ENTRY_EVENT_KINDS,
  INCIDENT_ENTRY_KINDS,
  INCIDENT_KINDS,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
} from '../vocabulary';
import type { AuditEvent, AuditEventType } from './audit.events';
import { AUDIT_EVENT_TYPES, isAuditEventType } from './audit.events';
import { AUDIT_EVENT_SCHEMAS } from './audit.schemas';
import { upcastAuditEvent } from './audit.upcast';

/*
 * Every version of every published event keeps a JSON fixture (src/fixtures/<type>.v<n>.json)
 * that must stay valid against its schema and readable by the current code — forever.
 * The TypeScript shapes are tied to the schemas at compile time (bottom of this file).
 */

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

type Json = Record<string, unknown>;

// The fixture and schema contract every context keeps (libs/testing); this context's own rules follow.
describeEventContract({ context: 'audit', fixturesDir: FIXTURES, types: AUDIT_EVENT_TYPES, schemas: AUDIT_EVENT_SCHEMAS, upcast: (e) => upcastAuditEvent(e) });

describe('audit vocabulary', () => {
  it('keeps the published values, in order', () => {
    expect(INCIDENT_SEVERITIES).toEqual(['low', 'medium', 'high', 'critical']);
    expect(INCIDENT_STATUSES).toEqual(['open', 'investigating', 'contained', 'resolved']);
    expect(INCIDENT_KINDS).toEqual(['security', 'breach', 'operational']);
    expect(INCIDENT_ENTRY_KINDS).toEqual(['detected', 'action', 'note', 'status', 'severity', 'notification_sent', 'deadline_alert']);
    expect(INCIDENT_ENTRY_EVENT_KINDS).toEqual(['detected', 'action', 'note', 'notification_sent', 'deadline_alert']);
    expect(ADDABLE_INCIDENT_ENTRY_KINDS).toEqual(['detected', 'action', 'note', 'notification_sent']);
    expect(ACTOR_KINDS).toEqual(['user', 'rule']);
    expect(BREACH_ALERT_THRESHOLDS).toEqual(['6h', '1h', 'overdue']);
    expect(BREACH_NOTIFICATION_HOURS).toBe(24);
  });
});

describe('audit event schemas: field rules', () => {
  const fixture = (type: AuditEventType) => JSON.parse(readFileSync(join(FIXTURES, `${type}.v1.json`), 'utf8')) as { type: string; schemaVersion: number; data: Json };
  const checkData = (type: AuditEventType, data: Json) => {
    const base = fixture(type);
    return checkAgainstSchema(AUDIT_EVENT_SCHEMAS[type][1], { ...base, data: { ...base.data, ...data } });
  };
  const actorField = (type: AuditEventType) => (type === 'audit.IncidentOpened' ? 'openedBy' : 'by');
  const withActor = AUDIT_EVENT_TYPES.filter((t) => t !== 'audit.BreachDeadlineAlerted');

  it.each(AUDIT_EVENT_TYPES.map((t) => [t]))('%s refuses a tenant id that is not a string, and an instant that is not RFC 3339', (type) => {
    expect(checkData(type, { tenantId: null })).toEqual(['$.data.tenantId: expected string, got null']);
    expect(checkData(type, { at: '2027-03-22 02:15' })).toEqual(['$.data.at: not an RFC 3339 date-time']);
    expect(checkData(type, { at: 1_805_336_100_000 })).toEqual(['$.data.at: expected string, got integer']);
  });

  it.each(withActor.map((t) => [t]))('%s names a user or a rule as its actor', (type) => {
    const field = actorField(type);
    for (const kind of ACTOR_KINDS) expect(checkData(type, { [field]: { kind, id: 'x' } })).toEqual([]);
    expect(checkData(type, { [field]: { kind: 'user', id: 'apikey:5f6a7b8c' } })).toEqual([]);
    expect(checkData(type, { [field]: { kind: 'system', id: 'x' } })).not.toEqual([]);
    expect(checkData(type, { [field]: { kind: 'user', id: '' } })).toEqual([`$.data.${field}.id: shorter than 1`]);
    expect(checkData(type, { [field]: { kind: 'user', id: 'u'.repeat(201) } })).toEqual([`$.data.${field}.id: longer than 200`]);
    expect(checkData(type, { [field]: { kind: 'user' } })).toEqual([`$.data.${field}: missing required id`]);
    expect(checkData(type, { [field]: { kind: 'user', id: 'u-1', ip: '10.0.0.1' } })).toEqual([`$.data.${field}: unexpected property ip`]);
    expect(checkData(type, { [field]: 'u-1' })).toEqual([`$.data.${field}: expected object, got string`]);
  });

  it('holds a blocked address to its normalised spelling', () => {
    for (const ip of ['10.0.0.1', '255.255.255.255', '::1', '::', '2001:db8::1', 'fe80::1:0:0:1']) {
      expect(checkData('audit.IpBlocked', { ip })).toEqual([]);
      expect(checkData('audit.IpUnblocked', { ip })).toEqual([]);
    }
    for (const ip of ['', 'FE80::1', '::ffff:10.0.0.1', '10.0.0.0/8', '[::1]', 'fe80::1%eth0', 'localhost', `${'a:'.repeat(20)}a`]) {
      expect([ip, checkData('audit.IpBlocked', { ip })]).not.toEqual([ip, []]);
    }
  });

  it('lets a block last until unblocked, and holds its reason to 1-200 characters', () => {
    expect(checkData('audit.IpBlocked', { until: null })).toEqual([]);
    expect(checkData('audit.IpBlocked', { until: 'tomorrow' })).toEqual(['$.data.until: not an RFC 3339 date-time']);
    expect(checkData('audit.IpBlocked', { reason: 'r'.repeat(200) })).toEqual([]);
    expect(checkData('audit.IpBlocked', { reason: 'r'.repeat(201) })).toEqual(['$.data.reason: longer than 200']);
    expect(checkData('audit.IpBlocked', { reason: '' })).toEqual(['$.data.reason: shorter than 1']);
  });

  it('opens an incident of a published kind and severity, with ciphertext title and optional description', () => {
    for (const kind of INCIDENT_KINDS) expect(checkData('audit.IncidentOpened', { kind, notificationDeadline: null })).toEqual([]);
    for (const severity of INCIDENT_SEVERITIES) expect(checkData('audit.IncidentOpened', { severity })).toEqual([]);
    expect(checkData('audit.IncidentOpened', { kind: 'outage' })).not.toEqual([]);
    expect(checkData('audit.IncidentOpened', { severity: 'severe' })).not.toEqual([]);
    expect(checkData('audit.IncidentOpened', { descriptionEncrypted: null })).toEqual([]);
    expect(checkData('audit.IncidentOpened', { descriptionEncrypted: '' })).toEqual(['$.data.descriptionEncrypted: shorter than 1']);
    expect(checkData('audit.IncidentOpened', { titleEncrypted: null })).toEqual(['$.data.titleEncrypted: expected string, got null']);
    expect(checkData('audit.IncidentOpened', { title: 'Export by J. Smith' })).toEqual(['$.data: unexpected property title']);
    expect(checkData('audit.IncidentOpened', { detectedAt: 'last night' })).toEqual(['$.data.detectedAt: not an RFC 3339 date-time']);
    expect(checkData('audit.IncidentOpened', { notificationDeadline: '2027-03-23T02:10:00' })).toEqual(['$.data.notificationDeadline: not an RFC 3339 date-time']);
  });

  it('adds entries of the entry kinds only: status and severity have their own events', () => {
    for (const kind of INCIDENT_ENTRY_EVENT_KINDS) expect(checkData('audit.IncidentEntryAdded', { kind })).toEqual([]);
    expect(checkData('audit.IncidentEntryAdded', { kind: 'status' })).not.toEqual([]);
    expect(checkData('audit.IncidentEntryAdded', { kind: 'severity' })).not.toEqual([]);
    expect(checkData('audit.IncidentEntryAdded', { textEncrypted: '' })).toEqual(['$.data.textEncrypted: shorter than 1']);
    expect(checkData('audit.IncidentEntryAdded', { text: 'Called the DPO' })).toEqual(['$.data: unexpected property text']);
    expect(checkData('audit.IncidentEntryAdded', { entryId: null })).toEqual(['$.data.entryId: expected string, got null']);
  });

  it('moves status and severity between published values', () => {
    for (const s of INCIDENT_STATUSES) expect(checkData('audit.IncidentStatusChanged', { from: s, to: s })).toEqual([]);
    for (const s of INCIDENT_SEVERITIES) expect(checkData('audit.IncidentSeverityChanged', { from: s, to: s })).toEqual([]);
    expect(checkData('audit.IncidentStatusChanged', { to: 'closed' })).not.toEqual([]);
    expect(checkData('audit.IncidentStatusChanged', { from: 'high' })).not.toEqual([]);
    expect(checkData('audit.IncidentSeverityChanged', { to: 'resolved' })).not.toEqual([]);
  });

  it('alerts a breach deadline at the published thresholds only', () => {
    for (const threshold of BREACH_ALERT_THRESHOLDS) expect(checkData('audit.BreachDeadlineAlerted', { threshold })).toEqual([]);
    expect(checkData('audit.BreachDeadlineAlerted', { threshold: '30m' })).not.toEqual([]);
    expect(checkData('audit.BreachDeadlineAlerted', { deadline: null })).toEqual(['$.data.deadline: expected string, got null']);
    expect(checkData('audit.BreachDeadlineAlerted', { by: { kind: 'rule', id: 'deadline' } })).toEqual(['$.data: unexpected property by']);
  });
});

describe('upcastAuditEvent', () => {
  it('rejects an unknown schema version instead of guessing', () => {
    expect(() => upcastAuditEvent({ type: 'audit.IpBlocked', schemaVersion: 2, data: {} })).toThrow(expect.objectContaining({ code: 'unsupported_event_version', retriable: false }));
  });

  it('rejects a type outside the audit contract', () => {
    expect(() => upcastAuditEvent({ type: 'records.RecordSealed', schemaVersion: 1, data: {} })).toThrow(expect.objectContaining({ code: 'unsupported_event_version', retriable: false }));
  });

  it('does not take an inherited property for a version', () => {
    expect(() => upcastAuditEvent({ type: 'audit.IncidentOpened', schemaVersion: 'constructor' as unknown as number, data: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported_event_version' }),
    );
  });
});

describe('isAuditEventType', () => {
  it('knows the published types and nothing else', () => {
    expect(AUDIT_EVENT_TYPES.every(isAuditEventType)).toBe(true);
    expect(isAuditEventType('audit.IncidentDeleted')).toBe(false);
    expect(isAuditEventType('IpBlocked')).toBe(false);
    expect(isAuditEventType('records.RecordSealed')).toBe(false);
  });
});

// ---- Compile-time: the TS event types and the JSON schemas describe the same shapes. ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Schemas = typeof AUDIT_EVENT_SCHEMAS;
type V1<K extends AuditEventType> = Schemas[K][1];
type SchemaDataKeys<S> = S extends { properties: { data: { properties: infer P } } } ? keyof P : never;
type SchemaRequired<S> = S extends { properties: { data: { required: readonly (infer R)[] } } } ? R : never;
type SchemaConst<S, F extends string> = S extends { properties: { [P in F]: { const: infer C } } } ? C : never;
type DataOf<K extends AuditEventType> = Extract<AuditEvent, { type: K }>['data'];
type Props<K extends AuditEventType> = V1<K>['properties']['data']['properties'];
type Enum<S> = S extends { enum: readonly (infer E)[] } ? E : never;
type ObjectKeys<S> = S extends { properties: infer P } ? keyof P : never;
type ObjectRequired<S> = S extends { required: readonly (infer R)[] } ? R : never;

type KeysMismatch = { [K in AuditEventType]: Equal<SchemaDataKeys<V1<K>>, keyof DataOf<K>> extends true ? never : K }[AuditEventType];
type RequiredMismatch = { [K in AuditEventType]: Equal<SchemaRequired<V1<K>>, keyof DataOf<K>> extends true ? never : K }[AuditEventType];
type ConstMismatch = {
  [K in AuditEventType]: Equal<SchemaConst<V1<K>, 'type'>, K> extends true
    ? Equal<SchemaConst<V1<K>, 'schemaVersion'>, Extract<AuditEvent, { type: K }>['schemaVersion']> extends true
      ? never
      : K
    : K;
}[AuditEventType];
type Actor = Props<'audit.IpBlocked'>['by'];

const _schemasMatchTypes: [
  Equal<KeysMismatch, never>,
  Equal<RequiredMismatch, never>,
  Equal<ConstMismatch, never>,
  Equal<ObjectKeys<Actor>, keyof ActorRef>,
  Equal<ObjectRequired<Actor>, keyof ActorRef>,
  Equal<Enum<Actor['properties']['kind']>, ActorKind>,
  Equal<Enum<Props<'audit.IncidentOpened'>['kind']>, IncidentKind>,
  Equal<Enum<Props<'audit.IncidentOpened'>['severity']>, IncidentSeverity>,
  Equal<Enum<Props<'audit.IncidentEntryAdded'>['kind']>, IncidentEntryEventKind>,
  Equal<Enum<Props<'audit.IncidentStatusChanged'>['to']>, IncidentStatus>,
  Equal<Enum<Props<'audit.IncidentSeverityChanged'>['to']>, IncidentSeverity>,
  Equal<Enum<Props<'audit.BreachDeadlineAlerted'>['threshold']>, BreachAlertThreshold>,
] = [true, true, true, true, true, true, true, true, true, true, true, true];
void _schemasMatchTypes;
