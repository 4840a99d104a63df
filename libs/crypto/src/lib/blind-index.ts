import { createHmac, hkdfSync } from 'node:crypto';
import { ValidationError } from '@custodian/kernel';
import { assertId } from './subject-ids';
import { assertMasterKey } from './master-key';

/**
 * Blind index (equality lookup without decrypting), stable across processes and releases:
 *
 *   indexKey = HKDF-SHA256(ikm = masterKey, salt = empty, info = UTF-8("custodian blind index " + purpose), 32 bytes)
 *   index    = lowercase hex HMAC-SHA256(indexKey, UTF-8(tenantId ‖ "\0" ‖ value))
 *
 * `purpose` separates indexes (e.g. "user-email") so equal values in different columns do not
 * match; tenantId separates tenants. The caller normalises `value` (normalizeEmail). Changing any
 * of this invalidates every stored index.
 */
export function blindIndex(masterKey: Buffer, purpose: string, tenantId: string, value: string): string {
  assertMasterKey(masterKey);
  if (typeof purpose !== 'string' || purpose.length === 0) throw new ValidationError('blind index purpose must be a non-empty string', undefined, 'invalid_purpose');
  assertId('tenantId', tenantId);
  if (typeof value !== 'string') throw new ValidationError('blind index value must be a string', undefined, 'invalid_value');
  return createHmac('sha256', indexKey(masterKey, purpose)).update(`${tenantId}\0${value}`, 'utf8').digest('hex');
}

/** The normal form of an email address for blind indexing: trimmed, lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function indexKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), Buffer.from(`custodian blind index ${purpose}`, 'utf8'), 32));
}
