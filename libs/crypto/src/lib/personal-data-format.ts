import { ValidationError } from '@custodian/kernel';
import { encodeAad, IV_BYTES, TAG_BYTES, type Sealed } from './aead';

/**
 * Encrypted personal data, format version 1 (what events store; hashes are taken over it):
 *
 *   pd:v1:<iv>.<ciphertext>.<tag>
 *
 * - each part is unpadded base64url (RFC 4648 §5); ciphertext may be empty (empty plaintext);
 * - iv: 12 random bytes; tag: 16 bytes; cipher: AES-256-GCM under the subject's data key;
 * - plaintext: the UTF-8 bytes of the string;
 * - AAD = encodeAad('custodian/pd/v1', tenantId, subjectId) — each field as 4-byte big-endian
 *   length ‖ UTF-8 bytes — so a value copied into another tenant or subject fails to decrypt.
 * The value names neither tenant nor subject: the reader supplies both from the event.
 * Readers reject any other prefix; a new layout gets a new version, never a changed v1.
 */
export const PERSONAL_DATA_PREFIX = 'pd:v1:';
const AAD_LABEL = 'custodian/pd/v1';
const B64URL = '[A-Za-z0-9_-]';
const FORMAT = new RegExp(`^pd:v1:(${B64URL}{16})\\.(${B64URL}*)\\.(${B64URL}{22})$`);

/** True when `value` is a string in the pd:v1 layout (says nothing about which key opens it). */
export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && FORMAT.test(value);
}

/** Serialises a sealed value as pd:v1. */
export function formatPersonalData(sealed: Sealed): string {
  return `${PERSONAL_DATA_PREFIX}${b64(sealed.iv)}.${b64(sealed.ciphertext)}.${b64(sealed.tag)}`;
}

/** Parses pd:v1; throws a ValidationError (code personal_data_malformed) for anything else. */
export function parsePersonalData(value: string): Sealed {
  const m = typeof value === 'string' ? FORMAT.exec(value) : null;
  const sealed = m ? { iv: unb64(m[1]), ciphertext: unb64(m[2]), tag: unb64(m[3]) } : null;
  // Re-encoding must give back the text: one string per value, no stray trailing bits.
  if (sealed === null || sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES || formatPersonalData(sealed) !== value) {
    throw new ValidationError('value is not encrypted personal data (expected pd:v1:<iv>.<ciphertext>.<tag>)', undefined, 'personal_data_malformed');
  }
  return sealed;
}

/** The AAD binding a pd:v1 value to its tenant and subject. */
export function personalDataAad(tenantId: string, subjectId: string): Buffer {
  return encodeAad(AAD_LABEL, tenantId, subjectId);
}

function b64(b: Buffer): string {
  return b.toString('base64url');
}

function unb64(s: string): Buffer {
  return Buffer.from(s, 'base64url');
}
