import { createHash } from 'node:crypto';

/**
 * The form under which two tenant names count as the same name: NFKC-normalised, lower-cased,
 * every whitespace run collapsed to one space, trimmed. Idempotent.
 * NFKC runs first so compatibility spaces (NBSP, ideographic space) collapse as well.
 */
export function normalizeTenantName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim().normalize('NFKC');
}

/** Hex SHA-256 of the normalised name (UTF-8): the key of the name's uniqueness stream. */
export function tenantNameKey(name: string): string {
  return createHash('sha256').update(normalizeTenantName(name), 'utf8').digest('hex');
}
