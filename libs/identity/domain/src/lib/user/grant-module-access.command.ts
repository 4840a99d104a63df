import type { AccessLevel, LocationScope, Module } from '@custodian/identity/contracts';
import type { Command } from '@custodian/kernel';
import type { ActorAuthority } from '../authority/actor-authority';

/**
 * Give a user `access` on `module` at `locations`, replacing what they held on that module.
 * The actor must administer the user and hold both the new grant and the one it replaces.
 */
export type GrantModuleAccess = Command<
  'GrantModuleAccess',
  { tenantId: string; userId: string; module: Module; access: AccessLevel; locations: LocationScope; grantedAt: string; actor: ActorAuthority }
>;
