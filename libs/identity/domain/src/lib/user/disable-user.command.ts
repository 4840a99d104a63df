import type { Command } from '@custodian/kernel';
import type { ActorAuthority } from '../authority/actor-authority';

/** Stop a user from logging in and end every token and session at once. Grants are kept for when the user is enabled again. */
export type DisableUser = Command<'DisableUser', { tenantId: string; userId: string; at: string; actor: ActorAuthority }>;
