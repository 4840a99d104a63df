import type { Command } from '../command';

/** Stop a user from logging in. Grants are kept for when the user is enabled again. */
export type DisableUser = Command<'DisableUser', { tenantId: string; userId: string; at: string }>;
