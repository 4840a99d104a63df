import {
  MODULES,
  type ModuleGrant,
  type Module,
  type ModuleAccessGranted,
  type ModuleAccessRevoked,
  type OwnershipReceived,
  type OwnershipRelinquished,
  type UserActivated,
  type UserDisabled,
  type UserEnabled,
  type UserEvent,
  type UserInvited,
  type UserRegistered,
} from '@custodian/identity/contracts';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, UnauthorizedError, ValidationError } from '@custodian/kernel';
import { deciderSpec } from '@custodian/testing';
import type { ActorAuthority } from '../authority/actor-authority';
import type { ActivateUser } from './activate-user.command';
import type { DisableUser, SuspendUser } from './disable-user.command';
import type { EnableUser } from './enable-user.command';
import type { GrantModuleAccess } from './grant-module-access.command';
import type { InviteUser } from './invite-user.command';
import type { RegisterUser } from './register-user.command';
import type { RevokeModuleAccess } from './revoke-module-access.command';
import type { ReceiveOwnership, RelinquishOwnership } from './transfer-ownership.command';
import { userDecider } from './user.decider';
import { grantsOf, userStatusOf, type RegisteredUser } from './user.state';

const spec = deciderSpec(userDecider);
const tenantId = 'tenant-1';
const userId = 'user-1';
const at = '2025-03-14T10:00:00.000Z';
const later = '2025-03-14T11:00:00.000Z';
const inviteExpiry = '2025-03-17T10:00:00.000Z';
const tokenHash = 'ab'.repeat(32);
const otherTokenHash = 'cd'.repeat(32);

// ---- actors ----
const everything = (): ModuleGrant[] => MODULES.map((module) => ({ module, access: 'manage', locations: 'all' }));
/** The tenant owner, acting as a user. */
const owner: ActorAuthority = { id: 'user:owner-1', userId: 'owner-1', isOwner: true, grants: everything() };
/** A non-owner acting with exactly these grants. */
const actorWith = (grants: ModuleGrant[], actorUserId = 'admin-1'): ActorAuthority => ({
  id: `user:${actorUserId}`,
  userId: actorUserId,
  isOwner: false,
  grants,
});
const usersManage = (locations: ModuleGrant['locations'] = 'all'): ModuleGrant => ({ module: 'users', access: 'manage', locations });

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
const invitation = (): UserInvited['data'] => ({
  tenantId,
  userId,
  emailIndex: '0f'.repeat(32),
  emailEncrypted: 'ct:email',
  nameEncrypted: 'ct:name',
  activationTokenHash: tokenHash,
  activationExpiresAt: inviteExpiry,
  invitedAt: at,
});
const register = (isOwner = false, overrides: Partial<RegisterUser['data']> = {}): RegisterUser => ({
  type: 'RegisterUser',
  data: { ...registration(isOwner), ...overrides },
});
const invite = (overrides: Partial<InviteUser['data']> = {}): InviteUser => ({ type: 'InviteUser', data: { ...invitation(), ...overrides } });
const activate = (overrides: Partial<ActivateUser['data']> = {}): ActivateUser => ({
  type: 'ActivateUser',
  data: { tenantId, userId, tokenHash, passwordHashEncrypted: 'ct:new-hash', at: later, ...overrides },
});
const grant = (
  module: Module,
  access: GrantModuleAccess['data']['access'],
  locations: GrantModuleAccess['data']['locations'],
  overrides: Partial<GrantModuleAccess['data']> = {},
): GrantModuleAccess => ({
  type: 'GrantModuleAccess',
  data: { tenantId, userId, module, access, locations, grantedAt: later, actor: owner, ...overrides },
});
const revoke = (module: Module, overrides: Partial<RevokeModuleAccess['data']> = {}): RevokeModuleAccess => ({
  type: 'RevokeModuleAccess',
  data: { tenantId, userId, module, revokedAt: later, actor: owner, ...overrides },
});
const disable = (overrides: Partial<DisableUser['data']> = {}): DisableUser => ({
  type: 'DisableUser',
  data: { tenantId, userId, at: later, actor: owner, ...overrides },
});
const enable = (overrides: Partial<EnableUser['data']> = {}): EnableUser => ({
  type: 'EnableUser',
  data: { tenantId, userId, at: later, actor: owner, ...overrides },
});
/** user-1 receives ownership from owner-1. */
const receive = (overrides: Partial<ReceiveOwnership['data']> = {}): ReceiveOwnership => ({
  type: 'ReceiveOwnership',
  data: { tenantId, userId, fromUserId: 'owner-1', at: later, actor: owner, ...overrides },
});
/** user-1, the owner, hands ownership to user-2. */
const selfAsOwner: ActorAuthority = { id: `user:${userId}`, userId, isOwner: true, grants: everything() };
const relinquish = (overrides: Partial<RelinquishOwnership['data']> = {}): RelinquishOwnership => ({
  type: 'RelinquishOwnership',
  data: { tenantId, userId, toUserId: 'user-2', at: later, actor: selfAsOwner, ...overrides },
});

// ---- events ----
const registered = (isOwner = false): UserRegistered => ({ type: 'identity.UserRegistered', schemaVersion: 1, data: registration(isOwner) });
const invited = (): UserInvited => ({ type: 'identity.UserInvited', schemaVersion: 1, data: invitation() });
const activated = (): UserActivated => ({
  type: 'identity.UserActivated',
  schemaVersion: 1,
  data: { tenantId, userId, passwordHashEncrypted: 'ct:new-hash', at: later },
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
const ownerGrants = (grantedAt = at): ModuleAccessGranted[] => MODULES.map((m) => granted(m, 'manage', 'all', grantedAt));
const revoked = (module: Module): ModuleAccessRevoked => ({
  type: 'identity.ModuleAccessRevoked',
  schemaVersion: 1,
  data: { tenantId, userId, module, revokedAt: later },
});
const disabled = (): UserDisabled => ({ type: 'identity.UserDisabled', schemaVersion: 1, data: { tenantId, userId, at: later } });
const enabled = (): UserEnabled => ({ type: 'identity.UserEnabled', schemaVersion: 1, data: { tenantId, userId, at: later } });
const received = (): OwnershipReceived => ({
  type: 'identity.OwnershipReceived',
  schemaVersion: 1,
  data: { tenantId, userId, fromUserId: 'owner-1', at: later },
});
const relinquished = (): OwnershipRelinquished => ({
  type: 'identity.OwnershipRelinquished',
  schemaVersion: 1,
  data: { tenantId, userId, toUserId: 'user-2', at: later },
});

/** A member whose grants reach only loc-a (inside an admin of loc-a). */
const memberAtA = (): UserEvent[] => [registered(), granted('records', 'read', ['loc-a'])];
const theOwner = (): UserEvent[] => [registered(true), ...ownerGrants()];
const memberState = (overrides: Partial<RegisteredUser> = {}): RegisteredUser => ({
  status: 'registered',
  ...registration(false),
  invited: false,
  activation: null,
  disabled: false,
  grants: {},
  ...overrides,
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

    it('refuses to register the same user twice, or a user already invited', () => {
      spec.given([registered()]).when(register()).thenThrows(ConflictError, 'user_exists');
      spec.given([invited()]).when(register()).thenThrows(ConflictError, 'user_exists');
    });

    it('keeps the registration, active and without grants, in state', () => {
      spec.given([]).when(register(false)).thenState(memberState());
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

  describe('InviteUser', () => {
    it('invites a user without a password', () => {
      spec.given([]).when(invite()).then([invited()]);
    });

    it('keeps the invite pending in state: no password, no access, not owner', () => {
      spec.given([]).when(invite()).thenState(
        memberState({
          passwordHashEncrypted: '',
          invited: true,
          activation: { tokenHash, expiresAt: inviteExpiry },
        }),
      );
    });

    it('refuses to invite a user who already exists', () => {
      spec.given([invited()]).when(invite()).thenThrows(ConflictError, 'user_exists');
      spec.given([registered()]).when(invite()).thenThrows(ConflictError, 'user_exists');
    });

    it.each([
      ['an expiry equal to the invitation time', { activationExpiresAt: at }],
      ['an expiry before the invitation time', { activationExpiresAt: '2025-03-14T09:00:00.000Z' }],
      ['a token hash of the wrong length', { activationTokenHash: 'ab'.repeat(16) }],
      ['an upper-case token hash', { activationTokenHash: 'AB'.repeat(32) }],
      ['a missing time', { invitedAt: '' }],
    ])('refuses %s', (_label, overrides) => {
      spec.given([]).when(invite(overrides)).thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('ActivateUser', () => {
    it('activates an invited user with the right token before it expires', () => {
      spec.given([invited()]).when(activate()).then([activated()]);
    });

    it('keeps the new password and ends the invitation in state', () => {
      spec.given([invited()]).when(activate()).thenState(memberState({ passwordHashEncrypted: 'ct:new-hash' }));
    });

    it('accepts the token up to the last millisecond before expiry', () => {
      spec
        .given([invited()])
        .when(activate({ at: '2025-03-17T09:59:59.999Z' }))
        .then([{ ...activated(), data: { ...activated().data, at: '2025-03-17T09:59:59.999Z' } }]);
    });

    it.each([
      ['a wrong token', [invited()], { tokenHash: otherTokenHash }],
      ['a token at its expiry', [invited()], { at: inviteExpiry }],
      ['a token after its expiry', [invited()], { at: '2025-03-18T10:00:00.000Z' }],
      ['a token already used', [invited(), activated()], {}],
      ['a user who registered with a password', [registered()], {}],
      ['a disabled invitee', [invited(), disabled()], {}],
    ] as const)('refuses %s with one 401 code', (_label, history, overrides) => {
      spec.given([...history]).when(activate(overrides)).thenThrows(UnauthorizedError, 'invalid_activation_token');
    });

    it('does not know an unknown user or one of another tenant', () => {
      spec.given([]).when(activate()).thenThrows(NotFoundError, 'user_not_found');
      spec.given([invited()]).when(activate({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'user_not_found');
    });

    it('refuses a malformed token hash or an empty password hash', () => {
      spec.given([invited()]).when(activate({ tokenHash: 'not-hex' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([invited()]).when(activate({ passwordHashEncrypted: '' })).thenThrows(ValidationError, 'validation_failed');
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

    it('may grant to a disabled or a not yet activated user', () => {
      spec.given([registered(), disabled()]).when(grant('records', 'read', 'all')).then([granted('records', 'read', 'all')]);
      spec.given([invited()]).when(grant('records', 'read', 'all')).then([granted('records', 'read', 'all')]);
    });

    it('does not know an unregistered user', () => {
      spec.given([]).when(grant('records', 'read', 'all')).thenThrows(NotFoundError, 'user_not_found');
    });

    it("does not know another tenant's user", () => {
      spec.given([registered()]).when(grant('records', 'read', 'all', { tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'user_not_found');
    });

    it("refuses to narrow the owner's access, and accepts restating it", () => {
      spec.given(theOwner()).when(grant('audit', 'read', 'all')).thenThrows(IllegalStateError, 'owner_access_fixed');
      spec.given(theOwner()).when(grant('audit', 'manage', ['loc-a'])).thenThrows(IllegalStateError, 'owner_access_fixed');
      spec.given(theOwner()).when(grant('audit', 'manage', 'all')).thenNothing();
    });

    it('refuses an empty location list, an unknown module or an unknown level', () => {
      spec.given([registered()]).when(grant('records', 'read', [])).thenThrows(ValidationError, 'validation_failed');
      spec.given([registered()]).when(grant('records', 'read', [''])).thenThrows(ValidationError, 'validation_failed');
      spec
        .given([registered()])
        .when(grant('billing' as Module, 'read', 'all'))
        .thenThrows(ValidationError, 'validation_failed');
      spec
        .given([registered()])
        .when(grant('records', 'admin' as GrantModuleAccess['data']['access'], 'all'))
        .thenThrows(ValidationError, 'validation_failed');
    });

    it('requires the time from the command', () => {
      spec.given([registered()]).when(grant('records', 'read', 'all', { grantedAt: '' })).thenThrows(ValidationError, 'validation_failed');
    });

    describe('nobody grants more than they hold', () => {
      const siteAdmin = actorWith([usersManage(['loc-a']), { module: 'records', access: 'write', locations: ['loc-a'] }]);

      it('lets an admin hand out what they hold, or less', () => {
        spec.given(memberAtA()).when(grant('records', 'write', ['loc-a'], { actor: siteAdmin })).then([granted('records', 'write', ['loc-a'])]);
        spec.given([registered()]).when(grant('records', 'read', ['loc-a'], { actor: siteAdmin })).then([granted('records', 'read', ['loc-a'])]);
      });

      it.each([
        ['a higher level', 'manage', ['loc-a']],
        ['another location', 'read', ['loc-b']],
        ['more locations', 'write', ['loc-a', 'loc-b']],
        ['all locations', 'read', 'all'],
      ] as const)('refuses %s than the admin holds', (_label, access, locations) => {
        spec
          .given(memberAtA())
          .when(grant('records', access, locations === 'all' ? 'all' : [...locations], { actor: siteAdmin }))
          .thenThrows(ForbiddenError, 'grant_exceeds_own_access');
      });

      it('refuses a module the admin does not hold at all', () => {
        spec.given(memberAtA()).when(grant('audit', 'read', ['loc-a'], { actor: siteAdmin })).thenThrows(ForbiddenError, 'grant_exceeds_own_access');
      });

      it('refuses to replace a grant wider than the admin holds, even with a narrower one', () => {
        spec
          .given([registered(), granted('records', 'manage', ['loc-a'])])
          .when(grant('records', 'read', ['loc-a'], { actor: siteAdmin }))
          .thenThrows(ForbiddenError, 'grant_exceeds_own_access');
        const admin = actorWith([usersManage(), { module: 'records', access: 'write', locations: ['loc-a'] }]);
        spec
          .given([registered(), granted('records', 'write', ['loc-a', 'loc-b'])])
          .when(grant('records', 'write', ['loc-a'], { actor: admin }))
          .thenThrows(ForbiddenError, 'grant_exceeds_own_access');
      });

      it('a user may narrow their own grant but never widen it', () => {
        const self = actorWith([usersManage(['loc-a']), { module: 'records', access: 'write', locations: ['loc-a'] }], userId);
        const history = [registered(), granted('users', 'manage', ['loc-a']), granted('records', 'write', ['loc-a'])];
        spec.given(history).when(grant('records', 'read', ['loc-a'], { actor: self })).then([granted('records', 'read', ['loc-a'])]);
        spec.given(history).when(grant('records', 'manage', ['loc-a'], { actor: self })).thenThrows(ForbiddenError, 'grant_exceeds_own_access');
      });
    });

    describe("the actor's users scope", () => {
      it('hides a user whose grants reach beyond the admin’s users scope', () => {
        const siteAdmin = actorWith([usersManage(['loc-a']), { module: 'records', access: 'manage', locations: 'all' }]);
        spec
          .given([registered(), granted('records', 'read', ['loc-b'])])
          .when(grant('records', 'read', ['loc-a'], { actor: siteAdmin }))
          .thenThrows(NotFoundError, 'user_not_found');
        spec
          .given([registered(), granted('scheduling', 'read', 'all')])
          .when(grant('records', 'read', ['loc-a'], { actor: siteAdmin }))
          .thenThrows(NotFoundError, 'user_not_found');
        spec.given(theOwner()).when(grant('audit', 'manage', 'all', { actor: siteAdmin })).thenThrows(NotFoundError, 'user_not_found');
      });

      it('sees a user without grants, or one inside the scope', () => {
        const siteAdmin = actorWith([usersManage(['loc-a', 'loc-b']), { module: 'records', access: 'manage', locations: 'all' }]);
        spec.given([registered()]).when(grant('records', 'read', ['loc-c'], { actor: siteAdmin })).then([granted('records', 'read', ['loc-c'])]);
        spec
          .given([registered(), granted('records', 'read', ['loc-a']), granted('audit', 'read', ['loc-b'])])
          .when(grant('records', 'write', ['loc-b'], { actor: siteAdmin }))
          .then([granted('records', 'write', ['loc-b'])]);
      });

      it('hides every user from an actor without any users grant', () => {
        const noUsers = actorWith([{ module: 'records', access: 'manage', locations: 'all' }]);
        spec.given([registered()]).when(grant('records', 'read', 'all', { actor: noUsers })).thenThrows(NotFoundError, 'user_not_found');
      });

      it.each(['read', 'write'] as const)('refuses users:%s without manage, for a user it can see', (access) => {
        const reader = actorWith([{ module: 'users', access, locations: 'all' }, { module: 'records', access: 'manage', locations: 'all' }]);
        spec.given([registered()]).when(grant('records', 'read', 'all', { actor: reader })).thenThrows(ForbiddenError, 'insufficient_access');
      });

      it('lets a non-owner admin restate but not narrow the owner’s access', () => {
        const admin = actorWith([usersManage(), { module: 'audit', access: 'read', locations: 'all' }]);
        spec.given(theOwner()).when(grant('audit', 'manage', 'all', { actor: admin })).thenNothing();
        spec.given(theOwner()).when(grant('audit', 'read', 'all', { actor: admin })).thenThrows(IllegalStateError, 'owner_access_fixed');
      });
    });
  });

  describe('RevokeModuleAccess', () => {
    it('revokes a module the user holds', () => {
      spec.given([registered(), granted('records', 'write', 'all')]).when(revoke('records')).then([revoked('records')]);
    });

    it('leaves the other modules in state', () => {
      spec
        .given([registered(), granted('records', 'write', 'all'), granted('audit', 'read', ['loc-a'])])
        .when(revoke('records'))
        .thenState(memberState({ grants: { audit: { access: 'read', locations: ['loc-a'] } } }));
    });

    it('emits nothing for a module the user does not hold (idempotent)', () => {
      spec.given([registered(), granted('audit', 'read', 'all')]).when(revoke('records')).thenNothing();
      spec.given([registered(), granted('records', 'read', 'all'), revoked('records')]).when(revoke('records')).thenNothing();
    });

    it("refuses to revoke the owner's access", () => {
      spec.given(theOwner()).when(revoke('users')).thenThrows(IllegalStateError, 'owner_access_fixed');
    });

    it('refuses to take away more than the admin holds', () => {
      const admin = actorWith([usersManage(), { module: 'records', access: 'write', locations: 'all' }]);
      spec.given([registered(), granted('records', 'manage', ['loc-a'])]).when(revoke('records', { actor: admin })).thenThrows(ForbiddenError, 'grant_exceeds_own_access');
      spec.given([registered(), granted('audit', 'read', ['loc-a'])]).when(revoke('audit', { actor: admin })).thenThrows(ForbiddenError, 'grant_exceeds_own_access');
      spec.given([registered(), granted('records', 'write', ['loc-a'])]).when(revoke('records', { actor: admin })).then([revoked('records')]);
    });

    it('hides a user outside the users scope and refuses users:read', () => {
      const siteAdmin = actorWith([usersManage(['loc-a']), { module: 'records', access: 'manage', locations: 'all' }]);
      spec.given([registered(), granted('records', 'read', ['loc-b'])]).when(revoke('records', { actor: siteAdmin })).thenThrows(NotFoundError, 'user_not_found');
      const reader = actorWith([{ module: 'users', access: 'read', locations: 'all' }, { module: 'records', access: 'manage', locations: 'all' }]);
      spec.given(memberAtA()).when(revoke('records', { actor: reader })).thenThrows(ForbiddenError, 'insufficient_access');
    });

    it('does not know an unregistered user', () => {
      spec.given([]).when(revoke('records')).thenThrows(NotFoundError, 'user_not_found');
    });

    it('refuses an unknown module', () => {
      spec.given([registered()]).when(revoke('billing' as Module)).thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('SuspendUser (the security monitor)', () => {
    const suspend = (overrides: Partial<SuspendUser['data']> = {}): SuspendUser => ({ type: 'SuspendUser', data: { tenantId, userId, at: later, rule: 'failed-logins-per-account', ...overrides } });

    it('disables an enabled user without any actor authority', () => {
      spec.given([registered()]).when(suspend()).then([{ type: 'identity.UserDisabled', schemaVersion: 1, data: { tenantId, userId, at: later } }]);
    });

    it('emits nothing for a user already disabled', () => {
      spec.given([registered(), disabled()]).when(suspend()).thenNothing();
    });

    it('never suspends the owner', () => {
      spec.given(theOwner()).when(suspend()).thenThrows(IllegalStateError, 'owner_cannot_be_disabled');
    });

    it("does not know another tenant's user, nor an unregistered one, and needs the rule's name", () => {
      spec.given([registered()]).when(suspend({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'user_not_found');
      spec.given([]).when(suspend()).thenThrows(NotFoundError, 'user_not_found');
      spec.given([registered()]).when(suspend({ rule: '' })).thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('DisableUser / EnableUser', () => {
    it('disables an enabled user', () => {
      spec.given([registered()]).when(disable()).then([disabled()]);
    });

    it('emits nothing when the user is already disabled', () => {
      spec.given([registered(), disabled()]).when(disable()).thenNothing();
    });

    it('refuses to disable the owner (transfer ownership first)', () => {
      spec.given(theOwner()).when(disable()).thenThrows(IllegalStateError, 'owner_cannot_be_disabled');
      const admin = actorWith([usersManage()]);
      spec.given(theOwner()).when(disable({ actor: admin })).thenThrows(IllegalStateError, 'owner_cannot_be_disabled');
    });

    it('refuses to let anybody disable themselves, also through their own API key', () => {
      const self = actorWith([usersManage()], userId);
      spec.given([registered()]).when(disable({ actor: self })).thenThrows(IllegalStateError, 'cannot_disable_self');
      spec
        .given([registered()])
        .when(disable({ actor: { ...self, id: 'apikey:key-1' } }))
        .thenThrows(IllegalStateError, 'cannot_disable_self');
    });

    it('enables a disabled user', () => {
      spec.given([registered(), disabled()]).when(enable()).then([enabled()]);
    });

    it('emits nothing when the user is not disabled', () => {
      spec.given([registered()]).when(enable()).thenNothing();
      spec.given([registered(), disabled(), enabled()]).when(enable()).thenNothing();
    });

    it('requires users:manage over the user', () => {
      const reader = actorWith([{ module: 'users', access: 'write', locations: 'all' }]);
      spec.given([registered()]).when(disable({ actor: reader })).thenThrows(ForbiddenError, 'insufficient_access');
      spec.given([registered(), disabled()]).when(enable({ actor: reader })).thenThrows(ForbiddenError, 'insufficient_access');
      const siteAdmin = actorWith([usersManage(['loc-b'])]);
      spec.given(memberAtA()).when(disable({ actor: siteAdmin })).thenThrows(NotFoundError, 'user_not_found');
      spec.given([...memberAtA(), disabled()]).when(enable({ actor: siteAdmin })).thenThrows(NotFoundError, 'user_not_found');
      spec.given(memberAtA()).when(disable({ actor: actorWith([usersManage(['loc-a']), { module: 'records', access: 'read', locations: ['loc-a'] }]) })).then([disabled()]);
    });

    it('refuses to disable or enable a user who holds access the actor does not', () => {
      const siteAdmin = actorWith([usersManage(['loc-a'])]);
      spec.given(memberAtA()).when(disable({ actor: siteAdmin })).thenThrows(ForbiddenError, 'user_exceeds_own_access');
      spec.given([...memberAtA(), disabled()]).when(enable({ actor: siteAdmin })).thenThrows(ForbiddenError, 'user_exceeds_own_access');
      const narrower = actorWith([usersManage(['loc-a']), { module: 'records', access: 'read', locations: ['loc-a'] }]);
      spec
        .given([...memberAtA(), granted('records', 'write', ['loc-a'])])
        .when(disable({ actor: narrower }))
        .thenThrows(ForbiddenError, 'user_exceeds_own_access');
      spec.given([...memberAtA(), disabled()]).when(enable({ actor: narrower })).then([enabled()]);
    });

    it('does not know an unregistered user', () => {
      spec.given([]).when(disable()).thenThrows(NotFoundError, 'user_not_found');
      spec.given([]).when(enable()).thenThrows(NotFoundError, 'user_not_found');
    });

    it("does not know another tenant's user", () => {
      spec.given([registered()]).when(disable({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'user_not_found');
      spec.given([registered(), disabled()]).when(enable({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'user_not_found');
    });

    it('keeps grants while disabled', () => {
      spec
        .given([registered(), granted('records', 'read', 'all')])
        .when(disable())
        .thenState(memberState({ disabled: true, grants: { records: { access: 'read', locations: 'all' } } }));
    });
  });

  describe('ReceiveOwnership', () => {
    it('makes an active user the owner with manage on every module everywhere', () => {
      spec.given([registered()]).when(receive()).then([received(), ...ownerGrants(later)]);
    });

    it('grants only the modules not already held at manage everywhere', () => {
      spec
        .given([registered(), granted('records', 'manage', 'all'), granted('audit', 'read', 'all')])
        .when(receive())
        .then([received(), ...ownerGrants(later).filter((e) => e.data.module !== 'records')]);
    });

    it('leaves the new owner holding everything in state', () => {
      spec
        .given([registered(), granted('audit', 'read', ['loc-a'])])
        .when(receive())
        .thenState(memberState({ isOwner: true, grants: Object.fromEntries(MODULES.map((m) => [m, { access: 'manage', locations: 'all' }])) }));
    });

    it('emits nothing when the user is already the owner', () => {
      spec.given([registered(), received(), ...ownerGrants(later)]).when(receive()).thenNothing();
    });

    it.each([
      ['a non-owner', actorWith(everything(), 'owner-1')],
      ['the owner through an API key', { ...owner, id: 'apikey:key-1' }],
      ['an owner other than the one named as giver', { ...owner, userId: 'owner-2', id: 'user:owner-2' }],
    ])('refuses %s as actor', (_label, actor) => {
      spec.given([registered()]).when(receive({ actor })).thenThrows(ForbiddenError, 'owner_only');
    });

    it('refuses an invited or a disabled user', () => {
      spec.given([invited()]).when(receive()).thenThrows(IllegalStateError, 'owner_must_be_active');
      spec.given([registered(), disabled()]).when(receive()).thenThrows(IllegalStateError, 'owner_must_be_active');
    });

    it('accepts a user activated from an invite', () => {
      spec.given([invited(), activated()]).when(receive()).then([received(), ...ownerGrants(later)]);
    });

    it("does not know an unknown user or another tenant's", () => {
      spec.given([]).when(receive()).thenThrows(NotFoundError, 'user_not_found');
      spec.given([registered()]).when(receive({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'user_not_found');
    });
  });

  describe('RelinquishOwnership', () => {
    it('ends ownership and keeps the explicit grants', () => {
      spec.given(theOwner()).when(relinquish()).then([relinquished()]);
      spec
        .given(theOwner())
        .when(relinquish())
        .thenState(memberState({ grants: Object.fromEntries(MODULES.map((m) => [m, { access: 'manage', locations: 'all' }])) }));
    });

    it('emits nothing for a user who is not the owner (a repeat with the authority read before)', () => {
      spec.given([...theOwner(), relinquished()]).when(relinquish()).thenNothing();
    });

    it('only the owner relinquishes, as a user, their own ownership', () => {
      spec.given(theOwner()).when(relinquish({ actor: owner })).thenThrows(ForbiddenError, 'owner_only');
      spec.given(theOwner()).when(relinquish({ actor: { ...selfAsOwner, isOwner: false } })).thenThrows(ForbiddenError, 'owner_only');
      spec.given(theOwner()).when(relinquish({ actor: { ...selfAsOwner, id: 'apikey:key-1' } })).thenThrows(ForbiddenError, 'owner_only');
    });

    it('refuses to hand ownership to its holder', () => {
      spec.given(theOwner()).when(relinquish({ toUserId: userId })).thenThrows(ValidationError, 'validation_failed');
    });

    it('makes the former owner an ordinary user: disable and narrowing work again', () => {
      const former = [...theOwner(), relinquished()];
      spec.given(former).when(disable()).then([disabled()]);
      spec.given(former).when(grant('audit', 'read', 'all')).then([granted('audit', 'read', 'all')]);
      spec.given(former).when(revoke('audit')).then([revoked('audit')]);
    });
  });

  describe('grantsOf / userStatusOf', () => {
    const fold = (events: UserEvent[]) => events.reduce(userDecider.evolve, userDecider.initialState());
    const registeredState = (events: UserEvent[]): RegisteredUser => {
      const state = fold(events);
      if (state.status !== 'registered') throw new Error('expected a registered user');
      return state;
    };

    it('lists nothing for an unregistered user or a member without grants', () => {
      expect(grantsOf(userDecider.initialState())).toEqual([]);
      expect(grantsOf(fold([registered()]))).toEqual([]);
    });

    it("lists the owner's six modules at manage on all locations", () => {
      expect(grantsOf(fold(theOwner()))).toEqual(everything());
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

    it('tells invited, active and disabled apart (disabled wins)', () => {
      expect(userStatusOf(registeredState([invited()]))).toBe('invited');
      expect(userStatusOf(registeredState([invited(), activated()]))).toBe('active');
      expect(userStatusOf(registeredState([registered()]))).toBe('active');
      expect(userStatusOf(registeredState([registered(), disabled()]))).toBe('disabled');
      expect(userStatusOf(registeredState([invited(), disabled()]))).toBe('disabled');
      expect(userStatusOf(registeredState([invited(), disabled(), enabled()]))).toBe('invited');
    });

    it('ignores logins recorded in user streams before the login stream existed', () => {
      const legacy: UserEvent = { type: 'identity.LoginSucceeded', schemaVersion: 1, data: { tenantId, userId, at: later, ip: null, userAgent: null } };
      expect(fold([registered(), legacy])).toEqual(fold([registered()]));
    });
  });
});
