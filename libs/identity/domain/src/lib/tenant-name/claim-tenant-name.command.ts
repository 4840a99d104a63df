import type { Command } from '@custodian/kernel';

/** Reserve a tenant name for a tenant. `nameKey` is `tenantNameKey(name)` (hex SHA-256). */
export type ClaimTenantName = Command<'ClaimTenantName', { tenantId: string; nameKey: string }>;
