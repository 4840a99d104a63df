import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAgainstSchema, describeEventContract } from '@custodian/testing';
import type { LoginFailureReason, IdentityEvent, IdentityEventType, SessionRevocationReason } from './identity.events';
import { IDENTITY_EVENT_TYPES } from './identity.events';
import { IDENTITY_EVENT_SCHEMAS } from './identity.schemas';
import { upcastIdentityEvent } from './identity.upcast';
import type { AccessLevel, Module } from '../access';

/*
 * Every version of every published event keeps a JSON fixture (src/fixtures/<type>.v<n>.json)
 * that must stay valid against its schema and readable by the current code — forever.
 * The TypeScript shapes are tied to the schemas at compile time (bottom of this file).
 */

const FIXTURES = join(__dirname, '..', '..', 'fixtures');


// The fixture and schema contract every context keeps (libs/testing); this context's own rules follow.
describeEventContract({ context: 'identity', fixturesDir: FIXTURES, types: IDENTITY_EVENT_TYPES, schemas: IDENTITY_EVENT_SCHEMAS, upcast: (e) => upcastIdentityEvent(e) });

describe('identity event schemas', () => {

  it('accepts both forms of a location scope and rejects an empty list', () => {
    const schema = IDENTITY_EVENT_SCHEMAS['identity.ModuleAccessGranted'][1];
    const base = JSON.parse(readFileSync(join(FIXTURES, 'identity.ModuleAccessGranted.v1.json'), 'utf8')) as {
      data: Record<string, unknown>;
    };
    expect(checkAgainstSchema(schema, { ...base, data: { ...base.data, locations: 'all' } })).toEqual([]);
    expect(checkAgainstSchema(schema, { ...base, data: { ...base.data, locations: [] } })).not.toEqual([]);
    expect(checkAgainstSchema(schema, { ...base, data: { ...base.data, locations: 'some' } })).not.toEqual([]);
    expect(checkAgainstSchema(schema, { ...base, data: { ...base.data, module: 'billing' } })).not.toEqual([]);
  });
});

describe('identity event schemas of v0.2 events', () => {
  const fixture = (type: IdentityEventType) =>
    JSON.parse(readFileSync(join(FIXTURES, `${type}.v1.json`), 'utf8')) as { type: string; schemaVersion: number; data: Record<string, unknown> };
  const check = (type: IdentityEventType, data: Record<string, unknown>) => {
    const base = fixture(type);
    return checkAgainstSchema(IDENTITY_EVENT_SCHEMAS[type][1], { ...base, data: { ...base.data, ...data } });
  };

  it('accepts null or a date-time where a timestamp is nullable, and nothing else', () => {
    expect(check('identity.ApiKeyCreated', { expiresAt: null })).toEqual([]);
    expect(check('identity.ApiKeyCreated', { expiresAt: '2026-01-01T00:00:00.000Z' })).toEqual([]);
    expect(check('identity.ApiKeyCreated', { expiresAt: 'next year' })).toEqual(['$.data.expiresAt: not an RFC 3339 date-time']);
    expect(check('identity.ApiKeyRotated', { previousValidUntil: 0 })).toEqual(['$.data.previousValidUntil: expected string|null, got integer']);
    expect(check('identity.ApiKeyRotated', { previousValidUntil: null })).toEqual([]);
  });

  it('checks each API key grant as a closed object', () => {
    const one = { module: 'records', access: 'read', locations: ['loc-a'] };
    expect(check('identity.ApiKeyCreated', { grants: [one] })).toEqual([]);
    expect(check('identity.ApiKeyCreated', { grants: [] })).toEqual(['$.data.grants: fewer than 1 items']);
    expect(check('identity.ApiKeyCreated', { grants: [{ ...one, module: 'billing' }] })).not.toEqual([]);
    expect(check('identity.ApiKeyCreated', { grants: [{ ...one, access: 'admin' }] })).not.toEqual([]);
    expect(check('identity.ApiKeyCreated', { grants: [{ ...one, locations: [] }] })).not.toEqual([]);
    expect(check('identity.ApiKeyCreated', { grants: [{ module: 'records', access: 'read' }] })).toEqual(['$.data.grants[0]: missing required locations']);
    expect(check('identity.ApiKeyCreated', { grants: [one, { ...one, extra: true }] })).toEqual(['$.data.grants[1]: unexpected property extra']);
    expect(check('identity.ApiKeyCreated', { grants: one })).toEqual(['$.data.grants: expected array, got object']);
  });

  it('requires a positive whole number of failures for a lock', () => {
    expect(check('identity.AccountLocked', { failures: 1 })).toEqual([]);
    expect(check('identity.AccountLocked', { failures: 0 })).toEqual(['$.data.failures: less than 1']);
    expect(check('identity.AccountLocked', { failures: 2.5 })).toEqual(['$.data.failures: expected integer, got number']);
  });

  it('holds secret and token hashes to SHA-256 hex, and reasons to their list', () => {
    expect(check('identity.ApiKeyCreated', { secretHash: 'AB'.repeat(32) })).not.toEqual([]);
    expect(check('identity.ApiKeyRotated', { previousSecretHash: 'ab'.repeat(31) })).not.toEqual([]);
    expect(check('identity.UserInvited', { activationTokenHash: 'secret-token' })).not.toEqual([]);
    expect(check('identity.SessionRevoked', { reason: 'logout' })).toEqual([]);
    expect(check('identity.SessionRevoked', { reason: 'expired' })).not.toEqual([]);
  });

  it('accepts a missing IP and user agent as null only', () => {
    expect(check('identity.LoginBlocked', { ip: null, userAgent: null })).toEqual([]);
    expect(check('identity.UnknownAccountLoginFailed', { ip: 7 })).not.toEqual([]);
  });
});

describe('upcastIdentityEvent', () => {
  it('rejects an unknown schema version instead of guessing', () => {
    expect(() => upcastIdentityEvent({ type: 'identity.TenantCreated', schemaVersion: 2, data: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported_event_version', retriable: false }),
    );
  });

  it('rejects a type outside the identity contract', () => {
    expect(() => upcastIdentityEvent({ type: 'records.TaskCompleted', schemaVersion: 1, data: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported_event_version' }),
    );
  });
});

// ---- Compile-time: the TS event types and the JSON schemas describe the same shapes. ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Schemas = typeof IDENTITY_EVENT_SCHEMAS;
type V1<K extends IdentityEventType> = Schemas[K][1];
type DataOf<K extends IdentityEventType> = Extract<IdentityEvent, { type: K }>['data'];
type SchemaDataKeys<S> = S extends { properties: { data: { properties: infer P } } } ? keyof P : never;
type SchemaRequired<S> = S extends { properties: { data: { required: readonly (infer R)[] } } } ? R : never;
type SchemaConst<S, F extends string> = S extends { properties: { [P in F]: { const: infer C } } } ? C : never;

type KeysMismatch = {
  [K in IdentityEventType]: Equal<SchemaDataKeys<V1<K>>, keyof DataOf<K>> extends true ? never : K;
}[IdentityEventType];
type RequiredMismatch = {
  [K in IdentityEventType]: Equal<SchemaRequired<V1<K>>, keyof DataOf<K>> extends true ? never : K;
}[IdentityEventType];
type ConstMismatch = {
  [K in IdentityEventType]: Equal<SchemaConst<V1<K>, 'type'>, K> extends true
    ? Equal<SchemaConst<V1<K>, 'schemaVersion'>, Extract<IdentityEvent, { type: K }>['schemaVersion']> extends true
      ? never
      : K
    : K;
}[IdentityEventType];
type GrantedProps = V1<'identity.ModuleAccessGranted'>['properties']['data']['properties'];
type FailedProps = V1<'identity.LoginFailed'>['properties']['data']['properties'];
type RevokedSessionProps = V1<'identity.SessionRevoked'>['properties']['data']['properties'];
type KeyGrantProps = V1<'identity.ApiKeyCreated'>['properties']['data']['properties']['grants']['items']['properties'];

const _schemasMatchTypes: [
  Equal<KeysMismatch, never>,
  Equal<RequiredMismatch, never>,
  Equal<ConstMismatch, never>,
  Equal<GrantedProps['module']['enum'][number], Module>,
  Equal<GrantedProps['access']['enum'][number], AccessLevel>,
  Equal<FailedProps['reason']['enum'][number], LoginFailureReason>,
  Equal<RevokedSessionProps['reason']['enum'][number], SessionRevocationReason>,
  Equal<KeyGrantProps['module']['enum'][number], Module>,
  Equal<KeyGrantProps['access']['enum'][number], AccessLevel>,
] = [true, true, true, true, true, true, true, true, true];
