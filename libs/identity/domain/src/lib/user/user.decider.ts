import type { LocationScope, ModuleAccessGranted, UserEvent } from '@custodian/identity/contracts';
import { MODULES, isAccessLevel, isModule } from '@custodian/identity/contracts';
import { ConflictError, IllegalStateError, NotFoundError, type Decider } from '@custodian/kernel';
import { assertNever } from '../exhaustive';
import { invalid, requireBoolean, requireHex, requireNullableText, requireText, requireTimestamp } from '../validation';
import type { DisableUser } from './disable-user.command';
import type { EnableUser } from './enable-user.command';
import type { GrantModuleAccess } from './grant-module-access.command';
import type { RecordLogin } from './record-login.command';
import type { RegisterUser } from './register-user.command';
import type { RevokeModuleAccess } from './revoke-module-access.command';
import { evolveUser, initialUserState, type RegisteredUser, type UserState } from './user.state';

export type UserCommand = RegisterUser | RecordLogin | GrantModuleAccess | RevokeModuleAccess | DisableUser | EnableUser;

/**
 * A user's life in one stream: registration, module grants, login attempts, disable/enable.
 *
 * - Every command but RegisterUser needs a registered user of the command's tenant; otherwise
 *   NotFoundError `user_not_found` (another tenant's user is indistinguishable from none).
 * - The owner holds every module at `manage` on all locations from registration on, and keeps
 *   it: narrowing or revoking an owner's grant is IllegalStateError `owner_access_fixed`
 *   (a tenant never loses its last manager). An owner can still be disabled.
 * - A grant equal to what the user holds, or a repeated claim of an unchanged fact, emits nothing.
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
    case 'RecordLogin':
      return recordLogin(command, registered(state, command.data));
    case 'GrantModuleAccess':
      return grant(command, registered(state, command.data));
    case 'RevokeModuleAccess':
      return revoke(command, registered(state, command.data));
    case 'DisableUser':
      return disable(command, registered(state, command.data));
    case 'EnableUser':
      return enable(command, registered(state, command.data));
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

  const ownerGrants: ModuleAccessGranted[] = isOwner
    ? MODULES.map((module) => ({
        type: 'identity.ModuleAccessGranted',
        schemaVersion: 1,
        data: { tenantId, userId, module, access: 'manage', locations: 'all', grantedAt: registeredAt },
      }))
    : [];
  return [{ type: 'identity.UserRegistered', schemaVersion: 1, data: registeredData }, ...ownerGrants];
}

function recordLogin({ data }: RecordLogin, user: RegisteredUser): UserEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const ip = requireNullableText(data.ip, 'ip');
  const userAgent = requireNullableText(data.userAgent, 'userAgent');
  const passwordMatched = requireBoolean(data.passwordMatched, 'passwordMatched');
  const base = { tenantId: user.tenantId, userId: user.userId, at, ip, userAgent };
  if (user.disabled) {
    return [{ type: 'identity.LoginFailed', schemaVersion: 1, data: { ...base, reason: 'disabled' } }];
  }
  if (!passwordMatched) {
    return [{ type: 'identity.LoginFailed', schemaVersion: 1, data: { ...base, reason: 'bad_password' } }];
  }
  return [{ type: 'identity.LoginSucceeded', schemaVersion: 1, data: base }];
}

function grant({ data }: GrantModuleAccess, user: RegisteredUser): UserEvent[] {
  if (!isModule(data.module)) throw invalid('module', `Unknown module ${String(data.module)}`);
  if (!isAccessLevel(data.access)) throw invalid('access', `Unknown access level ${String(data.access)}`);
  const locations = validLocations(data.locations);
  const grantedAt = requireTimestamp(data.grantedAt, 'grantedAt');
  const { module, access } = data;

  if (user.isOwner) {
    if (access === 'manage' && locations === 'all') return [];
    throw new IllegalStateError("The owner's access cannot be narrowed", 'owner_access_fixed', { module });
  }
  const held = user.grants[module];
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
  if (user.isOwner) {
    throw new IllegalStateError("The owner's access cannot be revoked", 'owner_access_fixed', { module });
  }
  if (!user.grants[module]) {
    throw new IllegalStateError(`The user holds no access to ${module}`, 'module_not_granted', { module });
  }
  return [
    { type: 'identity.ModuleAccessRevoked', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, module, revokedAt } },
  ];
}

function disable({ data }: DisableUser, user: RegisteredUser): UserEvent[] {
  const at = requireTimestamp(data.at, 'at');
  if (user.disabled) throw new IllegalStateError('The user is already disabled', 'user_already_disabled');
  return [{ type: 'identity.UserDisabled', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, at } }];
}

function enable({ data }: EnableUser, user: RegisteredUser): UserEvent[] {
  const at = requireTimestamp(data.at, 'at');
  if (!user.disabled) throw new IllegalStateError('The user is not disabled', 'user_not_disabled');
  return [{ type: 'identity.UserEnabled', schemaVersion: 1, data: { tenantId: user.tenantId, userId: user.userId, at } }];
}

/** The registered user the command addresses, or NotFoundError (also for another tenant's user). */
function registered(state: UserState, target: { tenantId: string; userId: string }): RegisteredUser {
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
  if (!Array.isArray(value) || value.length === 0 || !value.every((id) => typeof id === 'string' && id.length > 0)) {
    throw invalid('locations', "locations must be 'all' or a non-empty list of location ids");
  }
  return [...new Set(value as string[])].sort();
}

function sameLocations(a: LocationScope, b: LocationScope): boolean {
  if (a === 'all' || b === 'all') return a === b;
  const held = new Set(a);
  return held.size === new Set(b).size && b.every((id) => held.has(id));
}
