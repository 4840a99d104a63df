import type { Command } from '@custodian/kernel';

/** An invited user sets their password, proving possession of the activation token (by its SHA-256). */
export type ActivateUser = Command<'ActivateUser', { tenantId: string; userId: string; tokenHash: string; passwordHashEncrypted: string; at: string }>;
