import type { Command } from '@custodian/kernel';

/** Create a tenant. `name` is the display name (1..200 characters after trimming). */
export type CreateTenant = Command<'CreateTenant', { tenantId: string; name: string; ownerId: string; now: string }>;
