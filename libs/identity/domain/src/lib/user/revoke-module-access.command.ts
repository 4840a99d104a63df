import type { Module } from '@custodian/identity/contracts';
import type { Command } from '@custodian/kernel';
import type { ActorAuthority } from '../authority/actor-authority';

/** Take away everything a user holds on `module`; the actor must hold what is taken away. */
export type RevokeModuleAccess = Command<'RevokeModuleAccess', { tenantId: string; userId: string; module: Module; revokedAt: string; actor: ActorAuthority }>;
