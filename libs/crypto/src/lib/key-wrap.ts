import { randomBytes } from 'node:crypto';
import { InfrastructureError } from '@custodian/kernel';
import { encodeAad, IV_BYTES, open, seal, TAG_BYTES } from './aead';
import { KEY_BYTES, MASTER_KEY_ENV } from './master-key';

/**
 * Wrapped data key layout (stored in crypto.subject_keys.wrapped_key, 60 bytes):
 *
 *   iv (12) ‖ AES-256-GCM(masterKey, dataKey) (32) ‖ tag (16)
 *   AAD = encodeAad('custodian/subject-key', tenantId, subjectId, String(keyVersion))
 *
 * The AAD binds the key to its row: a wrapped key copied to another tenant, subject or key
 * version fails to unwrap.
 */
export const WRAPPED_KEY_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;
const WRAP_LABEL = 'custodian/subject-key';

/** Where a wrapped key belongs; every field is authenticated. */
export interface SubjectKeyRef {
  tenantId: string;
  subjectId: string;
  keyVersion: number;
}

/** A fresh random 32-byte data key. */
export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Wraps a data key under the master key, bound to `ref`. */
export function wrapDataKey(masterKey: Buffer, ref: SubjectKeyRef, dataKey: Buffer): Buffer {
  const { iv, ciphertext, tag } = seal(masterKey, dataKey, wrapAad(ref));
  return Buffer.concat([iv, ciphertext, tag]);
}

/**
 * Unwraps a data key. Throws a non-retriable InfrastructureError (code master_key_mismatch) when
 * the master key is not the one it was wrapped with, or the stored bytes or their row were altered.
 */
export function unwrapDataKey(masterKey: Buffer, ref: SubjectKeyRef, wrapped: Buffer): Buffer {
  const key =
    wrapped.length === WRAPPED_KEY_BYTES
      ? open(
          masterKey,
          {
            iv: wrapped.subarray(0, IV_BYTES),
            ciphertext: wrapped.subarray(IV_BYTES, IV_BYTES + KEY_BYTES),
            tag: wrapped.subarray(IV_BYTES + KEY_BYTES),
          },
          wrapAad(ref),
        )
      : null;
  if (key === null || key.length !== KEY_BYTES) {
    throw new InfrastructureError(
      `Cannot unwrap the data key of subject ${ref.subjectId} in tenant ${ref.tenantId}: ` +
        `${MASTER_KEY_ENV} is not the key it was wrapped with, or the stored key was altered or moved`,
      false,
      'master_key_mismatch',
    );
  }
  return key;
}

function wrapAad(ref: SubjectKeyRef): Buffer {
  return encodeAad(WRAP_LABEL, ref.tenantId, ref.subjectId, String(ref.keyVersion));
}
