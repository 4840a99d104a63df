import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { Client } from 'pg';
import { parseMasterKey } from '@custodian/crypto';
import { loginStreamId, userStreamId } from '@custodian/identity/contracts';
import { testDatabaseUrl, testMasterKey, waitFor } from '@custodian/testing';
import { http, startGateway, startIdentity, uniqueName, type RunningGateway, type RunningIdentity } from './platform.harness';

type Res = Awaited<ReturnType<typeof http>>;

/**
 * Identity and access control end to end: users and invites, grants that never exceed the
 * granter's, location scope (outside is 404), real-time revocation on a second gateway,
 * refresh rotation with reuse detection, API keys, lockout, signing-key rotation, ownership.
 */
describe('access control', () => {
  let identity: RunningIdentity;
  let gw: RunningGateway;
  let other: RunningGateway;
  let db: Client;

  beforeAll(async () => {
    identity = await startIdentity(parseMasterKey(testMasterKey()));
    gw = await startGateway(identity.port);
    other = await startGateway(identity.port, gw.bootstrapToken);
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await other?.close();
    await gw?.close();
    await identity?.close();
    await db?.end();
  });

  const email = (who: string) => `${who}-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'correct horse battery';
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  function expectError(res: Res, status: number, code?: string) {
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code: code ?? res.body?.error?.code });
    expect(typeof res.body.error.requestId).toBe('string');
  }

  async function tenant() {
    const ownerEmail = email('owner');
    const res = await http('POST', `${gw.url}/v1/tenants`, { headers: bearer(gw.bootstrapToken), body: { name: uniqueName(), owner: { email: ownerEmail, name: 'Owner', password } } });
    expect(res.status).toBe(201);
    const { tenantId, ownerId } = res.body as { tenantId: string; ownerId: string };
    const login = await logIn(tenantId, ownerEmail);
    return { tenantId, ownerId, token: login.accessToken as string };
  }

  async function logIn(tenantId: string, who: string, url = gw.url) {
    const res = await http('POST', `${url}/v1/auth/login`, { body: { tenantId, email: who, password }, headers: { 'user-agent': 'e2e/1' } });
    expect(res.status).toBe(200);
    return res.body as { accessToken: string; refreshToken: string };
  }

  async function user(t: { tenantId: string; token: string }, grants: Record<string, { access: string; locations: 'all' | string[] }> = {}) {
    const address = email('user');
    const res = await http('POST', `${gw.url}/v1/users`, { headers: bearer(t.token), body: { email: address, name: 'A User', password } });
    expect(res.status).toBe(201);
    const userId = res.body.userId as string;
    for (const [module, g] of Object.entries(grants)) {
      expect((await http('PUT', `${gw.url}/v1/users/${userId}/grants/${module}`, { headers: bearer(t.token), body: g })).status).toBe(200);
    }
    const login = await logIn(t.tenantId, address);
    return { userId, email: address, token: login.accessToken, refreshToken: login.refreshToken };
  }

  describe('users', () => {
    it('invites a user who activates with the one-time token, then logs in', async () => {
      const t = await tenant();
      const address = email('invitee');
      const invite = await http('POST', `${gw.url}/v1/users`, { headers: bearer(t.token), body: { email: address, name: 'Invitee' } });
      expect(invite.status).toBe(201);
      expect(invite.body).toEqual({ userId: expect.any(String), status: 'invited', activationToken: expect.any(String), activationExpiresAt: expect.any(String) });
      expectError(await http('POST', `${gw.url}/v1/auth/login`, { body: { tenantId: t.tenantId, email: address, password } }), 401, 'invalid_credentials');
      expectError(await http('POST', `${gw.url}/v1/auth/activate`, { body: { token: `${invite.body.userId}.wrong`, password } }), 401, 'invalid_activation_token');
      const activated = await http('POST', `${gw.url}/v1/auth/activate`, { body: { token: invite.body.activationToken, password } });
      expect(activated.body).toEqual({ tenantId: t.tenantId, userId: invite.body.userId });
      expectError(await http('POST', `${gw.url}/v1/auth/activate`, { body: { token: invite.body.activationToken, password } }), 401, 'invalid_activation_token');
      await logIn(t.tenantId, address);
      const read = await http('GET', `${gw.url}/v1/users/${invite.body.userId}`, { headers: bearer(t.token) });
      expect(read.body).toMatchObject({ userId: invite.body.userId, email: address, status: 'active', isOwner: false, grants: [] });
    });

    it('refuses a second user with a taken email (409) and lists users page by page with filters', async () => {
      const t = await tenant();
      const a = await user(t, { records: { access: 'read', locations: ['loc-1'] } });
      await user(t);
      await user(t);
      expectError(await http('POST', `${gw.url}/v1/users`, { headers: bearer(t.token), body: { email: a.email.toUpperCase(), name: 'Dup', password } }), 409, 'email_taken');
      const first = await http('GET', `${gw.url}/v1/users?limit=2`, { headers: bearer(t.token) });
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(2);
      const second = await http('GET', `${gw.url}/v1/users?limit=2&cursor=${first.body.nextCursor}`, { headers: bearer(t.token) });
      expect(second.body.items).toHaveLength(2);
      expect(second.body.nextCursor).toBeNull();
      expect(new Set([...first.body.items, ...second.body.items].map((u: { userId: string }) => u.userId)).size).toBe(4);
      const byModule = await http('GET', `${gw.url}/v1/users?module=records&locationId=loc-1`, { headers: bearer(t.token) });
      expect(byModule.body.items.map((u: { userId: string }) => u.userId).sort()).toEqual([a.userId, t.ownerId].sort());
      const byEmail = await http('GET', `${gw.url}/v1/users?email=${encodeURIComponent(a.email)}`, { headers: bearer(t.token) });
      expect(byEmail.body.items.map((u: { userId: string }) => u.userId)).toEqual([a.userId]);
      expectError(await http('GET', `${gw.url}/v1/users?limit=0`, { headers: bearer(t.token) }), 400);
      expectError(await http('GET', `${gw.url}/v1/users?cursor=bogus`, { headers: bearer(t.token) }), 400, 'invalid_cursor');
    });

    it('scopes a site admin to their locations: outside users are 404 and never listed or counted', async () => {
      const t = await tenant();
      const admin = await user(t, { users: { access: 'manage', locations: ['site-A'] }, records: { access: 'manage', locations: ['site-A'] } });
      const inside = await user(t, { records: { access: 'read', locations: ['site-A'] } });
      const outside = await user(t, { records: { access: 'read', locations: ['site-B'] } });
      const list = await http('GET', `${gw.url}/v1/users?limit=200`, { headers: bearer(admin.token) });
      const ids = list.body.items.map((u: { userId: string }) => u.userId);
      expect(ids).toContain(inside.userId);
      expect(ids).not.toContain(outside.userId);
      expect(ids).not.toContain(t.ownerId);
      expect(Object.keys(list.body).sort()).toEqual(['items', 'nextCursor']);
      expectError(await http('GET', `${gw.url}/v1/users/${outside.userId}`, { headers: bearer(admin.token) }), 404, 'user_not_found');
      expectError(await http('PUT', `${gw.url}/v1/users/${outside.userId}/grants/records`, { headers: bearer(admin.token), body: { access: 'read', locations: ['site-A'] } }), 404, 'user_not_found');
      expectError(await http('POST', `${gw.url}/v1/users/${outside.userId}/disable`, { headers: bearer(admin.token) }), 404, 'user_not_found');
      // Nobody can grant more than they hold: wider places, a higher level, or a module not held.
      expectError(await http('PUT', `${gw.url}/v1/users/${inside.userId}/grants/records`, { headers: bearer(admin.token), body: { access: 'read', locations: ['site-A', 'site-B'] } }), 403, 'grant_exceeds_own_access');
      expectError(await http('PUT', `${gw.url}/v1/users/${inside.userId}/grants/audit`, { headers: bearer(admin.token), body: { access: 'read', locations: ['site-A'] } }), 403, 'grant_exceeds_own_access');
      const ok = await http('PUT', `${gw.url}/v1/users/${inside.userId}/grants/records`, { headers: bearer(admin.token), body: { access: 'write', locations: ['site-A'] } });
      expect(ok.body.grants).toEqual([{ module: 'records', access: 'write', locations: ['site-A'] }]);
    });

    it('keeps the owner at manage everywhere and never disables the owner; transfers ownership to an active user', async () => {
      const t = await tenant();
      const next = await user(t, { users: { access: 'manage', locations: 'all' } });
      expectError(await http('DELETE', `${gw.url}/v1/users/${t.ownerId}/grants/records`, { headers: bearer(t.token) }), 422, 'owner_access_fixed');
      expectError(await http('POST', `${gw.url}/v1/users/${t.ownerId}/disable`, { headers: bearer(next.token) }), 422, 'owner_cannot_be_disabled');
      expectError(await http('POST', `${gw.url}/v1/ownership/transfer`, { headers: bearer(next.token), body: { toUserId: next.userId } }), 403, 'owner_only');
      const moved = await http('POST', `${gw.url}/v1/ownership/transfer`, { headers: bearer(t.token), body: { toUserId: next.userId } });
      expect(moved.body).toEqual({ ownerId: next.userId, previousOwnerId: t.ownerId });
      const me = await http('GET', `${gw.url}/v1/users/${next.userId}`, { headers: bearer(next.token) });
      expect(me.body.isOwner).toBe(true);
      expect(me.body.grants.every((g: { access: string; locations: unknown }) => g.access === 'manage' && g.locations === 'all')).toBe(true);
      expect(me.body.grants).toHaveLength(6);
      expectError(await http('POST', `${gw.url}/v1/ownership/transfer`, { headers: bearer(t.token), body: { toUserId: t.ownerId } }), 403, 'owner_only');
    });

    it('records every identity change as an event with actor, IP and time', async () => {
      const t = await tenant();
      const u = await user(t, { scheduling: { access: 'read', locations: 'all' } });
      await http('POST', `${gw.url}/v1/users/${u.userId}/disable`, { headers: { ...bearer(t.token), 'user-agent': 'admin-console' } });
      const rows = await db.query(`SELECT type, metadata, recorded_at FROM event_store.events WHERE stream_id = $1 ORDER BY version`, [userStreamId(u.userId)]);
      expect(rows.rows.map((r) => r.type)).toEqual(['identity.UserRegistered', 'identity.ModuleAccessGranted', 'identity.UserDisabled']);
      for (const r of rows.rows) {
        expect(r.metadata).toMatchObject({ actorId: `user:${t.ownerId}`, actorIp: '127.0.0.1' });
        expect(r.recorded_at).toBeTruthy();
      }
    });
  });

  describe('real time, across gateways', () => {
    it('a revoked grant is denied on the other gateway within a second, by event (not expiry)', async () => {
      const t = await tenant();
      const u = await user(t, { users: { access: 'read', locations: 'all' } });
      // Warm the other gateway's cache: the grant is there.
      expect((await http('GET', `${other.url}/v1/users?limit=1`, { headers: bearer(u.token) })).status).toBe(200);
      expect((await http('DELETE', `${gw.url}/v1/users/${u.userId}/grants/users`, { headers: bearer(t.token) })).status).toBe(200);
      const started = Date.now();
      const denied = await waitFor(async () => ((await http('GET', `${other.url}/v1/users?limit=1`, { headers: bearer(u.token) })).status === 403 ? true : undefined), 1_000, 5, 'the revocation to reach the other gateway');
      expect(denied).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);
      // And a new grant takes effect the same way.
      await http('PUT', `${gw.url}/v1/users/${u.userId}/grants/users`, { headers: bearer(t.token), body: { access: 'read', locations: 'all' } });
      await waitFor(async () => ((await http('GET', `${other.url}/v1/users?limit=1`, { headers: bearer(u.token) })).status === 200 ? true : undefined), 1_000, 5, 'the grant to reach the other gateway');
    });

    it("a disabled user's tokens and refresh tokens stop working within a second", async () => {
      const t = await tenant();
      const u = await user(t, { users: { access: 'read', locations: 'all' } });
      expect((await http('GET', `${other.url}/v1/me`, { headers: bearer(u.token) })).status).toBe(200);
      expect((await http('POST', `${gw.url}/v1/users/${u.userId}/disable`, { headers: bearer(t.token) })).body).toEqual({ userId: u.userId, status: 'disabled' });
      await waitFor(async () => ((await http('GET', `${other.url}/v1/me`, { headers: bearer(u.token) })).status === 401 ? true : undefined), 1_000, 5, 'the disable to reach the other gateway');
      expectError(await http('POST', `${gw.url}/v1/auth/refresh`, { body: { refreshToken: u.refreshToken } }), 401, 'invalid_refresh_token');
      expectError(await http('POST', `${gw.url}/v1/auth/login`, { body: { tenantId: t.tenantId, email: u.email, password } }), 401, 'invalid_credentials');
    });
  });

  describe('sessions', () => {
    it('rotates refresh tokens; reusing a spent one revokes the whole session, access tokens included', async () => {
      const t = await tenant();
      const u = await user(t);
      const first = await http('POST', `${gw.url}/v1/auth/refresh`, { body: { refreshToken: u.refreshToken } });
      expect(first.status).toBe(200);
      expect(first.body.refreshToken).not.toBe(u.refreshToken);
      expect((await http('GET', `${other.url}/v1/me`, { headers: bearer(first.body.accessToken) })).status).toBe(200);
      expectError(await http('POST', `${gw.url}/v1/auth/refresh`, { body: { refreshToken: u.refreshToken } }), 401, 'invalid_refresh_token');
      // The thief's replay ended the family: the legitimate newer tokens die too.
      expectError(await http('POST', `${gw.url}/v1/auth/refresh`, { body: { refreshToken: first.body.refreshToken } }), 401, 'invalid_refresh_token');
      await waitFor(async () => ((await http('GET', `${other.url}/v1/me`, { headers: bearer(first.body.accessToken) })).status === 401 ? true : undefined), 1_000, 5, 'the session revocation');
      const revoked = await db.query(`SELECT data FROM event_store.events WHERE stream_id = $1 AND type = 'identity.SessionRevoked'`, [loginStreamId(u.userId)]);
      expect(revoked.rows.map((r) => r.data.reason)).toEqual(['refresh_reuse']);
    });

    it('of two concurrent exchanges of one refresh token exactly one succeeds (the other is reuse)', async () => {
      const t = await tenant();
      const u = await user(t);
      const results = await Promise.all([0, 1].map(() => http('POST', `${gw.url}/v1/auth/refresh`, { body: { refreshToken: u.refreshToken } })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('logout ends the session; a second logout or an unknown token is a quiet 204', async () => {
      const t = await tenant();
      const u = await user(t);
      expect((await http('POST', `${gw.url}/v1/auth/logout`, { body: { refreshToken: u.refreshToken } })).status).toBe(204);
      expect((await http('POST', `${gw.url}/v1/auth/logout`, { body: { refreshToken: u.refreshToken } })).status).toBe(204);
      expect((await http('POST', `${gw.url}/v1/auth/logout`, { body: { refreshToken: 'nope' } })).status).toBe(204);
      await waitFor(async () => ((await http('GET', `${gw.url}/v1/me`, { headers: bearer(u.token) })).status === 401 ? true : undefined), 1_000, 5, 'logout');
      expectError(await http('POST', `${gw.url}/v1/auth/refresh`, { body: { refreshToken: u.refreshToken } }), 401, 'invalid_refresh_token');
      const revoked = await db.query(`SELECT count(*)::int AS n FROM event_store.events WHERE stream_id = $1 AND type = 'identity.SessionRevoked'`, [loginStreamId(u.userId)]);
      expect(revoked.rows[0].n).toBe(1);
    });
  });

  describe('identity restart', () => {
    it('the gateway drops its cached principals when the feed starts over, so a change made meanwhile is enforced', async () => {
      const t = await tenant();
      const u = await user(t, { users: { access: 'read', locations: 'all' } });
      const own = await startIdentity(parseMasterKey(testMasterKey()));
      const port = own.port;
      const g = await startGateway(port, gw.bootstrapToken);
      let second: RunningIdentity | undefined;
      try {
        expect((await http('GET', `${g.url}/v1/users?limit=1`, { headers: bearer(u.token) })).status).toBe(200);
        await own.close();
        // While this gateway's identity is down, the grant is revoked through another instance.
        expect((await http('DELETE', `${gw.url}/v1/users/${u.userId}/grants/users`, { headers: bearer(t.token) })).status).toBe(200);
        second = await startIdentity(parseMasterKey(testMasterKey()), port);
        await waitFor(async () => ((await http('GET', `${g.url}/v1/users?limit=1`, { headers: bearer(u.token) })).status === 403 ? true : undefined), 10_000, 20, 'the revocation after restart');
      } finally {
        await g.close();
        await second?.close();
      }
    });
  });

  describe('API keys', () => {
    it('acts with exactly its grants, capped by its creator, and stops at rotation (no overlap) and revocation', async () => {
      const t = await tenant();
      const creator = await user(t, { security: { access: 'manage', locations: 'all' }, users: { access: 'read', locations: 'all' } });
      expectError(
        await http('POST', `${gw.url}/v1/api-keys`, { headers: bearer(creator.token), body: { name: 'too much', grants: [{ module: 'users', access: 'manage', locations: 'all' }] } }),
        403,
        'grant_exceeds_own_access',
      );
      const created = await http('POST', `${gw.url}/v1/api-keys`, { headers: bearer(creator.token), body: { name: 'payroll', grants: [{ module: 'users', access: 'read', locations: 'all' }] } });
      expect(created.status).toBe(201);
      const key = { authorization: `ApiKey ${created.body.secret}` };
      expect((await http('GET', `${other.url}/v1/users?limit=1`, { headers: key })).status).toBe(200);
      expectError(await http('POST', `${other.url}/v1/users`, { headers: key, body: { email: email('k'), name: 'K', password } }), 403, 'insufficient_access');
      expectError(await http('GET', `${other.url}/v1/api-keys`, { headers: key }), 403, 'users_only');
      expectError(await http('GET', `${other.url}/v1/me`, { headers: key }), 403, 'users_only');
      const stored = await db.query(`SELECT data FROM event_store.events WHERE type = 'identity.ApiKeyCreated' AND data->>'keyId' = $1`, [created.body.keyId]);
      expect(JSON.stringify(stored.rows)).not.toContain(created.body.secret);

      // The creator loses users:read: the key loses it too, at once.
      await http('DELETE', `${gw.url}/v1/users/${creator.userId}/grants/users`, { headers: bearer(t.token) });
      await waitFor(async () => ((await http('GET', `${other.url}/v1/users?limit=1`, { headers: key })).status === 403 ? true : undefined), 1_000, 5, 'the cap by the creator');
      await http('PUT', `${gw.url}/v1/users/${creator.userId}/grants/users`, { headers: bearer(t.token), body: { access: 'read', locations: 'all' } });
      await waitFor(async () => ((await http('GET', `${other.url}/v1/users?limit=1`, { headers: key })).status === 200 ? true : undefined), 1_000, 5, 'the restored grant');

      const rotated = await http('POST', `${gw.url}/v1/api-keys/${created.body.keyId}/rotate`, { headers: bearer(creator.token), body: {} });
      expect(rotated.body.previousValidUntil).toBeNull();
      await waitFor(async () => ((await http('GET', `${other.url}/v1/users?limit=1`, { headers: key })).status === 401 ? true : undefined), 1_000, 5, 'the old secret to die');
      const fresh = { authorization: `ApiKey ${rotated.body.secret}` };
      expect((await http('GET', `${other.url}/v1/users?limit=1`, { headers: fresh })).status).toBe(200);
      const withOverlap = await http('POST', `${gw.url}/v1/api-keys/${created.body.keyId}/rotate`, { headers: bearer(creator.token), body: { overlapSeconds: 60 } });
      expect((await http('GET', `${other.url}/v1/users?limit=1`, { headers: fresh })).status).toBe(200);
      expect((await http('GET', `${other.url}/v1/users?limit=1`, { headers: { authorization: `ApiKey ${withOverlap.body.secret}` } })).status).toBe(200);

      expect((await http('DELETE', `${gw.url}/v1/api-keys/${created.body.keyId}`, { headers: bearer(creator.token) })).body.status).toBe('revoked');
      await waitFor(async () => ((await http('GET', `${other.url}/v1/users?limit=1`, { headers: { authorization: `ApiKey ${withOverlap.body.secret}` } })).status === 401 ? true : undefined), 1_000, 5, 'revocation');
      const listed = await http('GET', `${gw.url}/v1/api-keys`, { headers: bearer(creator.token) });
      expect(listed.body.items).toEqual([expect.objectContaining({ keyId: created.body.keyId, status: 'revoked' })]);
      expectError(await http('GET', `${gw.url}/v1/users`, { headers: { authorization: 'ApiKey cust_not_a_key' } }), 401, 'invalid_api_key');
    });
  });

  describe('API key retries', () => {
    it('a retried create (same Idempotency-Key) stores one key and says its secret was already shown', async () => {
      const t = await tenant();
      const headers = { ...bearer(t.token), 'idempotency-key': `key-${randomBytes(6).toString('hex')}` };
      const body = { name: 'billing', grants: [{ module: 'records', access: 'read', locations: 'all' }] };
      const first = await http('POST', `${gw.url}/v1/api-keys`, { headers, body });
      expect(first.status).toBe(201);
      const again = await http('POST', `${gw.url}/v1/api-keys`, { headers, body });
      expectError(again, 409, 'secret_already_shown');
      expect(again.body.error.details).toEqual({ keyId: first.body.keyId });
      const stored = await db.query(`SELECT count(*)::int AS n FROM event_store.events WHERE type = 'identity.ApiKeyCreated' AND data->>'keyId' = $1`, [first.body.keyId]);
      expect(stored.rows[0].n).toBe(1);
    });
  });

  describe('lockout', () => {
    it('locks an account after 5 failures in 15 minutes without telling the caller, and records every attempt', async () => {
      const t = await tenant();
      const u = await user(t);
      const attempt = (pw: string) => http('POST', `${gw.url}/v1/auth/login`, { body: { tenantId: t.tenantId, email: u.email, password: pw }, headers: { 'user-agent': 'brute/1' } });
      const unknown = await http('POST', `${gw.url}/v1/auth/login`, { body: { tenantId: t.tenantId, email: email('ghost'), password } });
      for (let i = 0; i < 5; i++) expectError(await attempt('wrong password!'), 401, 'invalid_credentials');
      const locked = await attempt(password);
      expectError(locked, 401, 'invalid_credentials');
      expect(locked.body.error.message).toBe(unknown.body.error.message);
      const types = await db.query(`SELECT type, data FROM event_store.events WHERE stream_id = $1 ORDER BY version`, [loginStreamId(u.userId)]);
      expect(types.rows.map((r) => r.type)).toEqual(['identity.LoginSucceeded', ...Array(5).fill('identity.LoginFailed'), 'identity.AccountLocked', 'identity.LoginBlocked']);
      expect(types.rows[7].data).toMatchObject({ ip: '127.0.0.1', userAgent: 'brute/1' });
      const seen = await http('GET', `${gw.url}/v1/users/${u.userId}`, { headers: bearer(t.token) });
      expect(Date.parse(seen.body.lockedUntil)).toBeGreaterThan(Date.now() + 14 * 60_000);
      const ghost = await db.query(`SELECT count(*)::int AS n FROM event_store.events WHERE type = 'identity.UnknownAccountLoginFailed' AND tenant_id = $1`, [t.tenantId]);
      expect(ghost.rows[0].n).toBe(1);
    });
  });

  describe('signing keys', () => {
    it('rotates: a new kid appears in the JWKS and tokens signed with the previous key stay valid', async () => {
      const t = await tenant();
      const oldKid = decodeProtectedHeader(t.token).kid;
      expectError(await http('POST', `${gw.url}/v1/operator/signing-keys/rotate`, { headers: bearer(t.token) }), 401);
      const rotated = await http('POST', `${gw.url}/v1/operator/signing-keys/rotate`, { headers: bearer(gw.bootstrapToken) });
      expect(rotated.status).toBe(200);
      expect(rotated.body.previousKids).not.toContain(rotated.body.kid);
      // Other suites share this database and may rotate too: assert what holds whatever they do.
      const jwks = await http('GET', `${gw.url}/v1/.well-known/jwks.json`);
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotated.body.kid]));
      expect((await http('GET', `${other.url}/v1/me`, { headers: bearer(t.token) })).status).toBe(200);
      const u = await user(t);
      expect(decodeProtectedHeader(u.token).kid).not.toBe(oldKid);
      expect((await http('GET', `${other.url}/v1/me`, { headers: bearer(u.token) })).status).toBe(200);
    });
  });
});
