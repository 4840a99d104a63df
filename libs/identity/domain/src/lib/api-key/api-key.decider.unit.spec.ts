import type { ApiKeyCreated, ApiKeyEvent, ApiKeyGrant, ApiKeyRevoked, ApiKeyRotated, Module, ModuleGrant } from '@custodian/identity/contracts';
import { MODULES } from '@custodian/identity/contracts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@custodian/kernel';
import { deciderSpec } from '@custodian/testing';
import type { ActorAuthority } from '../authority/actor-authority';
import type { CreateApiKey, RevokeApiKey, RotateApiKey } from './api-key.commands';
import { apiKeyAccepts, apiKeyDecider, MAX_OVERLAP_SECONDS, type ApiKeyState } from './api-key.decider';

const spec = deciderSpec(apiKeyDecider);
const tenantId = 'tenant-1';
const keyId = 'key-1';
const at = '2025-03-14T10:00:00.000Z';
const rotatedAt = '2025-03-15T10:00:00.000Z';
const expiresAt = '2026-03-14T10:00:00.000Z';
const secret1 = '11'.repeat(32);
const secret2 = '22'.repeat(32);
const secret3 = '33'.repeat(32);

const admin: ActorAuthority = {
  id: 'user:admin-1',
  userId: 'admin-1',
  isOwner: false,
  grants: [
    { module: 'records', access: 'write', locations: ['loc-a', 'loc-b'] },
    { module: 'audit', access: 'read', locations: 'all' },
  ],
};
const actorWith = (grants: ModuleGrant[]): ActorAuthority => ({ ...admin, id: 'user:admin-2', userId: 'admin-2', grants });
const keyGrants = (): ApiKeyGrant[] => [
  { module: 'records', access: 'read', locations: ['loc-a'] },
  { module: 'audit', access: 'read', locations: 'all' },
];

// ---- commands ----
const create = (overrides: Partial<CreateApiKey['data']> = {}): CreateApiKey => ({
  type: 'CreateApiKey',
  data: { tenantId, keyId, name: 'Payroll sync', grants: keyGrants(), secretHash: secret1, expiresAt, at, actor: admin, ...overrides },
});
const rotate = (overrides: Partial<RotateApiKey['data']> = {}): RotateApiKey => ({
  type: 'RotateApiKey',
  data: { tenantId, keyId, secretHash: secret2, overlapSeconds: 3600, at: rotatedAt, actor: admin, ...overrides },
});
const revoke = (overrides: Partial<RevokeApiKey['data']> = {}): RevokeApiKey => ({
  type: 'RevokeApiKey',
  data: { tenantId, keyId, at: rotatedAt, actor: admin, ...overrides },
});

// ---- events ----
const created = (overrides: Partial<ApiKeyCreated['data']> = {}): ApiKeyCreated => ({
  type: 'identity.ApiKeyCreated',
  schemaVersion: 1,
  data: { tenantId, keyId, name: 'Payroll sync', createdBy: 'admin-1', grants: keyGrants(), secretHash: secret1, expiresAt, at, ...overrides },
});
const rotated = (overrides: Partial<ApiKeyRotated['data']> = {}): ApiKeyRotated => ({
  type: 'identity.ApiKeyRotated',
  schemaVersion: 1,
  data: { tenantId, keyId, secretHash: secret2, previousSecretHash: secret1, previousValidUntil: '2025-03-15T11:00:00.000Z', at: rotatedAt, ...overrides },
});
const revoked = (): ApiKeyRevoked => ({ type: 'identity.ApiKeyRevoked', schemaVersion: 1, data: { tenantId, keyId, at: rotatedAt } });

const fold = (events: ApiKeyEvent[]): ApiKeyState => events.reduce(apiKeyDecider.evolve, apiKeyDecider.initialState());
const atTime = (iso: string) => new Date(iso);

describe('API key decider', () => {
  describe('CreateApiKey', () => {
    it('creates a key with grants the creator holds, recording the creator', () => {
      spec.given([]).when(create()).then([created()]);
    });

    it('stores the name trimmed and locations de-duplicated and sorted', () => {
      spec
        .given([])
        .when(create({ name: '  Payroll sync ', grants: [{ module: 'records', access: 'write', locations: ['loc-b', 'loc-a', 'loc-b'] }] }))
        .then([created({ grants: [{ module: 'records', access: 'write', locations: ['loc-a', 'loc-b'] }] })]);
    });

    it('accepts a key that never expires', () => {
      spec.given([]).when(create({ expiresAt: null })).then([created({ expiresAt: null })]);
    });

    it('keeps the key active in state', () => {
      spec.given([]).when(create()).thenState({
        status: 'active',
        tenantId,
        keyId,
        name: 'Payroll sync',
        createdBy: 'admin-1',
        grants: keyGrants(),
        createdAt: at,
        expiresAt,
        secretHash: secret1,
        previous: null,
      });
    });

    it.each([
      ['a higher level than held', { module: 'records', access: 'manage', locations: ['loc-a'] }],
      ['a location not held', { module: 'records', access: 'read', locations: ['loc-c'] }],
      ['all locations where some are held', { module: 'records', access: 'read', locations: 'all' }],
      ['a module not held', { module: 'exports', access: 'read', locations: 'all' }],
    ] as const)('refuses a grant with %s', (_label, extra) => {
      const grant: ApiKeyGrant = { ...extra, locations: extra.locations === 'all' ? 'all' : [...extra.locations] };
      spec.given([]).when(create({ grants: [grant] })).thenThrows(ForbiddenError, 'grant_exceeds_own_access');
    });

    it('refuses when any one of several grants is beyond the creator', () => {
      spec
        .given([])
        .when(create({ grants: [...keyGrants().slice(0, 1), { module: 'audit', access: 'write', locations: 'all' }] }))
        .thenThrows(ForbiddenError, 'grant_exceeds_own_access');
    });

    it('lets the owner create a key with any grant', () => {
      const owner = { id: 'user:owner-1', userId: 'owner-1', isOwner: true, grants: MODULES.map((module) => ({ module, access: 'manage' as const, locations: 'all' as const })) };
      const all: ApiKeyGrant[] = MODULES.map((module) => ({ module, access: 'manage', locations: 'all' }));
      spec.given([]).when(create({ grants: all, actor: owner })).then([created({ grants: all, createdBy: 'owner-1' })]);
    });

    it.each([
      ['no grants', { grants: [] }],
      ['a module listed twice', { grants: [keyGrants()[0], { module: 'records', access: 'read', locations: ['loc-b'] }] }],
      ['an unknown module', { grants: [{ module: 'billing' as Module, access: 'read', locations: 'all' }] }],
      ['an unknown level', { grants: [{ module: 'audit', access: 'admin' as ApiKeyGrant['access'], locations: 'all' }] }],
      ['an empty location list', { grants: [{ module: 'audit', access: 'read', locations: [] }] }],
      ['more than 500 locations', { grants: [{ module: 'audit', access: 'read', locations: Array.from({ length: 501 }, (_, i) => `loc-${i}`) }] }],
      ['an expiry in the past', { expiresAt: '2025-03-13T10:00:00.000Z' }],
      ['an expiry at the creation time', { expiresAt: at }],
      ['a missing expiry (null is "never")', { expiresAt: undefined as unknown as null }],
      ['an empty name', { name: '   ' }],
      ['a name over 200 characters', { name: 'x'.repeat(201) }],
      ['a secret hash that is not SHA-256 hex', { secretHash: 'secret' }],
    ] as const)('refuses %s', (_label, overrides) => {
      spec.given([]).when(create(overrides as Partial<CreateApiKey['data']>)).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses to create the same key twice', () => {
      spec.given([created()]).when(create()).thenThrows(ConflictError, 'api_key_exists');
    });
  });

  describe('RotateApiKey', () => {
    it('replaces the secret and keeps the old one for the overlap', () => {
      spec.given([created()]).when(rotate()).then([rotated()]);
    });

    it('stops the old secret at once without overlap', () => {
      spec.given([created()]).when(rotate({ overlapSeconds: 0 })).then([rotated({ previousValidUntil: null })]);
    });

    it('keeps only the secret before the last rotation', () => {
      spec
        .given([created(), rotated()])
        .when(rotate({ secretHash: secret3, at: '2025-03-15T10:30:00.000Z' }))
        .then([rotated({ secretHash: secret3, previousSecretHash: secret2, previousValidUntil: '2025-03-15T11:30:00.000Z', at: '2025-03-15T10:30:00.000Z' })]);
    });

    it('needs the key’s grants to rotate it (the rotator learns the new secret)', () => {
      spec
        .given([created()])
        .when(rotate({ actor: actorWith([{ module: 'records', access: 'manage', locations: 'all' }]) }))
        .thenThrows(ForbiddenError, 'grant_exceeds_own_access');
      spec
        .given([created()])
        .when(rotate({ actor: actorWith([...admin.grants]) }))
        .then([rotated()]);
    });

    it.each([
      ['a negative overlap', -1],
      ['a fractional overlap', 1.5],
      ['an overlap over a week', MAX_OVERLAP_SECONDS + 1],
    ])('refuses %s', (_label, overlapSeconds) => {
      spec.given([created()]).when(rotate({ overlapSeconds })).thenThrows(ValidationError, 'validation_failed');
    });

    it('accepts an overlap of exactly a week', () => {
      spec.given([created()]).when(rotate({ overlapSeconds: MAX_OVERLAP_SECONDS })).then([rotated({ previousValidUntil: '2025-03-22T10:00:00.000Z' })]);
    });

    it("does not know a missing, a revoked or another tenant's key", () => {
      spec.given([]).when(rotate()).thenThrows(NotFoundError, 'api_key_not_found');
      spec.given([created(), revoked()]).when(rotate()).thenThrows(NotFoundError, 'api_key_not_found');
      spec.given([created()]).when(rotate({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'api_key_not_found');
    });
  });

  describe('RevokeApiKey', () => {
    it('revokes an active key, then emits nothing', () => {
      spec.given([created()]).when(revoke()).then([revoked()]);
      spec.given([created(), revoked()]).when(revoke()).thenNothing();
    });

    it('drops the overlapping previous secret too', () => {
      spec.given([created(), rotated()]).when(revoke()).thenState({
        status: 'revoked',
        tenantId,
        keyId,
        name: 'Payroll sync',
        createdBy: 'admin-1',
        grants: keyGrants(),
        createdAt: at,
        expiresAt,
        secretHash: secret2,
        previous: null,
      });
    });

    it("does not know a missing key or another tenant's", () => {
      spec.given([]).when(revoke()).thenThrows(NotFoundError, 'api_key_not_found');
      spec.given([created()]).when(revoke({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'api_key_not_found');
      spec.given([created(), revoked()]).when(revoke({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'api_key_not_found');
    });
  });

  describe('apiKeyAccepts', () => {
    it('accepts the current secret of an active key, and nothing else', () => {
      const state = fold([created()]);
      expect(apiKeyAccepts(state, secret1, atTime(at))).toBe(true);
      expect(apiKeyAccepts(state, secret2, atTime(at))).toBe(false);
    });

    it('accepts the previous secret only until the overlap ends', () => {
      const state = fold([created(), rotated()]);
      expect(apiKeyAccepts(state, secret2, atTime(rotatedAt))).toBe(true);
      expect(apiKeyAccepts(state, secret1, atTime('2025-03-15T10:59:59.999Z'))).toBe(true);
      expect(apiKeyAccepts(state, secret1, atTime('2025-03-15T11:00:00.000Z'))).toBe(false);
      expect(apiKeyAccepts(state, secret2, atTime('2025-03-15T11:00:00.000Z'))).toBe(true);
    });

    it('refuses the previous secret at once after a rotation without overlap', () => {
      const state = fold([created(), rotated({ previousValidUntil: null })]);
      expect(apiKeyAccepts(state, secret1, atTime(rotatedAt))).toBe(false);
      expect(apiKeyAccepts(state, secret2, atTime(rotatedAt))).toBe(true);
    });

    it('refuses an expired key, with any secret', () => {
      const state = fold([created({ expiresAt: '2025-03-15T10:30:00.000Z' }), rotated()]);
      expect(apiKeyAccepts(state, secret2, atTime('2025-03-15T10:29:59.999Z'))).toBe(true);
      expect(apiKeyAccepts(state, secret2, atTime('2025-03-15T10:30:00.000Z'))).toBe(false);
      expect(apiKeyAccepts(state, secret1, atTime('2025-03-15T10:30:00.000Z'))).toBe(false);
    });

    it('refuses a revoked key, with the current or the previous secret', () => {
      const state = fold([created(), rotated(), revoked()]);
      expect(apiKeyAccepts(state, secret2, atTime(rotatedAt))).toBe(false);
      expect(apiKeyAccepts(state, secret1, atTime(rotatedAt))).toBe(false);
    });

    it('refuses a key that does not exist', () => {
      expect(apiKeyAccepts(fold([]), secret1, atTime(at))).toBe(false);
    });
  });
});
