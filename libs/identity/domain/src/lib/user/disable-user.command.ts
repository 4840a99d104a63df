import type { Command } from '@custodian/kernel';
import type { ActorAuthority } from '../authority/actor-authority';

/** Stop a user from logging in and end every token and session at once. Grants are kept for when the user is enabled again. */
export type DisableUser = Command<'DisableUser', { tenantId: string; userId: string; at: string; actor: ActorAuthority }>;

/**
 * The security monitor's suspension of an account under attack (a rule, not an administrator):
 * the same UserDisabled, without an actor's authority — the rule's name is the actor in the
 * event metadata. The owner is never suspended (`owner_cannot_be_disabled`).
 */
export type SuspendUser = Command<'SuspendUser', { tenantId: string; userId: string; at: string; rule: string }>;
