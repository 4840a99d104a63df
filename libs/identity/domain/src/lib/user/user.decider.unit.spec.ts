import {
  MODULES,
  type LoginFailed,
  type LoginSucceeded,
  type Module,
  type ModuleAccessGranted,
  type ModuleAccessRevoked,
  type UserDisabled,
  type UserEnabled,
  type UserRegistered,
} from '@custodian/identity/contracts';
import { ConflictError, IllegalStateError, NotFoundError, ValidationError } from '@custodian/kernel';
import { deciderSpec } from '../../testing/decider-spec';
import type { DisableUser } from './disable-user.command';
import type { EnableUser } from './enable-user.command';
import type { GrantModuleAccess } from './grant-module-access.command';
import type { RecordLogin } from './record-login.command';
import type { RegisterUser } from './register-user.command';
import type { RevokeModuleAccess } from './revoke-module-access.command';
import { userDecider } from './user.decider';
import { grantsOf } from './user.state';

const spec = deciderSpec(userDecider);
const tenantId = 'tenant-1';
const userId = 'user-1';
const at = '2025-03-14T10:00:00.000Z';
const later = '2025-03-14T11:00:00.000Z';

// ---- commands ----
const registration = (isOwner: boolean): UserRegistered['data'] => ({
  tenantId,
  userId,
  emailIndex: '0f'.repeat(32),
  emailEncrypted: 'ct:email',
  nameEncrypted: 'ct:name',
  passwordHashEncrypted: 'ct:hash',
  isOwner,
  registeredAt: at,
});
const register = (isOwner = false, overrides: Partial<RegisterUser['data']> = {}): RegisterUser => ({
  type: 'RegisterUser',
  data: { ...registration(isOwner), ...overrides },
});
const login = (passwordMatched: boolean, overrides: Partial<RecordLogin['data']> = {}): RecordLogin => ({
  type: 'RecordLogin',
  data: { tenantId, userId, at: later, ip: '203.0.113.7', userAgent: 'curl/8', passwordMatched, ...overrides },
});
const grant = (
  module: Module,
  access: GrantModuleAccess['data']['access'],
  locations: GrantModuleAccess['data']['locations'],
  overrides: Partial<GrantModuleAccess['data']> = {},
): GrantModuleAccess => ({
  type: 'GrantModuleAccess',
  data: { tenantId, userId, module, access, locations, grantedAt: later, ...overrides },
});
const revoke = (module: Module, overrides: Partial<RevokeModuleAccess['data']> = {}): RevokeModuleAccess => ({
  type: 'RevokeModuleAccess',
  data: { tenantId, userId, module, revokedAt: later, ...overrides },
});
const disable = (overrides: Partial<DisableUser['data']> = {}): DisableUser => ({
  type: 'DisableUser',
  data: { tenantId, userId, at: later, ...overrides },
});
const enable = (): EnableUser => ({ type: 'EnableUser', data: { tenantId, userId, at: later } });

// ---- events ----
const registered = (isOwner = false): UserRegistered => ({
  type: 'identity.UserRegistered',
  schemaVersion: 1,
  data: registration(isOwner),
});
const granted = (
  module: Module,
  access: ModuleAccessGranted['data']['access'],
  locations: ModuleAccessGranted['data']['locations'],
  grantedAt = later,
): ModuleAccessGranted => ({
  type: 'identity.ModuleAccessGranted',
  schemaVersion: 1,
  data: { tenantId, userId, module, access, locations, grantedAt },
});
const ownerGrants = (): ModuleAccessGranted[] => MODULES.map((m) => granted(m, 'manage', 'all', at));
const revoked = (module: Module): ModuleAccessRevoked => ({
  type: 'identity.ModuleAccessRevoked',
  schemaVersion: 1,
  data: { tenantId, userId, module, revokedAt: later },
});
const disabled = (): UserDisabled => ({ type: 'identity.UserDisabled', schemaVersion: 1, data: { tenantId, userId, at: later } });
const enabled = (): UserEnabled => ({ type: 'identity.UserEnabled', schemaVersion: 1, data: { tenantId, userId, at: later } });
const loginSucceeded = (): LoginSucceeded => ({
  type: 'identity.LoginSucceeded',
  schemaVersion: 1,
  data: { tenantId, userId, at: later, ip: '203.0.113.7', userAgent: 'curl/8' },
});
const loginFailed = (reason: LoginFailed['data']['reason']): LoginFailed => ({
  type: 'identity.LoginFailed',
  schemaVersion: 1,
  data: { tenantId, userId, at: later, ip: '203.0.113.7', userAgent: 'curl/8', reason },
});

describe('user decider', () => {
  describe('RegisterUser', () => {
    it('registers a member with no access at all', () => {
      spec.given([]).when(register(false)).then([registered(false)]);
    });

    it('registers an owner holding every module at manage on all locations', () => {
      spec.given([]).when(register(true)).then([registered(true), ...ownerGrants()]);
      expect(ownerGrants().map((e) => e.data.module)).toEqual(['users', 'scheduling', 'records', 'audit', 'security', 'exports']);
    });

    it('refuses to register the same user twice', () => {
      spec.given([registered()]).when(register()).thenThrows(ConflictError, 'user_exists');
    });

    it('keeps the registration, enabled and without grants, in state', () => {
      spec.given([]).when(register(false)).thenState({ status: 'registered', ...registration(false), disabled: false, grants: {} });
    });

    it.each([
      ['a plaintext email index', { emailIndex: 'ana@example.com' }],
      ['an empty ciphertext', { nameEncrypted: '' }],
      ['an empty password hash', { passwordHashEncrypted: '' }],
      ['a missing time', { registeredAt: '' }],
      ['a missing user id', { userId: '' }],
    ])('refuses %s', (_label, overrides) => {
      spec.given([]).when(register(false, overrides)).thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('RecordLogin', () => {
    it('records a success when the password matched', () => {
      spec.given([registered()]).when(login(true)).then([loginSucceeded()]);
    });

    it('records a bad password', () => {
      spec.given([registered()]).when(login(false)).then([loginFailed('bad_password')]);
    });

    it('records a refusal for a disabled user, even with the right password', () => {
      spec.given([registered(), disabled()]).when(login(true)).then([loginFailed('disabled')]);
      spec.given([registered(), disabled()]).when(login(false)).then([loginFailed('disabled')]);
    });

    it('lets a re-enabled user log in', () => {
      spec.given([registered(), disabled(), enabled()]).when(login(true)).then([loginSucceeded()]);
    });

    it('records a missing IP and user agent as null', () => {
      spec
        .given([registered()])
        .when(login(true, { ip: null, userAgent: null }))
        .then([{ ...loginSucceeded(), data: { ...loginSucceeded().data, ip: null, userAgent: null } }]);
    });

    it('does not know an unregistered user', () => {
      spec.given([]).when(login(true)).thenThrows(NotFoundError, 'user_not_found');
    });

    it("does not know another tenant's user", () => {
      spec.given([registered()]).when(login(true, { tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'user_not_found');
    });

    it('leaves the state as it was', () => {
      spec.given([registered()]).when(login(false)).thenState({ status: 'registered', ...registration(false), disabled: false, grants: {} });
    });
  });

  describe('GrantModuleAccess', () => {
    it('grants a module on some locations, de-duplicated and sorted', () => {
      spec
        .given([registered()])
        .when(grant('records', 'write', ['loc-b', 'loc-a', 'loc-b']))
        .then([granted('records', 'write', ['loc-a', 'loc-b'])]);
    });

    it('grants a module on all locations', () => {
      spec.given([registered()]).when(grant('scheduling', 'read', 'all')).then([granted('scheduling', 'read', 'all')]);
    });

    it('replaces what the user held on that module', () => {
      spec
        .given([registered(), granted('records', 'read', ['loc-a'])])
        .when(grant('records', 'manage', 'all'))
        .then([granted('records', 'manage', 'all')]);
      spec
        .given([registered(), granted('records', 'write', ['loc-a'])])
        .when(grant('records', 'write', ['loc-a', 'loc-b']))
        .then([granted('records', 'write', ['loc-a', 'loc-b'])]);
    });

    it('emits nothing when the user already holds exactly that grant', () => {
      spec.given([registered(), granted('records', 'write', ['loc-a', 'loc-b'])]).when(grant('records', 'write', ['loc-b', 'loc-a'])).thenNothing();
      spec.given([registered(), granted('audit', 'read', 'all')]).when(grant('audit', 'read', 'all')).thenNothing();
    });

    it('may grant to a disabled user (kept for when they are enabled again)', () => {
      spec.given([registered(), disabled()]).when(grant('records', 'read', 'all')).then([granted('records', 'read', 'all')]);
    });

    it('does not know an unregistered user', () => {
      spec.given([]).when(grant('records', 'read', 'all')).thenThrows(NotFoundError, 'user_not_found');
    });

    it("does not know another tenant's user", () => {
      spec.given([registered()]).when(grant('records', 'read', 'all', { tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'user_not_found');
    });

    it("refuses to narrow the owner's access, and accepts restating it", () => {
      const owner = [registered(true), ...ownerGrants()];
      spec.given(owner).when(grant('audit', 'read', 'all')).thenThrows(IllegalStateError, 'owner_access_fixed');
      spec.given(owner).when(grant('audit', 'manage', ['loc-a'])).thenThrows(IllegalStateError, 'owner_access_fixed');
      spec.given(owner).when(grant('audit', 'manage', 'all')).thenNothing();
    });

    it('refuses an empty location list, an unknown module or an unknown level', () => {
      spec.given([registered()]).when(grant('records', 'read', [])).thenThrows(ValidationError, 'validation_failed');
      spec.given([registered()]).when(grant('records', 'read', [''])).thenThrows(ValidationError, 'validation_failed');
      const unknownModule = grant('records', 'read', 'all');
      spec
        .given([registered()])
        .when({ ...unknownModule, data: { ...unknownModule.data, module: 'billing' as Module } })
        .thenThrows(ValidationError, 'validation_failed');
      spec
        .given([registered()])
        .when(grant('records', 'admin' as GrantModuleAccess['data']['access'], 'all'))
        .thenThrows(ValidationError, 'validation_failed');
    });

    it('requires the time from the command', () => {
      spec.given([registered()]).when(grant('records', 'read', 'all', { grantedAt: '' })).thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('RevokeModuleAccess', () => {
    it('revokes a module the user holds', () => {
      spec.given([registered(), granted('records', 'write', 'all')]).when(revoke('records')).then([revoked('records')]);
    });

    it('refuses to revoke a module the user does not hold', () => {
      spec.given([registered(), granted('audit', 'read', 'all')]).when(revoke('records')).thenThrows(IllegalStateError, 'module_not_granted');
      spec
        .given([registered(), granted('records', 'read', 'all'), revoked('records')])
        .when(revoke('records'))
        .thenThrows(IllegalStateError, 'module_not_granted');
    });

    it("refuses to revoke the owner's access", () => {
      spec.given([registered(true), ...ownerGrants()]).when(revoke('users')).thenThrows(IllegalStateError, 'owner_access_fixed');
    });

    it('does not know an unregistered user', () => {
      spec.given([]).when(revoke('records')).thenThrows(NotFoundError, 'user_not_found');
    });
  });

  describe('DisableUser / EnableUser', () => {
    it('disables an enabled user', () => {
      spec.given([registered()]).when(disable()).then([disabled()]);
    });

    it('disables an owner too (a compromised owner must be stoppable)', () => {
      spec.given([registered(true), ...ownerGrants()]).when(disable()).then([disabled()]);
    });

    it('refuses to disable a disabled user', () => {
      spec.given([registered(), disabled()]).when(disable()).thenThrows(IllegalStateError, 'user_already_disabled');
    });

    it('enables a disabled user', () => {
      spec.given([registered(), disabled()]).when(enable()).then([enabled()]);
    });

    it('refuses to enable a user who is not disabled', () => {
      spec.given([registered()]).when(enable()).thenThrows(IllegalStateError, 'user_not_disabled');
      spec.given([registered(), disabled(), enabled()]).when(enable()).thenThrows(IllegalStateError, 'user_not_disabled');
    });

    it('does not know an unregistered user', () => {
      spec.given([]).when(disable()).thenThrows(NotFoundError, 'user_not_found');
      spec.given([]).when(enable()).thenThrows(NotFoundError, 'user_not_found');
    });

    it("does not know another tenant's user", () => {
      spec.given([registered()]).when(disable({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'user_not_found');
    });

    it('keeps grants while disabled', () => {
      spec
        .given([registered(), granted('records', 'read', 'all')])
        .when(disable())
        .thenState({
          status: 'registered',
          ...registration(false),
          disabled: true,
          grants: { records: { access: 'read', locations: 'all' } },
        });
    });
  });

  describe('grantsOf', () => {
    const fold = (events: Parameters<typeof userDecider.evolve>[1][]) => events.reduce(userDecider.evolve, userDecider.initialState());

    it('lists nothing for an unregistered user or a member without grants', () => {
      expect(grantsOf(userDecider.initialState())).toEqual([]);
      expect(grantsOf(fold([registered()]))).toEqual([]);
    });

    it("lists the owner's six modules at manage on all locations", () => {
      expect(grantsOf(fold([registered(true), ...ownerGrants()]))).toEqual(
        MODULES.map((module) => ({ module, access: 'manage', locations: 'all' })),
      );
    });

    it('lists current grants in module order, after replacements and revocations', () => {
      const state = fold([
        registered(),
        granted('exports', 'read', 'all'),
        granted('records', 'read', ['loc-a']),
        granted('scheduling', 'write', 'all'),
        granted('records', 'write', ['loc-a', 'loc-b']),
        revoked('scheduling'),
      ]);
      expect(grantsOf(state)).toEqual([
        { module: 'records', access: 'write', locations: ['loc-a', 'loc-b'] },
        { module: 'exports', access: 'read', locations: 'all' },
      ]);
    });

    it('returns copies: changing the result does not change the state', () => {
      const state = fold([registered(), granted('records', 'read', ['loc-a'])]);
      const [first] = grantsOf(state);
      (first.locations as string[]).push('loc-z');
      expect(grantsOf(state)).toEqual([{ module: 'records', access: 'read', locations: ['loc-a'] }]);
    });
  });
});
