import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import type { Pool } from 'pg';
import type { PersonalDataCipher } from '@custodian/crypto';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, type JwksResponse, type LoginResponse, type PublicJwk, type RotateSigningKeyResponse } from '@custodian/identity/contracts';

/** How long a process keeps using the signing key it loaded before checking for a newer one. */
const ACTIVE_KEY_RECHECK_MS = 5_000;
/** A retired key stays in the JWKS this long past the access-token lifetime (clock skew, recheck lag). */
const RETIRED_KEY_GRACE_SECONDS = 60;

/** The outcome of presenting a refresh token. */
export type RefreshOutcome =
  | { kind: 'rotated'; userId: string; tenantId: string; sessionId: string; tokens: LoginResponse }
  /** An already-rotated token came back: its whole session is now revoked. */
  | { kind: 'reused'; userId: string; tenantId: string; sessionId: string }
  | { kind: 'invalid' };

const SIGNING_KEY_SUBJECT = { tenant: 'system', subject: 'token-signing-keys' };

interface ActiveKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  loadedAt: number;
}

/**
 * Issues EdDSA (Ed25519) access tokens and opaque refresh tokens.
 * - The signing key is created on first use and stored with its private half encrypted under
 *   the master key; every process of the service signs with the newest unretired key
 *   (re-checked every 5 s). `rotateSigningKey` adds a new key and retires the others: they stay
 *   in the JWKS until every token they signed has expired.
 * - A login opens a session (a refresh-token family). Refresh tokens are 256-bit random
 *   strings; only their SHA-256 is stored. Each is good for one exchange (`refresh`); presenting
 *   a spent one revokes the whole session (theft detection, OAuth 2.0 Security BCP 4.14).
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

  /** Opens a new session for the user and issues its first token pair. */
  async issue(userId: string, tenantId: string): Promise<LoginResponse & { sessionId: string }> {
    const now = this.clock();
    const sessionId = randomUUID();
    await this.pool.query('INSERT INTO identity.sessions (session_id, user_id, tenant_id, created_at) VALUES ($1, $2, $3, $4)', [sessionId, userId, tenantId, now]);
    return { ...(await this.issueInSession(this.pool, userId, tenantId, sessionId, now)), sessionId };
  }

  /**
   * Exchanges a refresh token for a new pair in the same session, atomically: of two
   * concurrent exchanges of one token exactly one succeeds and the other counts as reuse.
   */
  async refresh(refreshToken: string): Promise<RefreshOutcome> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const res = await client.query<{ session_id: string; user_id: string; tenant_id: string; expires_at: Date; rotated_at: Date | null; session_revoked: Date | null }>(
        `SELECT t.session_id, t.user_id, t.tenant_id, t.expires_at, t.rotated_at, s.revoked_at AS session_revoked
           FROM identity.refresh_tokens t JOIN identity.sessions s USING (session_id)
          WHERE t.token_hash = $1 FOR UPDATE OF t, s`,
        [sha256(refreshToken)],
      );
      const row = res.rows[0];
      const now = this.clock();
      if (!row || row.session_revoked !== null || row.expires_at.getTime() <= now.getTime()) {
        await client.query('ROLLBACK');
        return { kind: 'invalid' };
      }
      const who = { userId: row.user_id, tenantId: row.tenant_id, sessionId: row.session_id };
      if (row.rotated_at !== null) {
        await client.query(`UPDATE identity.sessions SET revoked_at = $2, revoked_reason = 'refresh_reuse' WHERE session_id = $1`, [row.session_id, now]);
        await client.query('COMMIT');
        return { kind: 'reused', ...who };
      }
      await client.query('UPDATE identity.refresh_tokens SET rotated_at = $2 WHERE token_hash = $1', [sha256(refreshToken), now]);
      const tokens = await this.issueInSession(client, row.user_id, row.tenant_id, row.session_id, now);
      await client.query('COMMIT');
      return { kind: 'rotated', ...who, tokens };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Ends the session the refresh token belongs to; its owner, or undefined for an unknown token. */
  async revokeByRefreshToken(refreshToken: string, reason: 'logout' | 'refresh_reuse'): Promise<{ userId: string; tenantId: string; sessionId: string } | undefined> {
    const res = await this.pool.query<{ session_id: string; user_id: string; tenant_id: string }>(
      `UPDATE identity.sessions s SET revoked_at = coalesce(s.revoked_at, now()), revoked_reason = coalesce(s.revoked_reason, $2)
         FROM identity.refresh_tokens t
        WHERE t.token_hash = $1 AND t.session_id = s.session_id
        RETURNING s.session_id, s.user_id, s.tenant_id`,
      [sha256(refreshToken), reason],
    );
    const row = res.rows[0];
    return row ? { userId: row.user_id, tenantId: row.tenant_id, sessionId: row.session_id } : undefined;
  }

  /** Adds a new signing key; older keys sign nothing more and leave the JWKS once their tokens expired. */
  async rotateSigningKey(): Promise<RotateSigningKeyResponse> {
    const created = await this.createKey();
    const retired = await this.pool.query<{ kid: string }>(
      `UPDATE identity.signing_keys SET retired_at = now() + make_interval(secs => $2)
        WHERE kid <> $1 AND retired_at IS NULL RETURNING kid`,
      [created.kid, this.accessTtlSeconds + RETIRED_KEY_GRACE_SECONDS],
    );
    this.active = Promise.resolve(created);
    return { kid: created.kid, previousKids: retired.rows.map((r) => r.kid) };
  }

  private async issueInSession(db: Pick<Pool, 'query'>, userId: string, tenantId: string, sessionId: string, now: Date): Promise<LoginResponse> {
    const key = await this.activeKey();
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
    await db.query(
      `INSERT INTO identity.refresh_tokens (token_hash, session_id, user_id, tenant_id, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [sha256(refreshToken), sessionId, userId, tenantId, now, new Date(now.getTime() + this.refreshTtlSeconds * 1000)],
    );
    return { accessToken, refreshToken, expiresIn: this.accessTtlSeconds };
  }

  async jwks(): Promise<JwksResponse> {
    await this.activeKey();
    const res = await this.pool.query<{ public_jwk: PublicJwk }>('SELECT public_jwk FROM identity.signing_keys WHERE retired_at IS NULL OR retired_at > now() ORDER BY created_at');
    return { keys: res.rows.map((r) => r.public_jwk) };
  }

  /** The newest unretired key; re-read after ACTIVE_KEY_RECHECK_MS so another process's rotation is followed. */
  private async activeKey(): Promise<ActiveKey> {
    const current = this.active;
    const fresh = () =>
      (this.active = this.loadOrCreate().catch((e) => {
        this.active = undefined;
        throw e;
      }));
    if (!current) return fresh();
    const key = await current;
    if (this.clock().getTime() - key.loadedAt < ACTIVE_KEY_RECHECK_MS) return key;
    return fresh();
  }

  private async loadOrCreate(): Promise<ActiveKey> {
    const existing = await this.newest();
    if (existing) return existing;
    await this.createKey(true);
    // Another process may have created one first: everyone uses the newest.
    const chosen = await this.newest();
    if (!chosen) throw new Error('no token signing key could be stored');
    return chosen;
  }

  /** Stores a new key pair; with `onlyIfNone`, only when no unretired key exists (first start). */
  private async createKey(onlyIfNone = false): Promise<ActiveKey> {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = `k-${this.clock().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const publicJwk: PublicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } as PublicJwk;
    const privateJwk = await exportJWK(privateKey);
    const encrypted = await this.cipher.encrypt(SIGNING_KEY_SUBJECT.tenant, SIGNING_KEY_SUBJECT.subject, JSON.stringify(privateJwk));
    await this.pool.query(
      `INSERT INTO identity.signing_keys (kid, public_jwk, private_jwk_encrypted, created_at)
       SELECT $1, $2, $3, clock_timestamp() WHERE NOT $4 OR NOT EXISTS (SELECT 1 FROM identity.signing_keys WHERE retired_at IS NULL)`,
      [kid, JSON.stringify(publicJwk), encrypted, onlyIfNone],
    );
    return { kid, privateKey, loadedAt: this.clock().getTime() };
  }

  private async newest(): Promise<ActiveKey | undefined> {
    const res = await this.pool.query<{ kid: string; private_jwk_encrypted: string }>(
      'SELECT kid, private_jwk_encrypted FROM identity.signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    );
    const row = res.rows[0];
    if (!row) return undefined;
    const json = await this.cipher.decrypt(SIGNING_KEY_SUBJECT.tenant, SIGNING_KEY_SUBJECT.subject, row.private_jwk_encrypted);
    if (json === null) throw new Error('token signing key material was erased');
    return { kid: row.kid, privateKey: await importJWK(JSON.parse(json) as JWK, 'EdDSA'), loadedAt: this.clock().getTime() };
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
