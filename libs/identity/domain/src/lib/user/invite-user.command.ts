import type { UserInvited } from '@custodian/identity/contracts';
import type { Command } from '@custodian/kernel';

/** Create a user without a password; they activate with a one-time token whose hash is given here. */
export type InviteUser = Command<'InviteUser', UserInvited['data']>;
