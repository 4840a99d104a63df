import type { UserRegistered } from '@custodian/identity/contracts';
import type { Command } from '@custodian/kernel';

/** Register a user. Personal fields are ciphertext from the app layer; `isOwner` grants every module. */
export type RegisterUser = Command<'RegisterUser', UserRegistered['data']>;
