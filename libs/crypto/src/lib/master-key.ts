import { randomBytes } from 'node:crypto';
import { ValidationError } from '@custodian/kernel';

/** The configuration entry that holds the master key (read by the app's config, never here). */
export const MASTER_KEY_ENV = 'CUSTODIAN_MASTER_KEY';

/** Length of the master key and of every per-subject data key (AES-256). */
export const KEY_BYTES = 32;

// Standard or URL-safe alphabet, optional padding; Buffer.from would silently skip other characters.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Decodes a base64 or base64url master key. Throws a ValidationError naming CUSTODIAN_MASTER_KEY
 * unless the text decodes to exactly 32 bytes. The message never echoes the key.
 */
export function parseMasterKey(text: string): Buffer {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (!BASE64.test(trimmed)) {
    throw new ValidationError(`${MASTER_KEY_ENV} must be ${KEY_BYTES} bytes encoded as base64 or base64url`, undefined, 'invalid_master_key');
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new ValidationError(`${MASTER_KEY_ENV} must decode to exactly ${KEY_BYTES} bytes, got ${key.length}`, undefined, 'invalid_master_key');
  }
  return key;
}

/** A fresh random master key as base64 (for `custodian` setup and tests). */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Throws unless `key` is a 32-byte buffer (guards constructors taking an already parsed key). */
export function assertMasterKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new ValidationError(`master key must be ${KEY_BYTES} bytes (parse ${MASTER_KEY_ENV} with parseMasterKey)`, undefined, 'invalid_master_key');
  }
}
