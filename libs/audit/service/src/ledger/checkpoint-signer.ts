import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import type { PersonalDataCipher } from '@custodian/crypto';
import { keyIdOf, signCheckpoint, type CheckpointBody, type SignedCheckpoint } from '@custodian/audit/domain';

/** The private key is encrypted like personal data, under a platform subject (not any tenant's). */
const SIGNING_KEY_SUBJECT = { tenant: 'system', subject: 'audit-checkpoint-signing-keys' };

/**
 * The ledger's Ed25519 checkpoint key: created on first start, stored with its private half
 * encrypted by the master key (audit.signing_keys), the newest one used. Auditors fetch the
 * public key (GET /v1/audit/public-key) once and check every checkpoint against it offline.
 */
export class CheckpointSigner {
  private key: { keyId: string; privateKey: KeyObject; publicKey: KeyObject; publicKeyPem: string } | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async load(): Promise<void> {
    const existing = await this.newest();
    if (existing) {
      this.key = existing;
      return;
    }
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const encrypted = await this.cipher.encrypt(SIGNING_KEY_SUBJECT.tenant, SIGNING_KEY_SUBJECT.subject, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    // Two instances starting at once: only the first key is stored; both then use the newest.
    await this.pool.query(
      `INSERT INTO audit.signing_keys (key_id, public_key_pem, private_key_encrypted)
       SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM audit.signing_keys)`,
      [keyIdOf(publicKey), publicKeyPem, encrypted],
    );
    this.key = await this.newest();
    if (!this.key) throw new Error('no checkpoint signing key could be stored');
  }

  get publicKey(): { keyId: string; publicKeyPem: string; publicKey: KeyObject } {
    const key = this.required();
    return { keyId: key.keyId, publicKeyPem: key.publicKeyPem, publicKey: key.publicKey };
  }

  sign(body: CheckpointBody): SignedCheckpoint {
    const key = this.required();
    return signCheckpoint(body, key.privateKey, key.keyId);
  }

  private required() {
    if (!this.key) throw new Error('CheckpointSigner.load() has not run');
    return this.key;
  }

  private async newest() {
    const res = await this.pool.query<{ key_id: string; public_key_pem: string; private_key_encrypted: string }>(
      'SELECT key_id, public_key_pem, private_key_encrypted FROM audit.signing_keys ORDER BY created_at DESC, key_id LIMIT 1',
    );
    const row = res.rows[0];
    if (!row) return undefined;
    const pem = await this.cipher.decrypt(SIGNING_KEY_SUBJECT.tenant, SIGNING_KEY_SUBJECT.subject, row.private_key_encrypted);
    if (pem === null) throw new Error('checkpoint signing key material was erased');
    return { keyId: row.key_id, privateKey: createPrivateKey(pem), publicKey: createPublicKey(row.public_key_pem), publicKeyPem: row.public_key_pem };
  }
}
