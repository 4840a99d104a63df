import type { Command } from '@custodian/kernel';

/** Reserve an email, by its blind index, for a user of a tenant. */
export type ClaimEmail = Command<'ClaimEmail', { tenantId: string; userId: string; emailIndex: string }>;
