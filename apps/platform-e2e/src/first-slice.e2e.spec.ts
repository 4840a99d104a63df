import { randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { Client } from 'pg';
import { generateMasterKey, parseMasterKey, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import { PostgresEventStore } from '@custodian/event-store';
import { loginStreamId, userStreamId, tenantStreamId } from '@custodian/identity/contracts';
import { createPool, startInMemoryTelemetry, type InMemoryTelemetry } from '@custodian/platform';
import { testDatabaseUrl, testMasterKey } from '@custodian/testing';
import { http, routesOf, startGateway, startIdentity, startRecords, startScheduling, uniqueName, type RunningGateway, type RunningIdentity, type RunningRecords, type RunningScheduling } from './platform.harness';

/**
 * The first slice end to end: HTTP → gateway (Fastify) → identity (Nest TCP microservice) →
 * event store → projection → read model, on a real PostgreSQL.
 */
describe('first slice: tenant → owner → login', () => {
  let telemetry: InMemoryTelemetry;
  let identity: RunningIdentity;
  let gateway: RunningGateway;
  let scheduling: RunningScheduling;
  let records: RunningRecords;
  let db: Client;
  const masterKey = parseMasterKey(testMasterKey());

  beforeAll(async () => {
    telemetry = startInMemoryTelemetry('e2e');
    identity = await startIdentity(masterKey);
    scheduling = await startScheduling(masterKey);
    records = await startRecords(masterKey);
    gateway = await startGateway(identity.port, undefined, [], { schedulingPort: scheduling.port, recordsPort: records.port });
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await gateway?.close();
    await scheduling?.close();
    await records?.close();
    await identity?.close();
    await db?.end();
    await telemetry?.shutdown();
  });

  const bootstrap = () => ({ authorization: `Bearer ${gateway.bootstrapToken}` });
  const owner = () => ({ email: `owner-${randomBytes(4).toString('hex')}@example.com`, name: 'Ana Ruiz', password: 'correct horse battery' });

  async function signUp(name = uniqueName(), who = owner()) {
    const res = await http('POST', `${gateway.url}/v1/tenants`, { headers: bootstrap(), body: { name, owner: who } });
    expect(res.status).toBe(201);
    return { ...(res.body as { tenantId: string; ownerId: string }), who, name };
  }

  function expectErrorShape(res: { status: number; headers: Headers; body: any }, status: number, code?: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(res.status).toBe(status);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
    if (code) expect(res.body.error.code).toBe(code);
  }

  describe('POST /v1/tenants', () => {
    it('creates a tenant and its owner with the bootstrap token', async () => {
      const { tenantId, ownerId } = await signUp();
      expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);
      expect(ownerId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses a missing or wrong bootstrap token with 401', async () => {
      const body = { name: uniqueName(), owner: owner() };
      expectErrorShape(await http('POST', `${gateway.url}/v1/tenants`, { body }), 401);
      expectErrorShape(await http('POST', `${gateway.url}/v1/tenants`, { body, headers: { authorization: 'Bearer wrong-token-wrong-token-wrong' } }), 401, 'invalid_bootstrap_token');
      expectErrorShape(await http('POST', `${gateway.url}/v1/tenants`, { body, headers: { authorization: `Basic ${gateway.bootstrapToken}` } }), 401);
    });

    it('answers 409 for a name already taken, ignoring case and spacing', async () => {
      const name = uniqueName('Sparkle');
      await signUp(name);
      const res = await http('POST', `${gateway.url}/v1/tenants`, { headers: bootstrap(), body: { name: `  ${name.toUpperCase().replace(' ', '   ')} `, owner: owner() } });
      expectErrorShape(res, 409, 'tenant_name_taken');
    });

    it('returns the first result for a retried Idempotency-Key and appends nothing', async () => {
      const key = `signup-${randomUUID()}`;
      const body = { name: uniqueName(), owner: owner() };
      const first = await http('POST', `${gateway.url}/v1/tenants`, { headers: { ...bootstrap(), 'idempotency-key': key }, body });
      const second = await http('POST', `${gateway.url}/v1/tenants`, { headers: { ...bootstrap(), 'idempotency-key': key }, body });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      const counts = await db.query(`SELECT stream_id, count(*)::int AS n FROM event_store.events WHERE stream_id IN ($1, $2) GROUP BY stream_id`, [
        tenantStreamId(first.body.tenantId),
        userStreamId(first.body.ownerId),
      ]);
      expect(Object.fromEntries(counts.rows.map((r) => [r.stream_id, r.n]))).toEqual({
        [tenantStreamId(first.body.tenantId)]: 1,
        [userStreamId(first.body.ownerId)]: 7, // UserRegistered + 6 ModuleAccessGranted
      });
    });
  });

  describe('bad input never yields a 5xx and stores nothing', () => {
    const post = (body: unknown) => http('POST', `${gateway.url}/v1/tenants`, { headers: bootstrap(), body });

    it.each([
      ['a missing field', { owner: { email: 'a@example.com', name: 'A', password: 'long enough password' } }],
      ['a missing nested field', { name: 'x', owner: { email: 'a@example.com', password: 'long enough password' } }],
      ['a wrong type', { name: 42, owner: { email: 'a@example.com', name: 'A', password: 'long enough password' } }],
      ['a wrong nested type', { name: 'x', owner: { email: 'a@example.com', name: ['A'], password: 'long enough password' } }],
      ['an unknown field', { name: 'x', admin: true, owner: { email: 'a@example.com', name: 'A', password: 'long enough password' } }],
      ['an unknown nested field', { name: 'x', owner: { email: 'a@example.com', name: 'A', password: 'long enough password', role: 'root' } }],
      ['an invalid email', { name: 'x', owner: { email: 'not-an-email', name: 'A', password: 'long enough password' } }],
      ['a short password', { name: 'x', owner: { email: 'a@example.com', name: 'A', password: 'short' } }],
      ['an array body', [1, 2]],
      ['a string body', 'tenant'],
      ['null', null],
    ])('%s → 400 validation_failed', async (_label, body) => {
      const res = await post(body);
      expectErrorShape(res, 400, 'validation_failed');
    });

    it('lists each failing field in details', async () => {
      const res = await post({ name: 7, owner: { email: 'nope', name: 'A', password: 'long enough password' }, extra: 1 });
      expectErrorShape(res, 400, 'validation_failed');
      const fields = (res.body.error.details.fields as Array<{ field: string }>).map((f) => f.field).sort();
      expect(fields).toEqual(expect.arrayContaining(['name', 'owner.email', 'extra']));
    });

    it('malformed JSON → 400 malformed_json', async () => {
      expectErrorShape(await http('POST', `${gateway.url}/v1/tenants`, { headers: bootstrap(), rawBody: '{"name": "x", ' }), 400, 'malformed_json');
    });

    it('a body over 1 MiB → 413 payload_too_large', async () => {
      const res = await http('POST', `${gateway.url}/v1/tenants`, { headers: bootstrap(), rawBody: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }) });
      expectErrorShape(res, 413, 'payload_too_large');
    });

    it('an unsupported content type → 415', async () => {
      const res = await http('POST', `${gateway.url}/v1/tenants`, { headers: { ...bootstrap(), 'content-type': 'text/plain' }, rawBody: 'hello' });
      expectErrorShape(res, 415);
    });

    it('an unknown route → 404 in the same shape', async () => {
      expectErrorShape(await http('GET', `${gateway.url}/v1/nothing-here`), 404);
    });

    it('a malformed Idempotency-Key → 400', async () => {
      expectErrorShape(await http('POST', `${gateway.url}/v1/tenants`, { headers: { ...bootstrap(), 'idempotency-key': 'x' }, body: { name: uniqueName(), owner: owner() } }), 400, 'invalid_idempotency_key');
    });

    it('rejected sign-ups wrote no events', async () => {
      const before = await db.query(`SELECT count(*)::int AS n FROM event_store.events WHERE type = 'identity.TenantCreated' AND data->>'name' IN ('x', '7')`);
      expect(before.rows[0].n).toBe(0);
    });
  });

  describe('login and /v1/me', () => {
    it('logs in the owner, who holds every module at manage', async () => {
      const { tenantId, ownerId, who } = await signUp();
      const login = await http('POST', `${gateway.url}/v1/auth/login`, { body: { tenantId, email: who.email.toUpperCase(), password: who.password } });
      expect(login.status).toBe(200);
      expect(login.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 });
      const me = await http('GET', `${gateway.url}/v1/me`, { headers: { authorization: `Bearer ${login.body.accessToken}` } });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        userId: ownerId,
        tenantId,
        email: who.email,
        name: who.name,
        grants: ['users', 'scheduling', 'records', 'audit', 'security', 'exports'].map((module) => ({ module, access: 'manage', locations: 'all' })),
      });
    });

    it('gives the same 401 for a wrong password and an unknown email', async () => {
      const { tenantId, who } = await signUp();
      const wrong = await http('POST', `${gateway.url}/v1/auth/login`, { body: { tenantId, email: who.email, password: 'not the password' } });
      const unknown = await http('POST', `${gateway.url}/v1/auth/login`, { body: { tenantId, email: 'nobody@example.com', password: who.password } });
      const otherTenant = await http('POST', `${gateway.url}/v1/auth/login`, { body: { tenantId: randomUUID(), email: who.email, password: who.password } });
      for (const r of [wrong, unknown, otherTenant]) expectErrorShape(r, 401, 'invalid_credentials');
      const strip = (b: { error: Record<string, unknown> }) => ({ ...b.error, requestId: undefined });
      expect(strip(wrong.body)).toEqual(strip(unknown.body));
      expect(strip(wrong.body)).toEqual(strip(otherTenant.body));
    });

    it('records login attempts on the login stream with IP and user agent', async () => {
      const { tenantId, ownerId, who } = await signUp();
      await http('POST', `${gateway.url}/v1/auth/login`, { body: { tenantId, email: who.email, password: 'wrong password!' }, headers: { 'user-agent': 'e2e-agent/1' } });
      const rows = await db.query(`SELECT type, data FROM event_store.events WHERE stream_id = $1 AND type LIKE 'identity.Login%'`, [loginStreamId(ownerId)]);
      expect(rows.rows).toEqual([{ type: 'identity.LoginFailed', data: expect.objectContaining({ reason: 'bad_password', ip: '127.0.0.1', userAgent: 'e2e-agent/1' }) }]);
    });

    it('records the client IP from X-Forwarded-For only when the peer is a trusted proxy', async () => {
      const { tenantId, ownerId, who } = await signUp();
      const spoof = { 'x-forwarded-for': '203.0.113.7' };
      await http('POST', `${gateway.url}/v1/auth/login`, { body: { tenantId, email: who.email, password: 'wrong password!' }, headers: spoof });
      const behindProxy = await startGateway(identity.port, gateway.bootstrapToken, ['127.0.0.1']);
      try {
        await http('POST', `${behindProxy.url}/v1/auth/login`, { body: { tenantId, email: who.email, password: 'wrong password!' }, headers: spoof });
      } finally {
        await behindProxy.close();
      }
      const rows = await db.query(`SELECT data->>'ip' AS ip FROM event_store.events WHERE stream_id = $1 AND type = 'identity.LoginFailed' ORDER BY version`, [loginStreamId(ownerId)]);
      expect(rows.rows.map((r) => r.ip)).toEqual(['127.0.0.1', '203.0.113.7']);
    });

    it('refuses /v1/me without a token or with a forged one', async () => {
      expectErrorShape(await http('GET', `${gateway.url}/v1/me`), 401, 'missing_token');
      const { tenantId, who } = await signUp();
      const login = await http('POST', `${gateway.url}/v1/auth/login`, { body: { tenantId, email: who.email, password: who.password } });
      const [h, p, s] = (login.body.accessToken as string).split('.');
      const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: randomUUID() })).toString('base64url');
      expectErrorShape(await http('GET', `${gateway.url}/v1/me`, { headers: { authorization: `Bearer ${h}.${forgedPayload}.${s}` } }), 401, 'invalid_token');
    });

    it('signs access tokens with EdDSA under a key published in the JWKS', async () => {
      const { tenantId, ownerId, who } = await signUp();
      const login = await http('POST', `${gateway.url}/v1/auth/login`, { body: { tenantId, email: who.email, password: who.password } });
      const jwks = await http('GET', `${gateway.url}/v1/.well-known/jwks.json`);
      expect(jwks.status).toBe(200);
      const header = decodeProtectedHeader(login.body.accessToken);
      expect(header.alg).toBe('EdDSA');
      expect((jwks.body as JSONWebKeySet).keys.map((k) => k.kid)).toContain(header.kid);
      const { payload } = await jwtVerify(login.body.accessToken, createLocalJWKSet(jwks.body as JSONWebKeySet));
      expect(payload.sub).toBe(ownerId);
    });
  });

  describe('personal data and read model', () => {
    it('stores personal fields encrypted from the first event, in the log and the read model', async () => {
      const { ownerId, who } = await signUp();
      const events = await db.query(`SELECT data::text AS d FROM event_store.events WHERE stream_id = $1`, [userStreamId(ownerId)]);
      expect(events.rows.length).toBeGreaterThan(0);
      for (const r of events.rows) {
        expect(r.d).not.toContain(who.email);
        expect(r.d).not.toContain(who.name);
      }
      const row = await waitForRow(() => db.query(`SELECT email_encrypted, name_encrypted FROM identity_rm.users WHERE user_id = $1`, [ownerId]));
      expect(row.email_encrypted).toMatch(/^pd:v1:/);
      expect(row.name_encrypted).toMatch(/^pd:v1:/);
    });

    it('after erasing the owner key the fields are unreadable and the stream still verifies', async () => {
      const { tenantId, ownerId, who } = await signUp();
      const login = await http('POST', `${gateway.url}/v1/auth/login`, { body: { tenantId, email: who.email, password: who.password } });
      const pool = createPool({ connectionString: testDatabaseUrl(), max: 1 });
      try {
        await new PersonalDataCipher(new PostgresSubjectKeyStore(pool), masterKey, { cacheSize: 0 }).erase(tenantId, ownerId);
        // The identity service's cache forgets keys within its TTL (5 s).
        await new Promise((r) => setTimeout(r, 5_200));
        const me = await http('GET', `${gateway.url}/v1/me`, { headers: { authorization: `Bearer ${login.body.accessToken}` } });
        expect(me.status).toBe(200);
        expect(me.body.email).toBe('[erased]');
        expect(me.body.name).toBe('[erased]');
        const verified = await new PostgresEventStore(pool).verifyStream(userStreamId(ownerId));
        expect(verified).toMatchObject({ ok: true });
      } finally {
        await pool.end();
      }
    });
  });

  describe('operations surface', () => {
    it('an identity service given the wrong master key refuses to start', async () => {
      const wrongKey = parseMasterKey(generateMasterKey());
      await expect(startIdentity(wrongKey)).rejects.toMatchObject({ code: 'master_key_mismatch' });
    });

    it('reports liveness and readiness', async () => {
      const live = await http('GET', `${gateway.url}/health/live`);
      expect(live.status).toBe(200);
      const ready = await http('GET', `${gateway.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toEqual(
        expect.arrayContaining([
          { name: 'identity', status: 'up' },
          { name: 'identity.database', status: 'up' },
          { name: 'scheduling', status: 'up' },
          { name: 'scheduling.database', status: 'up' },
          { name: 'records', status: 'up' },
          { name: 'records.database', status: 'up' },
          { name: 'gateway.access-feed', status: 'up' },
        ]),
      );
    });

    it('serves an OpenAPI 3 document with request and response schemas for every route, and a UI', async () => {
      const doc = await http('GET', `${gateway.url}/docs/openapi.json`);
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      // Every route the app has is documented (the list comes from the app, see the authorization matrix).
      const expected = routesOf(gateway.app).map((r) => r.path.replace(/:(\w+)/g, '{$1}'));
      expect(Object.keys(doc.body.paths).sort()).toEqual([...new Set(expected)].sort());
      // Commands whose only input is the path.
      const bodyless = ['/v1/users/{id}/disable', '/v1/users/{id}/enable', '/v1/operator/signing-keys/rotate', '/v1/locations/{id}/areas/{areaId}/scan-points/{scanPointId}/rotate', '/v1/records/{id}/sign-off', '/v1/operator/ledger/verify'];
      for (const [path, ops] of Object.entries(doc.body.paths as Record<string, Record<string, any>>)) { // eslint-disable-line @typescript-eslint/no-explicit-any
        for (const [method, op] of Object.entries(ops)) {
          const ok = Object.entries(op.responses as Record<string, any>).find(([s]) => s.startsWith('2')); // eslint-disable-line @typescript-eslint/no-explicit-any
          if (ok?.[0] !== '204') expect([path, method, ok?.[1]?.content?.['application/json']?.schema]).toEqual([path, method, expect.anything()]);
          if (method === 'post' && !bodyless.includes(path)) expect([path, op.requestBody?.content?.['application/json']?.schema]).toEqual([path, expect.anything()]);
        }
      }
      expect(doc.body.components.schemas.CreateTenantRequestDto.required).toEqual(expect.arrayContaining(['name', 'owner']));
      const ui = await fetch(`${gateway.url}/docs`, { signal: AbortSignal.timeout(5000) });
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger');
    });

    it('carries one trace from the gateway through identity to the event-store append', async () => {
      telemetry.exporter.reset();
      const res = await http('POST', `${gateway.url}/v1/tenants`, { headers: bootstrap(), body: { name: uniqueName(), owner: owner() } });
      expect(res.status).toBe(201);
      const spans = telemetry.spans();
      const server = spans.find((s) => s.name === 'POST /v1/tenants');
      if (!server) throw new Error(`no gateway span among ${spans.map((s) => s.name).join(', ')}`);
      const traceId = server.spanContext().traceId;
      const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
      const handler = inTrace.find((s) => s.name === 'identity.create-tenant');
      const appends = inTrace.filter((s) => s.name === 'event-store.append');
      if (!handler) throw new Error(`no identity span in the gateway's trace: ${inTrace.map((s) => s.name).join(', ')}`);
      expect(parentOf(handler)).toBe(server.spanContext().spanId);
      expect(appends.length).toBe(4);
      for (const a of appends) expect(parentOf(a)).toBe(handler.spanContext().spanId);
    });
  });

  async function waitForRow<T>(query: () => Promise<{ rows: T[] }>): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const r = await query();
      if (r.rows[0]) return r.rows[0];
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('row did not appear');
  }
});

function parentOf(span: { parentSpanContext?: { spanId: string }; parentSpanId?: string }): string | undefined {
  return span.parentSpanContext?.spanId ?? span.parentSpanId;
}
