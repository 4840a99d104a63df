import type { Module } from '@custodian/identity/contracts';
import type { Command } from '../command';

/** Take away everything a user holds on `module`. */
export type RevokeModuleAccess = Command<
  'RevokeModuleAccess',
  { tenantId: string; userId: string; module: Module; revokedAt: string }
>;
