import type { AccessLevel, LocationScope, Module, ModuleGrant, UserEvent, UserRegistered } from '@custodian/identity/contracts';
import { MODULES } from '@custodian/identity/contracts';
import { assertNever } from '../exhaustive';

/** What a user holds on one module. */
export type UserGrant = { access: AccessLevel; locations: LocationScope };

/** State of stream `identity-user-<userId>`. */
export type UserState =
  | { status: 'unregistered' }
  | (UserRegistered['data'] & {
      status: 'registered';
      disabled: boolean;
      /** Modules the user holds; a module absent here is denied. */
      grants: Partial<Record<Module, UserGrant>>;
    });

export type RegisteredUser = Extract<UserState, { status: 'registered' }>;

export const initialUserState = (): UserState => ({ status: 'unregistered' });

/** Folds one user-stream event. Events other than registration leave an unregistered state as it is. */
export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'identity.UserRegistered':
      return { status: 'registered', ...event.data, disabled: false, grants: {} };
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
    case 'identity.UserDisabled':
      return state.status === 'registered' ? { ...state, disabled: true } : state;
    case 'identity.UserEnabled':
      return state.status === 'registered' ? { ...state, disabled: false } : state;
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
