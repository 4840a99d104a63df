import type { LocationScope, ModuleAccessGranted, UserEvent } from '@custodian/identity/contracts';
import { MODULES, grantCovers, grantOn, isAccessLevel, isModule } from '@custodian/identity/contracts';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, UnauthorizedError, type Decider } from '@custodian/kernel';
import { requireHolds, requireUserAdmin, type ActorAuthority } from '../authority/actor-authority';
import { assertNever } from '@custodian/kernel';
import { invalid, requireBoolean, requireHex, requireText, requireTimestamp } from '@custodian/kernel';
import type { ActivateUser } from './activate-user.command';
import type { DisableUser, SuspendUser } from './disable-user.command';
import type { EnableUser } from './enable-user.command';
import type { GrantModuleAccess } from './grant-module-access.command';
import type { InviteUser } from './invite-user.command';
import type { RegisterUser } from './register-user.command';
import type { RevokeModuleAccess } from './revoke-module-access.command';
import type { ReceiveOwnership, RelinquishOwnership } from './transfer-ownership.command';
import { evolveUser, grantsOf, initialUserState, type RegisteredUser, type UserState } from './user.state';

export type UserCommand =
  | RegisterUser
  | InviteUser
  | ActivateUser
  | GrantModuleAccess
  | RevokeModuleAccess
  | DisableUser
  | SuspendUser
  | EnableUser
  | ReceiveOwnership
  | RelinquishOwnership;

/**
 * A user's life in one stream: registration or invitation and activation, module grants,
 * disable/enable, ownership.
 *
 * - Every command but RegisterUser/InviteUser needs an existing user of the command's tenant;
 *   otherwise NotFoundError `user_not_found` (another tenant's user is indistinguishable from none).
 * - Administrative commands carry the actor's authority. A user outside the actor's `users`
 *   scope is `user_not_found`; inside it without `users:manage` is `insufficient_access`;
 *   granting or taking away more than the actor holds is `grant_exceeds_own_access` (403);
 *   disabling or enabling a user who holds more than the actor is `user_exceeds_own_access`.
 * - The owner holds every module at `manage` on all locations and keeps it: narrowing or
 *   revoking it is IllegalStateError `owner_access_fixed`, disabling the owner is
 *   `owner_cannot_be_disabled`; ownership moves only by transfer, so it is never left empty.
 * - Repeating an unchanged fact emits nothing: a grant equal to what is held, revoking a
 *   module not held, receiving ownership already held.
 */
export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: initialUserState,
  decide: decideUser,
  evolve: evolveUser,
};

function decideUser(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'RegisterUser':
      return register(command, state);
    case 'InviteUser':
      return invite(command, state);
    case 'ActivateUser':
      return activate(command, existing(state, command.data));
    case 'GrantModuleAccess':
      return grant(command, existing(state, command.data));
    case 'RevokeModuleAccess':
      return revoke(command, existing(state, command.data));
    case 'SuspendUser':
      return suspend(command, existing(state, command.data));
    case 'DisableUser':
      return disable(command, existing(state, command.data));
    case 'EnableUser':
      return enable(command, existing(state, command.data));
    case 'ReceiveOwnership':
      return receiveOwnership(command, existing(state, command.data));
    case 'RelinquishOwnership':
      return relinquishOwnership(command, existing(state, command.data));
    default:
      return assertNever(command, 'command');
  }
}

function register({ data }: RegisterUser, state: UserState): UserEvent[] {
  const tenantId = requireText(data.tenantId, 'tenantId');
  const userId = requireText(data.userId, 'userId');
  const registeredAt = requireTimestamp(data.registeredAt, 'registeredAt');
  const isOwner = requireBoolean(data.isOwner, 'isOwner');
  const registeredData = {
    tenantId,
    userId,
    emailIndex: requireHex(data.emailIndex, 'emailIndex'),
    emailEncrypted: requireText(data.emailEncrypted, 'emailEncrypted'),
    nameEncrypted: requireText(data.nameEncrypted, 'nameEncrypted'),
    passwordHashEncrypted: requireText(data.passwordHashEncrypted, 'passwordHashEncrypted'),
    isOwner,
    registeredAt,
  };
  if (state.status === 'registered') throw new ConflictError('The user already exists', 'user_exists');
  const ownerGrants = isOwner ? fullAccess(tenantId, userId, registeredAt, {}) : [];
  return [{ type: 'identity.UserRegistered', schemaVersion: 1, data: registeredData }, ...ownerGrants];
}

function invite({ data }: InviteUser, state: UserState): UserEvent[] {
  const invitedAt = requireTimestamp(data.invitedAt, 'invitedAt');
  const activationExpiresAt = requireTimestamp(data.activationExpiresAt, 'activationExpiresAt');
  if (Date.parse(activationExpiresAt) <= Date.parse(invitedAt)) throw invalid('activationExpiresAt', 'activationExpiresAt must be after invitedAt');
  const invited = {
    tenantId: requireText(data.tenantId, 'tenantId'),
    userId: requireText(data.userId, 'userId'),
    emailIndex: requireHex(data.emailIndex, 'emailIndex'),
    emailEncrypted: requireText(data.emailEncrypted, 'emailEncrypted'),
    nameEncrypted: requireText(data.nameEncrypted, 'nameEncrypted'),
    activationTokenHash: requireHex(data.activationTokenHash, 'activationTokenHash', 64),
    activationExpiresAt,
    invitedAt,
  };
  if (state.status === 'registered') throw new ConflictError('The user already exists', 'user_exists');
  return [{ type: 'identity.UserInvited', schemaVersion: 1, data: invited }];
}

/** Every failure is the same 401: a wrong, used or expired token, or an account that is no invite. */
function activate({ data }: ActivateUser, user: RegisteredUser): UserEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const tokenHash = requireHex(data.tokenHash, 'tokenHash', 64);
  const passwordHashEncrypted = requireText(data.passwordHashEncrypted, 'passwordHashEncrypted');
  const pending = user.activation;
  if (!user.invited || user.disabled || !pending || pending.tokenHash !== tokenHash || Date.parse(at) >= Date.parse(pending.expiresAt)) {
    throw new UnauthorizedError('The activation token is invalid, used or expired', 'invalid_activation_token');
  }
  return [{ type: 'identity.UserActivated', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, passwordHashEncrypted, at } }];
}

function grant({ data }: GrantModuleAccess, user: RegisteredUser): UserEvent[] {
  if (!isModule(data.module)) throw invalid('module', `Unknown module ${String(data.module)}`);
  if (!isAccessLevel(data.access)) throw invalid('access', `Unknown access level ${String(data.access)}`);
  const locations = validLocations(data.locations);
  const grantedAt = requireTimestamp(data.grantedAt, 'grantedAt');
  const { module, access } = data;
  requireUserAdmin(data.actor, grantsOf(user));

  if (user.isOwner) {
    if (access === 'manage' && locations === 'all') return [];
    throw new IllegalStateError("The owner's access cannot be narrowed", 'owner_access_fixed', { module });
  }
  requireHolds(data.actor, { module, access, locations });
  const held = user.grants[module];
  if (held) requireHolds(data.actor, { module, ...held });
  if (held && held.access === access && sameLocations(held.locations, locations)) return [];
  return [
    {
      type: 'identity.ModuleAccessGranted',
      schemaVersion: 1,
      data: { tenantId: user.tenantId, userId: user.userId, module, access, locations, grantedAt },
    },
  ];
}

function revoke({ data }: RevokeModuleAccess, user: RegisteredUser): UserEvent[] {
  if (!isModule(data.module)) throw invalid('module', `Unknown module ${String(data.module)}`);
  const revokedAt = requireTimestamp(data.revokedAt, 'revokedAt');
  const { module } = data;
  requireUserAdmin(data.actor, grantsOf(user));
  if (user.isOwner) throw new IllegalStateError("The owner's access cannot be revoked", 'owner_access_fixed', { module });
  const held = user.grants[module];
  if (!held) return [];
  requireHolds(data.actor, { module, ...held });
  return [{ type: 'identity.ModuleAccessRevoked', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, module, revokedAt } }];
}

function disable({ data }: DisableUser, user: RegisteredUser): UserEvent[] {
  const at = requireTimestamp(data.at, 'at');
  requireUserAdmin(data.actor, grantsOf(user));
  if (user.isOwner) throw new IllegalStateError('The owner cannot be disabled; transfer ownership first', 'owner_cannot_be_disabled');
  if (data.actor.userId === user.userId) throw new IllegalStateError('You cannot disable yourself', 'cannot_disable_self');
  requireHoldsAllOf(data.actor, user);
  if (user.disabled) return [];
  return [{ type: 'identity.UserDisabled', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, at } }];
}

function suspend({ data }: SuspendUser, user: RegisteredUser): UserEvent[] {
  const at = requireTimestamp(data.at, 'at');
  requireText(data.rule, 'rule');
  if (user.isOwner) throw new IllegalStateError('The owner cannot be disabled; transfer ownership first', 'owner_cannot_be_disabled');
  if (user.disabled) return [];
  return [{ type: 'identity.UserDisabled', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, at } }];
}

function enable({ data }: EnableUser, user: RegisteredUser): UserEvent[] {
  const at = requireTimestamp(data.at, 'at');
  requireUserAdmin(data.actor, grantsOf(user));
  requireHoldsAllOf(data.actor, user);
  if (!user.disabled) return [];
  return [{ type: 'identity.UserEnabled', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, at } }];
}

function receiveOwnership({ data }: ReceiveOwnership, user: RegisteredUser): UserEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const fromUserId = requireText(data.fromUserId, 'fromUserId');
  requireOwner(data.actor, fromUserId);
  if (user.isOwner) return [];
  if (user.invited || user.disabled) throw new IllegalStateError('Ownership can only go to an active user', 'owner_must_be_active');
  return [
    { type: 'identity.OwnershipReceived', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, fromUserId, at } },
    ...fullAccess(user.tenantId, user.userId, at, user.grants),
  ];
}

function relinquishOwnership({ data }: RelinquishOwnership, user: RegisteredUser): UserEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const toUserId = requireText(data.toUserId, 'toUserId');
  requireOwner(data.actor, user.userId);
  if (toUserId === user.userId) throw invalid('toUserId', 'Ownership cannot be transferred to its holder');
  if (!user.isOwner) return [];
  return [{ type: 'identity.OwnershipRelinquished', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, toUserId, at } }];
}

/** Only the owner, as a user (never through an API key), transfers ownership: ForbiddenError `owner_only` otherwise. */
function requireOwner(actor: ActorAuthority, ownerId: string): void {
  if (!actor.isOwner || actor.userId !== ownerId || !actor.id.startsWith('user:')) throw new ForbiddenError('Only the owner can transfer ownership', 'owner_only');
}

/**
 * Enabling a user gives their grants back, and disabling one takes them all away: either needs
 * an actor who holds every grant the user has (ForbiddenError `user_exceeds_own_access`), so a
 * site admin cannot switch off, or on, someone with more access than they have.
 */
function requireHoldsAllOf(actor: ActorAuthority, user: RegisteredUser): void {
  const beyond = grantsOf(user).filter((g) => !grantCovers(grantOn(actor.grants, g.module), g));
  if (beyond.length > 0) {
    throw new ForbiddenError(`The user holds access you do not: ${beyond.map((g) => `${g.module}:${g.access}`).join(', ')}`, 'user_exceeds_own_access');
  }
}

/** manage/all on every module the user does not already hold that way. */
function fullAccess(tenantId: string, userId: string, at: string, held: RegisteredUser['grants']): ModuleAccessGranted[] {
  return MODULES.filter((m) => !(held[m]?.access === 'manage' && held[m]?.locations === 'all')).map((module) => ({
    type: 'identity.ModuleAccessGranted',
    schemaVersion: 1,
    data: { tenantId, userId, module, access: 'manage', locations: 'all', grantedAt: at },
  }));
}

/** The existing user the command addresses, or NotFoundError (also for another tenant's user). */
function existing(state: UserState, target: { tenantId: string; userId: string }): RegisteredUser {
  switch (state.status) {
    case 'registered':
      if (state.tenantId === target.tenantId && state.userId === target.userId) return state;
      throw new NotFoundError('User not found', 'user_not_found');
    case 'unregistered':
      throw new NotFoundError('User not found', 'user_not_found');
    default:
      return assertNever(state, 'state');
  }
}

/** 'all', or a non-empty list of location ids — de-duplicated and sorted, so equal sets compare equal. */
function validLocations(value: unknown): LocationScope {
  if (value === 'all') return 'all';
  if (!Array.isArray(value) || value.length === 0 || value.length > 500 || !value.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 128)) {
    throw invalid('locations', "locations must be 'all' or a non-empty list of location ids");
  }
  return [...new Set(value as string[])].sort();
}

function sameLocations(a: LocationScope, b: LocationScope): boolean {
  if (a === 'all' || b === 'all') return a === b;
  const held = new Set(a);
  return held.size === new Set(b).size && b.every((id) => held.has(id));
}
