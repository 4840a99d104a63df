import type { AccessLevel, LocationScope, Module } from '@custodian/identity/contracts';
import type { Command } from '../command';

/** Give a user `access` on `module` at `locations`, replacing what they held on that module. */
export type GrantModuleAccess = Command<
  'GrantModuleAccess',
  { tenantId: string; userId: string; module: Module; access: AccessLevel; locations: LocationScope; grantedAt: string }
>;
