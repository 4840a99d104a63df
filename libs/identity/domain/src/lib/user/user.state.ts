import type { AccessLevel, LocationScope, Module, ModuleGrant, UserEvent } from '@custodian/identity/contracts';
import { MODULES } from '@custodian/identity/contracts';
import { assertNever } from '@custodian/kernel';

/** What a user holds on one module. */
export type UserGrant = { access: AccessLevel; locations: LocationScope };

/** A user who exists: registered with a password, or invited and maybe activated since. */
export type RegisteredUser = {
  status: 'registered';
  tenantId: string;
  userId: string;
  emailIndex: string;
  emailEncrypted: string;
  nameEncrypted: string;
  /** '' while an invited user has not activated: nobody can log in with it. */
  passwordHashEncrypted: string;
  isOwner: boolean;
  registeredAt: string;
  /** Invited and not yet activated. */
  invited: boolean;
  /** SHA-256 (hex) of the pending activation token, and when it expires; null once used or for registered users. */
  activation: { tokenHash: string; expiresAt: string } | null;
  disabled: boolean;
  /** Modules the user holds; a module absent here is denied. */
  grants: Partial<Record<Module, UserGrant>>;
};

/** State of stream `identity-user-<userId>`. */
export type UserState = { status: 'unregistered' } | RegisteredUser;

export const initialUserState = (): UserState => ({ status: 'unregistered' });

/** Folds one user-stream event. Events other than registration leave an unregistered state as it is. */
export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'identity.UserRegistered':
      return { status: 'registered', ...event.data, invited: false, activation: null, disabled: false, grants: {} };
    case 'identity.UserInvited': {
      const { activationTokenHash, activationExpiresAt, invitedAt, ...rest } = event.data;
      return {
        status: 'registered',
        ...rest,
        passwordHashEncrypted: '',
        isOwner: false,
        registeredAt: invitedAt,
        invited: true,
        activation: { tokenHash: activationTokenHash, expiresAt: activationExpiresAt },
        disabled: false,
        grants: {},
      };
    }
    case 'identity.UserActivated':
      return state.status === 'registered' ? { ...state, invited: false, activation: null, passwordHashEncrypted: event.data.passwordHashEncrypted } : state;
    case 'identity.ModuleAccessGranted': {
      if (state.status !== 'registered') return state;
      const { module, access, locations } = event.data;
      return { ...state, grants: { ...state.grants, [module]: { access, locations } } };
    }
    case 'identity.ModuleAccessRevoked': {
      if (state.status !== 'registered') return state;
      const { [event.data.module]: _revoked, ...grants } = state.grants;
      return { ...state, grants };
    }
    case 'identity.OwnershipReceived':
      return state.status === 'registered' ? { ...state, isOwner: true } : state;
    case 'identity.OwnershipRelinquished':
      return state.status === 'registered' ? { ...state, isOwner: false } : state;
    case 'identity.UserDisabled':
      return state.status === 'registered' ? { ...state, disabled: true } : state;
    case 'identity.UserEnabled':
      return state.status === 'registered' ? { ...state, disabled: false } : state;
    // Logins were recorded in user streams before the login stream existed; they change nothing here.
    case 'identity.LoginSucceeded':
    case 'identity.LoginFailed':
      return state;
    default:
      return assertNever(event, 'event');
  }
}

/** The user's grants in the shape MeResponse serves, in MODULES order; none when unregistered. */
export function grantsOf(state: UserState): ModuleGrant[] {
  if (state.status !== 'registered') return [];
  return MODULES.flatMap((module) => {
    const grant = state.grants[module];
    if (!grant) return [];
    const locations = grant.locations === 'all' ? 'all' : [...grant.locations];
    return [{ module, access: grant.access, locations }];
  });
}

/** 'invited' until activation, then 'disabled' or 'active'. */
export function userStatusOf(user: RegisteredUser): 'invited' | 'active' | 'disabled' {
  if (user.disabled) return 'disabled';
  return user.invited ? 'invited' : 'active';
}
