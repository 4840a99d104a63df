import type { Command } from '@custodian/kernel';
import type { ActorAuthority } from '../authority/actor-authority';

/** Let a disabled user log in again. */
export type EnableUser = Command<'EnableUser', { tenantId: string; userId: string; at: string; actor: ActorAuthority }>;
