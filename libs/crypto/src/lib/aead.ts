import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM parameters shared by key wrapping and personal-data encryption. */
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

export interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Encrypts with a fresh random 96-bit IV. Never reuse an IV under one key: callers must not pass one. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Decrypts and authenticates; returns null when the key, AAD, IV, ciphertext or tag do not match. */
export function open(key: Buffer, sealed: Sealed, aad: Buffer): Buffer | null {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

/**
 * Additional authenticated data: a domain label then each part, every field as a 4-byte
 * big-endian UTF-8 length followed by its bytes, so no two (label, parts) lists encode alike.
 */
export function encodeAad(label: string, ...parts: readonly string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const s of [label, ...parts]) {
    const bytes = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    chunks.push(len, bytes);
  }
  return Buffer.concat(chunks);
}
