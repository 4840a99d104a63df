/*
 * Stream ids of the identity context. Ids (tenant, user) are UUIDs and keys are hex, so the
 * prefixes cannot collide: "identity-tenant-name-" is never followed by a UUID.
 */

/** One stream per tenant: TenantCreated. */
export function tenantStreamId(tenantId: string): string {
  return `identity-tenant-${tenantId}`;
}

/** One stream per user: registration or invitation, grants, disable/enable, ownership (logins before the login stream existed). */
export function userStreamId(userId: string): string {
  return `identity-user-${userId}`;
}

/** Uniqueness of a tenant name across the platform; `nameKey` from `tenantNameKey(name)`. */
export function tenantNameStreamId(nameKey: string): string {
  return `identity-tenant-name-${nameKey}`;
}

/** Uniqueness of an email within a tenant; `emailIndex` is the app layer's blind index (hex). */
export function emailClaimStreamId(tenantId: string, emailIndex: string): string {
  return `identity-email-${tenantId}-${emailIndex}`;
}

/** One stream per user for login attempts, locks and ended sessions (kept out of the user stream, which stays short). */
export function loginStreamId(userId: string): string {
  return `identity-logins-${userId}`;
}

/** Failed logins of a tenant for emails that are no account of it. */
export function unknownLoginStreamId(tenantId: string): string {
  return `identity-logins-unknown-${tenantId}`;
}

/** One stream per API key. */
export function apiKeyStreamId(keyId: string): string {
  return `identity-apikey-${keyId}`;
}
