import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import type { Pool } from 'pg';
import type { PersonalDataCipher } from '@custodian/crypto';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, type JwksResponse, type LoginResponse, type PublicJwk } from '@custodian/identity/contracts';

const SIGNING_KEY_SUBJECT = { tenant: 'system', subject: 'token-signing-keys' };

interface ActiveKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
}

/**
 * Issues EdDSA (Ed25519) access tokens and opaque refresh tokens.
 * - The signing key is created on first use and stored with its private half encrypted under
 *   the master key; every process of the service signs with the newest unretired key.
 * - Refresh tokens are 256-bit random strings; only their SHA-256 is stored.
 */
export class TokenIssuer {
  private active: Promise<ActiveKey> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly cipher: PersonalDataCipher,
    private readonly accessTtlSeconds: number,
    private readonly refreshTtlSeconds: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async issue(userId: string, tenantId: string): Promise<LoginResponse & { sessionId: string }> {
    const key = await this.activeKey();
    const now = this.clock();
    const sessionId = randomUUID();
    const accessToken = await new SignJWT({ tid: tenantId, sid: sessionId })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(userId)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(now.getTime() / 1000) + this.accessTtlSeconds)
      .setJti(randomUUID())
      .sign(key.privateKey);
    const refreshToken = randomBytes(32).toString('base64url');
    await this.pool.query(
      `INSERT INTO identity.refresh_tokens (token_hash, session_id, user_id, tenant_id, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [sha256(refreshToken), sessionId, userId, tenantId, now, new Date(now.getTime() + this.refreshTtlSeconds * 1000)],
    );
    return { accessToken, refreshToken, expiresIn: this.accessTtlSeconds, sessionId };
  }

  async jwks(): Promise<JwksResponse> {
    await this.activeKey();
    const res = await this.pool.query<{ public_jwk: PublicJwk }>('SELECT public_jwk FROM identity.signing_keys WHERE retired_at IS NULL OR retired_at > now() ORDER BY created_at');
    return { keys: res.rows.map((r) => r.public_jwk) };
  }

  private activeKey(): Promise<ActiveKey> {
    this.active ??= this.loadOrCreate().catch((e) => {
      this.active = undefined;
      throw e;
    });
    return this.active;
  }

  private async loadOrCreate(): Promise<ActiveKey> {
    const existing = await this.newest();
    if (existing) return existing;
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = `k-${this.clock().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const publicJwk: PublicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } as PublicJwk;
    const privateJwk = await exportJWK(privateKey);
    const encrypted = await this.cipher.encrypt(SIGNING_KEY_SUBJECT.tenant, SIGNING_KEY_SUBJECT.subject, JSON.stringify(privateJwk));
    await this.pool.query(
      `INSERT INTO identity.signing_keys (kid, public_jwk, private_jwk_encrypted)
       SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM identity.signing_keys WHERE retired_at IS NULL)`,
      [kid, JSON.stringify(publicJwk), encrypted],
    );
    // Another process may have created one first: everyone uses the newest.
    const chosen = await this.newest();
    if (!chosen) throw new Error('no token signing key could be stored');
    return chosen;
  }

  private async newest(): Promise<ActiveKey | undefined> {
    const res = await this.pool.query<{ kid: string; private_jwk_encrypted: string }>(
      'SELECT kid, private_jwk_encrypted FROM identity.signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    );
    const row = res.rows[0];
    if (!row) return undefined;
    const json = await this.cipher.decrypt(SIGNING_KEY_SUBJECT.tenant, SIGNING_KEY_SUBJECT.subject, row.private_jwk_encrypted);
    if (json === null) throw new Error('token signing key material was erased');
    return { kid: row.kid, privateKey: await importJWK(JSON.parse(json) as JWK, 'EdDSA') };
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
