import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { Client } from 'pg';
import { parseMasterKey, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import type { DeclaredRoute, RouteAccess } from '@custodian/gateway/http';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, accessIncludes, MODULES, reachOf, scopeCovers, userStreamId, type AccessLevel, type LocationScope } from '@custodian/identity/contracts';
import { createPool } from '@custodian/platform';
import { testDatabaseUrl, testMasterKey } from '@custodian/testing';
import { http, routesOf, startGateway, startIdentity, uniqueName, type RunningGateway, type RunningIdentity } from './platform.harness';

/**
 * The authorization matrix: every route of the gateway (enumerated from the app with
 * routesOf, never a hand-kept list) × every kind of caller × (for object routes) a target
 * inside the caller's locations, outside them, and in another tenant. The expected answer is
 * DERIVED from the route's declaration (@Public, @BootstrapToken, @Authenticated, @Requires)
 * and the case — never typed per route. A route without a declaration, with an access kind
 * the matrix does not know, or whose shape HOW_TO_CALL cannot build fails the suite: adding
 * a route forces deciding how it is authorized and how it is called.
 *
 * Jest collects tests synchronously, before beforeAll can start anything, so the routes the
 * cases are generated from are read with routesOf on a gateway built in a child process at
 * collection time; a test then checks they are exactly routesOf(the running gateway).
 */

// ---------------------------------------------------------------------------------------------
// How to call each route shape. The only per-route knowledge: what object the route addresses
// and a minimal valid body. Nothing here says who may call it.
// ---------------------------------------------------------------------------------------------

type ObjectKind = 'user' | 'apiKey';

interface CallContext {
  /** The id of the object the route addresses (path `:id` or a body field), when it has one. */
  objectId?: string;
  world: World;
}

interface RouteShape {
  /** The object the route addresses, and where its id travels. */
  object?: { kind: ObjectKind; in: 'path' | 'body' };
  /** Service rule: only the tenant's owner (as a user) may act; everybody else is 403 `owner_only`. */
  ownerOnly?: true;
  body?: (ctx: CallContext) => Promise<unknown> | unknown;
}

const GRANT_BODY = { access: 'read', locations: ['loc-A'] };

const HOW_TO_CALL: Record<string, RouteShape> = {
  'POST /v1/tenants': { body: () => ({ name: uniqueName('Matrix'), owner: { email: freshEmail('owner'), name: 'Matrix Owner', password: PASSWORD } }) },
  'POST /v1/auth/login': { body: ({ world }) => ({ tenantId: world.t1, email: world.users.N.email, password: PASSWORD }) },
  'POST /v1/auth/activate': { body: async ({ world }) => ({ token: (await world.invite()).activationToken, password: PASSWORD }) },
  'POST /v1/auth/refresh': { body: async ({ world }) => ({ refreshToken: (await world.login(world.users.N.email)).refreshToken }) },
  'POST /v1/auth/logout': { body: async ({ world }) => ({ refreshToken: (await world.login(world.users.N.email)).refreshToken }) },
  'GET /v1/me': {},
  'POST /v1/users': { body: () => ({ email: freshEmail('new'), name: 'New User' }) },
  'GET /v1/users': {},
  'GET /v1/users/:id': { object: { kind: 'user', in: 'path' } },
  'POST /v1/users/:id/disable': { object: { kind: 'user', in: 'path' } },
  'POST /v1/users/:id/enable': { object: { kind: 'user', in: 'path' } },
  'GET /v1/users/:id/grants': { object: { kind: 'user', in: 'path' } },
  'PUT /v1/users/:id/grants/:module': { object: { kind: 'user', in: 'path' }, body: () => GRANT_BODY },
  'DELETE /v1/users/:id/grants/:module': { object: { kind: 'user', in: 'path' } },
  'POST /v1/ownership/transfer': { object: { kind: 'user', in: 'body' }, ownerOnly: true, body: ({ objectId }) => ({ toUserId: objectId }) },
  'POST /v1/api-keys': { body: () => ({ name: 'matrix key', grants: [{ module: 'records', access: 'read', locations: ['loc-A'] }] }) },
  'GET /v1/api-keys': {},
  'POST /v1/api-keys/:id/rotate': { object: { kind: 'apiKey', in: 'path' }, body: () => ({}) },
  'DELETE /v1/api-keys/:id': { object: { kind: 'apiKey', in: 'path' } },
  'POST /v1/operator/signing-keys/rotate': {},
  'GET /v1/.well-known/jwks.json': {},
  'GET /health/live': {},
  'GET /health/ready': {},
};

/** Path parameters other than the object id. */
const PATH_PARAMS: Record<string, string> = { module: 'records' };

// ---------------------------------------------------------------------------------------------
// The cases: callers and targets.
// ---------------------------------------------------------------------------------------------

type CallerKind = 'anonymous' | 'bootstrap' | 'forged' | 'user' | 'disabled' | 'apiKey';
type CallerId = 'anonymous' | 'bootstrap' | 'forged' | 'N' | 'R' | 'W' | 'M' | 'D' | 'K' | 'KM';

interface CallerDef {
  id: CallerId;
  label: string;
  kind: CallerKind;
  /** The level held on EVERY module (undefined: nothing). */
  level?: AccessLevel;
  /** Where those grants apply: the caller's `users` scope too. */
  scope?: LocationScope;
}

const CALLERS: CallerDef[] = [
  { id: 'anonymous', label: 'no credentials', kind: 'anonymous' },
  { id: 'bootstrap', label: 'bootstrap token', kind: 'bootstrap' },
  { id: 'forged', label: 'forged token', kind: 'forged' },
  { id: 'N', label: 'N no grant', kind: 'user' },
  { id: 'R', label: 'R read@loc-A', kind: 'user', level: 'read', scope: ['loc-A'] },
  { id: 'W', label: 'W write@loc-A', kind: 'user', level: 'write', scope: ['loc-A'] },
  { id: 'M', label: 'M manage@loc-A', kind: 'user', level: 'manage', scope: ['loc-A'] },
  { id: 'D', label: 'D disabled (was manage@loc-A)', kind: 'disabled' },
  { id: 'K', label: 'API key K read@all', kind: 'apiKey', level: 'read', scope: 'all' },
  { id: 'KM', label: 'API key KM manage@loc-A', kind: 'apiKey', level: 'manage', scope: ['loc-A'] },
];

type TargetId = 'inside' | 'outside' | 'other tenant';

/** Where each user target's grants reach (all targets hold records:read there). */
const TARGET_REACH: Record<Exclude<TargetId, 'other tenant'>, string[]> = { inside: ['loc-A'], outside: ['loc-B'] };
const TARGETS: Record<ObjectKind, TargetId[]> = { user: ['inside', 'outside', 'other tenant'], apiKey: ['inside', 'other tenant'] };

interface Expectation {
  status: number | 'success';
  code?: string;
  why: string;
}

/**
 * The expected answer, derived from the declaration and the case. Guard first (credentials →
 * 401, missing access → 403), then the service's object rules (tenant and location scope → 404).
 */
function expectationFor(access: RouteAccess, shape: RouteShape, caller: CallerDef, target: TargetId | undefined): Expectation {
  switch (access.kind) {
    case 'public':
      return { status: 'success', why: 'public: credentials are irrelevant' };
    case 'bootstrap':
      return caller.kind === 'bootstrap' ? { status: 'success', why: 'bootstrap token' } : { status: 401, code: 'invalid_bootstrap_token', why: 'only the bootstrap token' };
    case 'session': {
      const refused = refusedCredentials(caller);
      if (refused) return refused;
      if (caller.kind === 'apiKey') return { status: 403, code: 'users_only', why: 'session routes are for users' };
      return { status: 'success', why: 'any signed-in user' };
    }
    case 'module': {
      const refused = refusedCredentials(caller);
      if (refused) return refused;
      if (caller.kind === 'apiKey' && access.usersOnly) return { status: 403, code: 'users_only', why: 'usersOnly refuses API keys' };
      if (!caller.level || !accessIncludes(caller.level, access.access)) return { status: 403, code: 'insufficient_access', why: `${access.module}:${access.access} not held` };
      // A non-owner is refused before any target is looked at (whatever the target: no existence oracle).
      if (shape.ownerOnly) return { status: 403, code: 'owner_only', why: 'only the owner transfers ownership' };
      if (shape.object && target === 'other tenant') return { status: 404, code: shape.object.kind === 'user' ? 'user_not_found' : 'api_key_not_found', why: "another tenant's object is absent" };
      if (shape.object?.kind === 'user' && target && target !== 'other tenant' && access.module === 'users') {
        if (!scopeCovers(caller.scope ?? [], reachOf([{ locations: TARGET_REACH[target] }]))) return { status: 404, code: 'user_not_found', why: 'outside the caller users locations' };
      }
      return { status: 'success', why: `${access.module}:${access.access} held${target ? `, ${target} the scope` : ''}` };
    }
    default: {
      const unknown: never = access;
      throw new Error(`The matrix does not know access kind ${JSON.stringify(unknown)}: teach expectationFor`);
    }
  }
}

function refusedCredentials(caller: CallerDef): Expectation | undefined {
  switch (caller.kind) {
    case 'anonymous':
      return { status: 401, code: 'missing_token', why: 'no credentials' };
    case 'bootstrap':
    case 'forged':
      return { status: 401, code: 'invalid_token', why: 'not a valid access token' };
    case 'disabled':
      return { status: 401, code: 'invalid_token', why: 'a disabled user' };
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Routes, read at collection time, and the case list.
// ---------------------------------------------------------------------------------------------

const ROOT = join(__dirname, '../../..');

/** routesOf on a gateway built (not listening, no identity needed) in a child process. */
function routesAtCollection(): DeclaredRoute[] {
  const script = `
    const { createGatewayApp, GatewayConfig, routesOf } = require(${JSON.stringify(join(ROOT, 'libs/gateway/http/src/index.ts'))});
    const quiet = { log() {}, error() {}, warn() {}, debug() {}, verbose() {} };
    createGatewayApp(new GatewayConfig('127.0.0.1', 0, 'collect-routes-only-bootstrap', { host: '127.0.0.1', port: 9 }, 1000, 1024, []), quiet)
      .then(async (app) => { process.stdout.write(JSON.stringify(routesOf(app))); await app.close(); process.exit(0); })
      .catch((e) => { process.stderr.write(String((e && e.stack) || e)); process.exit(1); });`;
  const out = spawnSync(process.execPath, ['-r', join(ROOT, 'tools/register.cjs'), '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (out.status !== 0) throw new Error(`Could not enumerate the gateway's routes: ${out.stderr || out.error?.message}`);
  return JSON.parse(out.stdout) as DeclaredRoute[];
}

const ROUTES = routesAtCollection();
const routeKey = (r: Pick<DeclaredRoute, 'method' | 'path'>) => `${r.method} ${r.path}`;

interface MatrixCase {
  name: string;
  route: DeclaredRoute;
  shape?: RouteShape;
  caller: CallerDef;
  target?: TargetId;
  expectation?: Expectation;
  /** Why the matrix cannot judge this route (the case then fails). */
  problem?: string;
}

function problemOf(route: DeclaredRoute): string | undefined {
  if (!route.access) return `${routeKey(route)} (${route.handler}) declares no access rule: add @Public, @BootstrapToken, @Authenticated or @Requires`;
  if (!['public', 'bootstrap', 'session', 'module'].includes((route.access as { kind: string }).kind)) return `${routeKey(route)} has access kind ${JSON.stringify(route.access)} the matrix does not know`;
  const shape = HOW_TO_CALL[routeKey(route)];
  if (!shape) return `${routeKey(route)} (${route.handler}) has no entry in HOW_TO_CALL: say how to call it`;
  const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
  for (const p of params) {
    if (p === 'id' && shape.object?.in === 'path') continue;
    if (!(p in PATH_PARAMS)) return `${routeKey(route)}: HOW_TO_CALL cannot fill path parameter :${p}`;
  }
  if (shape.object?.in === 'path' && !params.includes('id')) return `${routeKey(route)}: HOW_TO_CALL says the object is in the path but there is no :id`;
  return undefined;
}

function accessLabel(access: RouteAccess | undefined): string {
  if (!access) return 'UNDECLARED';
  if (access.kind === 'module') return `${access.module}:${access.access}${access.usersOnly ? ' users-only' : ''}`;
  return access.kind;
}

function buildCases(routes: DeclaredRoute[]): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const route of routes) {
    const head = `${routeKey(route)} [${accessLabel(route.access)}]`;
    const problem = problemOf(route);
    if (problem) {
      cases.push({ name: `${head} · cannot be judged`, route, caller: CALLERS[0], problem });
      continue;
    }
    const shape = HOW_TO_CALL[routeKey(route)];
    const access = route.access as RouteAccess;
    for (const caller of CALLERS) {
      const targets: Array<TargetId | undefined> = shape.object ? TARGETS[shape.object.kind] : [undefined];
      for (const target of targets) {
        const expectation = expectationFor(access, shape, caller, target);
        const want = expectation.status === 'success' ? '2xx' : `${expectation.status} ${expectation.code ?? ''}`.trim();
        cases.push({ name: `${head} · ${caller.label}${target ? ` · ${target}` : ''} → ${want}`, route, shape, caller, target, expectation });
      }
    }
  }
  return cases;
}

const CASES = buildCases(ROUTES);

// ---------------------------------------------------------------------------------------------
// The world.
// ---------------------------------------------------------------------------------------------

const PASSWORD = 'correct horse battery staple';
const freshEmail = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}@matrix.example`;

type Res = Awaited<ReturnType<typeof http>>;

interface World {
  t1: string;
  t2: string;
  owner: { userId: string; token: string };
  owner2: { userId: string; token: string };
  users: Record<'N' | 'R' | 'W' | 'M' | 'D', { userId: string; email: string; token: string }>;
  /** Stable user targets: TA inside loc-A, TB outside (loc-B), X2 in tenant T2. */
  TA: string;
  TB: string;
  X2: string;
  /** Stable API key targets: a T1 key nobody may touch but security managers, and a T2 key. */
  keyT1: string;
  keyT2: string;
  secrets: { K: string; KM: string };
  forgedToken: string;
  /** The documented 2xx status of each route (OpenAPI), keyed like HOW_TO_CALL. */
  success: Map<string, number>;
  invite(): Promise<{ userId: string; activationToken: string }>;
  login(email: string, tenantId?: string): Promise<{ accessToken: string; refreshToken: string }>;
  freshUser(reach: string[]): Promise<string>;
  freshKey(): Promise<string>;
}

describe('authorization matrix: every gateway route × every kind of caller', () => {
  let identity: RunningIdentity;
  let gateway: RunningGateway;
  let db: Client;
  let world: World;
  const masterKey = parseMasterKey(testMasterKey());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const call = (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) => http(method, `${gateway.url}${path}`, options);
  function ok<T = any>(res: Res, status = 200): T { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  beforeAll(async () => {
    identity = await startIdentity(masterKey);
    gateway = await startGateway(identity.port);
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    const boot = bearer(gateway.bootstrapToken);

    const login = async (email: string, tenantId: string) => ok<{ accessToken: string; refreshToken: string }>(await call('POST', '/v1/auth/login', { body: { tenantId, email, password: PASSWORD } }));
    const signUp = async () => {
      const email = freshEmail('owner');
      const created = ok<{ tenantId: string; ownerId: string }>(await call('POST', '/v1/tenants', { headers: boot, body: { name: uniqueName('Matrix'), owner: { email, name: 'Owner', password: PASSWORD } } }), 201);
      return { tenantId: created.tenantId, userId: created.ownerId, token: (await login(email, created.tenantId)).accessToken };
    };
    const [o1, o2] = await Promise.all([signUp(), signUp()]);
    const asO = bearer(o1.token);
    const asO2 = bearer(o2.token);

    const createUser = async (headers: Record<string, string>, email: string, password?: string) =>
      ok<{ userId: string }>(await call('POST', '/v1/users', { headers, body: { email, name: 'Matrix User', ...(password ? { password } : {}) } }), 201).userId;
    const grant = async (headers: Record<string, string>, userId: string, module: string, access: AccessLevel, locations: LocationScope) =>
      ok(await call('PUT', `/v1/users/${userId}/grants/${module}`, { headers, body: { access, locations } }));
    const createKey = async (headers: Record<string, string>, grants: unknown[]) => ok<{ keyId: string; secret: string }>(await call('POST', '/v1/api-keys', { headers, body: { name: `key ${randomBytes(3).toString('hex')}`, grants } }), 201);

    // Callers of T1: N (nothing), R/W/M (that level on every module at loc-A), D (manage at loc-A, then disabled).
    const levels: Record<'N' | 'R' | 'W' | 'M' | 'D', AccessLevel | undefined> = { N: undefined, R: 'read', W: 'write', M: 'manage', D: 'manage' };
    const users = {} as World['users'];
    await Promise.all(
      (Object.keys(levels) as Array<keyof typeof levels>).map(async (id) => {
        const email = freshEmail(id.toLowerCase());
        const userId = await createUser(asO, email, PASSWORD);
        const level = levels[id];
        if (level) for (const module of MODULES) await grant(asO, userId, module, level, ['loc-A']);
        users[id] = { userId, email, token: (await login(email, o1.tenantId)).accessToken };
      }),
    );
    const target = async (headers: Record<string, string>, reach: string[]) => {
      const userId = await createUser(headers, freshEmail('target'));
      await grant(headers, userId, 'records', 'read', reach);
      return userId;
    };
    const [TA, TB, X2] = await Promise.all([target(asO, TARGET_REACH.inside), target(asO, TARGET_REACH.outside), target(asO2, ['loc-A'])]);
    const keyGrants = (access: AccessLevel, locations: LocationScope) => MODULES.map((module) => ({ module, access, locations }));
    const [K, KM, keyT1, keyT2] = await Promise.all([
      createKey(asO, keyGrants('read', 'all')),
      createKey(asO, keyGrants('manage', ['loc-A'])),
      createKey(asO, [{ module: 'records', access: 'read', locations: ['loc-A'] }]),
      createKey(asO2, [{ module: 'records', access: 'read', locations: ['loc-A'] }]),
    ]);

    // D is disabled by the owner; its token must stop working (the gateway's cache follows the feed).
    ok(await call('POST', `/v1/users/${users.D.userId}/disable`, { headers: asO }));
    for (let i = 0; (await call('GET', '/v1/me', { headers: bearer(users.D.token) })).status !== 401; i++) {
      if (i > 100) throw new Error("the disabled user's token still works");
      await new Promise((r) => setTimeout(r, 20));
    }

    const doc = ok<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(await call('GET', '/docs/openapi.json'));
    const success = new Map<string, number>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const code = Object.keys(op.responses).find((s) => /^2\d\d$/.test(s));
        if (code) success.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, Number(code));
      }
    }

    world = {
      t1: o1.tenantId,
      t2: o2.tenantId,
      owner: { userId: o1.userId, token: o1.token },
      owner2: { userId: o2.userId, token: o2.token },
      users,
      TA,
      TB,
      X2,
      keyT1: keyT1.keyId,
      keyT2: keyT2.keyId,
      secrets: { K: K.secret, KM: KM.secret },
      forgedToken: flipSignatureByte(o1.token),
      success,
      invite: async () => ok<{ userId: string; activationToken: string }>(await call('POST', '/v1/users', { headers: asO, body: { email: freshEmail('invite'), name: 'Invited' } }), 201),
      login: (email, tenantId = o1.tenantId) => login(email, tenantId),
      freshUser: (reach) => target(asO, reach),
      freshKey: async () => (await createKey(asO, [{ module: 'records', access: 'read', locations: ['loc-A'] }])).keyId,
    };
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await identity?.close();
    await db?.end();
  });

  function headersOf(caller: CallerDef): Record<string, string> {
    switch (caller.id) {
      case 'anonymous':
        return {};
      case 'bootstrap':
        return bearer(gateway.bootstrapToken);
      case 'forged':
        return bearer(world.forgedToken);
      case 'K':
      case 'KM':
        return { authorization: `ApiKey ${world.secrets[caller.id]}` };
      default:
        return bearer(world.users[caller.id].token);
    }
  }

  /** The object a case addresses: stable ones unless the call is expected to change it. */
  async function objectFor(kind: ObjectKind, target: TargetId, mutates: boolean): Promise<string> {
    if (kind === 'user') {
      if (target === 'other tenant') return world.X2;
      if (mutates) return world.freshUser(TARGET_REACH[target]);
      return target === 'inside' ? world.TA : world.TB;
    }
    if (target === 'other tenant') return world.keyT2;
    return mutates ? world.freshKey() : world.keyT1;
  }

  function expectErrorShape(res: Res): void {
    expect(Object.keys(res.body ?? {})).toEqual(['error']);
    expect(typeof res.body.error.code).toBe('string');
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
  }

  describe('the routes the matrix walks', () => {
    it('are exactly the routes of the running gateway', () => {
      expect(ROUTES.map(routeKey).sort()).toEqual(routesOf(gateway.app).map(routeKey).sort());
      expect(ROUTES.length).toBeGreaterThan(0);
    });

    it('every route declares a rule the matrix knows and HOW_TO_CALL can build', () => {
      expect(ROUTES.map(problemOf).filter(Boolean)).toEqual([]);
    });

    it('HOW_TO_CALL holds no route the app does not have (no stale entries)', () => {
      const live = new Set(ROUTES.map(routeKey));
      expect(Object.keys(HOW_TO_CALL).filter((k) => !live.has(k))).toEqual([]);
    });

    it('every route documents its success status (where the 2xx expectations come from)', () => {
      expect(ROUTES.map(routeKey).filter((k) => !world.success.has(k))).toEqual([]);
    });
  });

  describe('matrix', () => {
    it.each(CASES)('$name', async ({ route, shape, caller, target, expectation, problem }) => {
      if (problem || !shape || !expectation) throw new Error(problem ?? 'no expectation');
      const success = world.success.get(routeKey(route));
      if (success === undefined) throw new Error(`${routeKey(route)} documents no 2xx response`);
      const passes = expectation.status === 'success';
      const objectId = shape.object && target ? await objectFor(shape.object.kind, target, passes && route.method !== 'GET') : undefined;
      const path = route.path.replace(/:(\w+)/g, (_m, p: string) => (p === 'id' && shape.object?.in === 'path' ? (objectId as string) : PATH_PARAMS[p]));
      const body = shape.body ? await shape.body({ objectId, world }) : undefined;

      const res = await call(route.method, path, { headers: headersOf(caller), ...(body !== undefined ? { body } : {}) });

      expect(res.status).toBeLessThan(500);
      const want = passes ? success : expectation.status;
      expect({ status: res.status, code: res.status >= 400 ? res.body?.error?.code : undefined, why: expectation.why }).toEqual({
        status: want,
        code: passes ? undefined : expectation.code,
        why: expectation.why,
      });
      if (res.status >= 400) expectErrorShape(res);
      if (passes && shape.object?.kind === 'user' && shape.object.in === 'path' && res.body && typeof res.body === 'object' && 'userId' in res.body) {
        expect(res.body.userId).toBe(objectId);
      }
    });
  });

  describe('location scope of listings', () => {
    const scoped = CALLERS.filter((c) => c.level && c.kind !== 'disabled');
    it.each(scoped.map((c) => [c.label, c] as const))('GET /v1/users as %s lists only users inside its locations', async (_label, caller) => {
      const res = await call('GET', '/v1/users?limit=200', { headers: headersOf(caller) });
      expect(res.status).toBe(200);
      const items = res.body.items as Array<{ userId: string; grants: Array<{ locations: LocationScope }> }>;
      const ids = items.map((u) => u.userId);
      expect(ids).not.toContain(world.X2);
      expect(ids.includes(world.TA)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.inside));
      expect(ids.includes(world.TB)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.outside));
      for (const u of items) expect([u.userId, scopeCovers(caller.scope ?? [], reachOf(u.grants))]).toEqual([u.userId, true]);
    });
  });

  describe('access tokens', () => {
    const onModuleRoute = (token: string) => call('GET', '/v1/users', { headers: bearer(token) });

    async function signingKeyOf(token: string): Promise<{ kid: string; key: Awaited<ReturnType<typeof importJWK>> }> {
      const { kid } = decodeProtectedHeader(token);
      const row = await db.query<{ private_jwk_encrypted: string }>('SELECT private_jwk_encrypted FROM identity.signing_keys WHERE kid = $1', [kid]);
      const pool = createPool({ connectionString: testDatabaseUrl(), max: 1 });
      try {
        const json = await new PersonalDataCipher(new PostgresSubjectKeyStore(pool), masterKey).decrypt('system', 'token-signing-keys', row.rows[0].private_jwk_encrypted);
        return { kid: kid as string, key: await importJWK(JSON.parse(json as string) as JWK, 'EdDSA') };
      } finally {
        await pool.end();
      }
    }

    async function sign(key: Parameters<SignJWT['sign']>[0], kid: string, claims: { sub: string; tid: string; sid: string }, exp: number, iat = Math.floor(Date.now() / 1000)) {
      return new SignJWT({ tid: claims.tid, sid: claims.sid })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setSubject(claims.sub)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(key);
    }

    const claimsOf = (token: string) => {
      const p = decodeJwt(token);
      return { sub: p.sub as string, tid: p['tid'] as string, sid: p['sid'] as string };
    };

    it.each([
      ['not a JWT', () => 'not-a-token'],
      ['three garbage segments', () => 'aaa.bbb.ccc'],
      ['a flipped signature byte', () => flipSignatureByte(world.owner.token)],
      ['an unsigned (alg none) token', () => `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(decodeJwt(world.owner.token))}.`],
      ['the refresh token', async () => (await world.login(world.users.R.email)).refreshToken],
      ['the bootstrap token', () => gateway.bootstrapToken],
    ])('%s → 401 invalid_token', async (_label, token) => {
      const res = await onModuleRoute(await token());
      expect(res.status).toBe(401);
      expectErrorShape(res);
      expect(res.body.error.code).toBe('invalid_token');
    });

    it('a token signed with the real key is accepted, and the same token expired is refused', async () => {
      const { kid, key } = await signingKeyOf(world.owner.token);
      const now = Math.floor(Date.now() / 1000);
      const fresh = await sign(key, kid, claimsOf(world.owner.token), now + 300);
      expect((await onModuleRoute(fresh)).status).toBe(200);
      const expired = await sign(key, kid, claimsOf(world.owner.token), now - 60, now - 960);
      const res = await onModuleRoute(expired);
      expect(res.status).toBe(401);
      expectErrorShape(res);
      expect(res.body.error.code).toBe('invalid_token');
    });

    it.each([
      ['the real key id', (token: string) => decodeProtectedHeader(token).kid as string],
      ['an unknown key id', () => `k-forged-${randomBytes(4).toString('hex')}`],
    ])('a token signed with a fresh Ed25519 key under %s → 401', async (_label, kidOf) => {
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      expect((await exportJWK(publicKey)).crv).toBe('Ed25519');
      const token = await sign(privateKey, kidOf(world.owner.token), claimsOf(world.owner.token), Math.floor(Date.now() / 1000) + 300);
      const res = await onModuleRoute(token);
      expect(res.status).toBe(401);
      expectErrorShape(res);
      expect(res.body.error.code).toBe('invalid_token');
    });

    it('a token with a valid signature for a session that does not exist → 401', async () => {
      const { kid, key } = await signingKeyOf(world.owner.token);
      const token = await sign(key, kid, { ...claimsOf(world.owner.token), sid: randomUUID() }, Math.floor(Date.now() / 1000) + 300);
      const res = await onModuleRoute(token);
      expect(res.status).toBe(401);
      expectErrorShape(res);
    });

    /**
     * Validly signed tokens whose tenant or user disagree with their session (only a leaked
     * signing key could mint one): refused whether or not the gateway has already cached
     * that session's principal.
     */
    it.each([
      ['another tenant (tid)', 'cold'],
      ['another tenant (tid)', 'cached'],
      ['another user (sub)', 'cold'],
      ['another user (sub)', 'cached'],
    ] as const)('a token naming %s than its session, session %s → 401', async (claim, cache) => {
      const session = await world.login(world.users.M.email);
      if (cache === 'cached') expect((await onModuleRoute(session.accessToken)).status).toBe(200);
      const { kid, key } = await signingKeyOf(session.accessToken);
      const claims = claimsOf(session.accessToken);
      const lie = claim === 'another tenant (tid)' ? { ...claims, tid: world.t2 } : { ...claims, sub: world.users.R.userId };
      const res = await onModuleRoute(await sign(key, kid, lie, Math.floor(Date.now() / 1000) + 300));
      // The answer must not depend on cache state: the gateway keys cached sessions by every
      // claim (tid, sub, sid) and checks the principal against the token's claims.
      expect(res.status).toBe(401);
      expectErrorShape(res);
      expect(res.body.error.code).toBe('invalid_token');
    });
  });

  describe('grants edge cases', () => {
    const asOwner = () => bearer(world.owner.token);

    it('an unknown module → 400', async () => {
      const res = await call('PUT', `/v1/users/${world.TA}/grants/nope`, { headers: asOwner(), body: GRANT_BODY });
      expect(res.status).toBe(400);
      expectErrorShape(res);
    });

    it("granting to another tenant's user → 404 user_not_found, and it holds nothing new", async () => {
      const before = ok(await call('GET', `/v1/users/${world.X2}/grants`, { headers: bearer(world.owner2.token) }));
      const res = await call('PUT', `/v1/users/${world.X2}/grants/audit`, { headers: asOwner(), body: { access: 'manage', locations: 'all' } });
      expect(res.status).toBe(404);
      expectErrorShape(res);
      expect(res.body.error.code).toBe('user_not_found');
      expect(ok(await call('GET', `/v1/users/${world.X2}/grants`, { headers: bearer(world.owner2.token) }))).toEqual(before);
    });

    it('revoking a grant the user does not hold → 200 with the unchanged grants, recording nothing', async () => {
      const stream = userStreamId(world.TA);
      const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_store.events WHERE stream_id = $1', [stream])).rows[0].n;
      const before = ok(await call('GET', `/v1/users/${world.TA}/grants`, { headers: asOwner() }));
      const events = await count();
      const res = await call('DELETE', `/v1/users/${world.TA}/grants/audit`, { headers: asOwner() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(before);
      expect(await count()).toBe(events);
      expect(ok(await call('GET', `/v1/users/${world.TA}/grants`, { headers: asOwner() }))).toEqual(before);
    });

    it('a manager cannot grant more than it holds (manage@loc-A granting at all locations) → 403', async () => {
      const target = await world.freshUser(['loc-A']);
      const res = await call('PUT', `/v1/users/${target}/grants/records`, { headers: bearer(world.users.M.token), body: { access: 'read', locations: 'all' } });
      expect(res.status).toBe(403);
      expectErrorShape(res);
      expect(res.body.error.code).toBe('grant_exceeds_own_access');
    });
  });

  describe('ownership transfer by a non-owner', () => {
    it('answers the same for a user outside its locations as for an absent id (no existence oracle)', async () => {
      const asM = bearer(world.users.M.token);
      const outside = await call('POST', '/v1/ownership/transfer', { headers: asM, body: { toUserId: world.TB } });
      const absent = await call('POST', '/v1/ownership/transfer', { headers: asM, body: { toUserId: randomUUID() } });
      expectErrorShape(outside);
      expectErrorShape(absent);
      expect([absent.status, absent.body.error.code]).toEqual([outside.status, outside.body.error.code]);
      expect(outside.status).toBe(403);
    });

    it('leaves the owner in place', async () => {
      const me = ok(await call('GET', `/v1/users/${world.owner.userId}`, { headers: bearer(world.owner.token) }));
      expect(me.isOwner).toBe(true);
    });
  });
});

function flipSignatureByte(token: string): string {
  const [h, p, s] = token.split('.');
  const i = Math.floor(s.length / 2);
  return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
