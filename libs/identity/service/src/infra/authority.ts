import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { foldEvents, UnauthorizedError, type EventStore } from '@custodian/kernel';
import {
  apiKeyStreamId,
  intersectGrant,
  MODULES,
  upcastIdentityEvent,
  userStreamId,
  type ApiKeyEvent,
  type Principal,
  type PrincipalRef,
  type RequestMeta,
  type UserEvent,
} from '@custodian/identity/contracts';
import { apiKeyAccepts, apiKeyDecider, grantsOf, userDecider, type ActorAuthority, type ApiKeyState, type ExistingApiKey, type RegisteredUser, type UserState } from '@custodian/identity/domain';

const API_KEY_FORMAT = /^cust_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** SHA-256 hex: for high-entropy secrets (refresh tokens, API keys, activation tokens) only. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** `cust_<keyId without dashes>_<secret>`: the key id travels in the secret, so one stream read finds the key. */
export function formatApiKeySecret(keyId: string, secret: string): string {
  return `cust_${keyId.replace(/-/g, '')}_${secret}`;
}

function parseApiKeySecret(value: string): { keyId: string } | undefined {
  const m = API_KEY_FORMAT.exec(value);
  if (!m) return undefined;
  const h = m[1];
  return { keyId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
}

/**
 * Who a credential is and what it may do, read from the source of truth each time (user and
 * key streams, the session table): never from a cache or from grants sent by a client. The
 * gateway caches the answers and forgets them when the access-change feed says so.
 */
export class AuthorityReader {
  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async user(userId: string): Promise<UserState> {
    const history = await this.store.readStream(userStreamId(userId));
    return foldEvents(userDecider, history.map((e) => upcastIdentityEvent(e) as UserEvent));
  }

  async apiKey(keyId: string): Promise<ApiKeyState> {
    const history = await this.store.readStream(apiKeyStreamId(keyId));
    return foldEvents(apiKeyDecider, history.map((e) => upcastIdentityEvent(e) as ApiKeyEvent));
  }

  /** A live session of an active user of the tenant, or UnauthorizedError `invalid_token`. */
  async sessionPrincipal(tenantId: string, userId: string, sessionId: string): Promise<Principal> {
    const [user, session] = await Promise.all([
      this.user(userId),
      this.pool.query<{ user_id: string; revoked_at: Date | null }>('SELECT user_id, revoked_at FROM identity.sessions WHERE session_id = $1', [sessionId]),
    ]);
    const row = session.rows[0];
    const active = activeUser(user, tenantId);
    if (!active || !row || row.user_id !== userId || row.revoked_at !== null) throw invalidToken();
    return { kind: 'user', tenantId, userId, sessionId, isOwner: active.isOwner, grants: grantsOf(active) };
  }

  /**
   * An API key secret: the key must be active, unexpired and the secret current (or the
   * previous one inside its overlap); its creator must be an active user. The key acts with
   * its own grants capped by what the creator holds now. Any failure: UnauthorizedError `invalid_api_key`.
   */
  async apiKeyPrincipal(secret: string): Promise<Principal> {
    const parsed = typeof secret === 'string' ? parseApiKeySecret(secret) : undefined;
    if (!parsed) throw invalidApiKey();
    const key = await this.apiKey(parsed.keyId);
    if (key.status === 'none' || !apiKeyAccepts(key, sha256Hex(secret), this.clock())) throw invalidApiKey();
    return this.keyPrincipal(key);
  }

  async principalOf(ref: PrincipalRef): Promise<Principal> {
    if (ref.kind === 'user') return this.sessionPrincipal(ref.tenantId, ref.userId, ref.sessionId);
    // The gateway checked the secret when it authenticated the request; the key must still be live.
    const key = await this.apiKey(ref.keyId);
    if (key.status !== 'active' || key.tenantId !== ref.tenantId) throw invalidApiKey();
    if (key.expiresAt !== null && this.clock().getTime() >= Date.parse(key.expiresAt)) throw invalidApiKey();
    return this.keyPrincipal(key);
  }

  /** The key's grants capped by what its (active) creator holds now. */
  private async keyPrincipal(key: ExistingApiKey): Promise<Principal> {
    const creator = activeUser(await this.user(key.createdBy), key.tenantId);
    if (!creator) throw invalidApiKey();
    const creatorGrants = grantsOf(creator);
    const grants = MODULES.flatMap((module) => {
      const own = key.grants.find((g) => g.module === module);
      const capped = own ? intersectGrant(own, creatorGrants.find((g) => g.module === module)) : undefined;
      return capped ? [capped] : [];
    });
    return { kind: 'api_key', tenantId: key.tenantId, userId: key.createdBy, keyId: key.keyId, isOwner: false, grants };
  }

  /** The actor of an administrative command, re-read now. No authenticated principal: UnauthorizedError. */
  async actorOf(meta: RequestMeta): Promise<{ tenantId: string; authority: ActorAuthority }> {
    const ref = meta.actor?.principal;
    if (!ref) throw new UnauthorizedError('Authentication required', 'unauthorized');
    const p = await this.principalOf(ref);
    const id = p.kind === 'user' ? `user:${p.userId}` : `apikey:${p.keyId}`;
    return { tenantId: p.tenantId, authority: { id, userId: p.userId, isOwner: p.isOwner, grants: p.grants } };
  }
}

/** The user when registered in `tenantId`, activated and enabled. */
export function activeUser(state: UserState, tenantId: string): RegisteredUser | undefined {
  return state.status === 'registered' && state.tenantId === tenantId && !state.disabled && !state.invited ? state : undefined;
}

function invalidToken(): UnauthorizedError {
  return new UnauthorizedError('The access token is invalid or expired', 'invalid_token');
}

function invalidApiKey(): UnauthorizedError {
  return new UnauthorizedError('The API key is invalid, expired or revoked', 'invalid_api_key');
}
