import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { Client } from 'pg';
import { parseMasterKey, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import type { DeclaredRoute, RouteAccess } from '@custodian/gateway/http';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, accessIncludes, MODULES, reachOf, scopeCovers, userStreamId, type AccessLevel, type LocationScope } from '@custodian/identity/contracts';
import { createPool } from '@custodian/platform';
import type { RecordStatus } from '@custodian/records/contracts';
import { testDatabaseUrl, testMasterKey, waitFor } from '@custodian/testing';
import { http, routesOf, startAudit, startGateway, startIdentity, startRecords, startScheduling, uniqueName, type RunningAudit, type RunningGateway, type RunningIdentity, type RunningRecords, type RunningScheduling } from './platform.harness';

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
 *
 * Locations are named symbolically here ('A', 'B'): the world registers them as scheduling
 * locations (real UUIDs) and grants every scoped caller at A's id, so expectations compare
 * symbolic scopes and requests carry the ids (World.places).
 */

// ---------------------------------------------------------------------------------------------
// The objects routes address, and how each is scoped. What the services do, not who may call.
// ---------------------------------------------------------------------------------------------

type ObjectKind = 'user' | 'apiKey' | 'location' | 'shift' | 'checklist' | 'record' | 'incident' | 'stream' | 'event' | 'webhook';
type TargetId = 'inside' | 'outside' | 'in tenant' | 'other tenant';
type ModuleAccess = Extract<RouteAccess, { kind: 'module' }>;

interface ObjectKindDef {
  /** The targets a case addresses: by location (inside/outside the caller's) or just by tenant. */
  targets: TargetId[];
  /** The code of the 404 for an object the caller may not see. */
  notFound: string;
  /** The field of a success response naming the object (checked when the response has it). */
  idField: string;
  /** Whether, on a route of this module, an object outside the caller's locations is absent to it. */
  locationScoped(access: ModuleAccess): boolean;
  /** The path parameter naming the object when it travels in the path (default `id`). */
  param?: string;
  /** Path parameters the object brings besides its id (its parts). */
  params?: string[];
  /** Tenant-wide objects: creating one (and, with 'create and change', changing one) needs the module's grant on all locations. */
  tenantWide?: 'create' | 'create and change';
}

const BY_LOCATION: TargetId[] = ['inside', 'outside', 'other tenant'];
const BY_TENANT: TargetId[] = ['in tenant', 'other tenant'];

const OBJECT_KINDS: Record<ObjectKind, ObjectKindDef> = {
  user: { targets: BY_LOCATION, notFound: 'user_not_found', idField: 'userId', locationScoped: (a) => a.module === 'users' },
  apiKey: { targets: BY_TENANT, notFound: 'api_key_not_found', idField: 'keyId', locationScoped: () => false },
  location: { targets: BY_LOCATION, notFound: 'location_not_found', idField: 'locationId', locationScoped: () => true, params: ['areaId', 'scanPointId'], tenantWide: 'create' },
  shift: { targets: BY_LOCATION, notFound: 'shift_not_found', idField: 'shiftId', locationScoped: () => true },
  checklist: { targets: BY_TENANT, notFound: 'checklist_not_found', idField: 'checklistId', locationScoped: () => false, tenantWide: 'create and change' },
  record: { targets: BY_LOCATION, notFound: 'record_not_found', idField: 'recordId', locationScoped: () => true },
  incident: { targets: BY_TENANT, notFound: 'incident_not_found', idField: 'incidentId', locationScoped: () => false, param: 'incidentId' },
  /** An event stream of the log (a user's: `identity-user-<id>`), replayed by the audit service. */
  stream: { targets: BY_TENANT, notFound: 'stream_not_found', idField: 'streamId', locationScoped: () => false, param: 'streamId' },
  /** An event of the log, sequenced into a signed checkpoint of the ledger (version 1 of a user's stream). */
  event: { targets: BY_TENANT, notFound: 'event_not_found', idField: 'eventId', locationScoped: () => false },
  /** A webhook of the tenant (module `exports`, tenant-wide), delivered by the audit service. */
  webhook: { targets: BY_TENANT, notFound: 'webhook_not_found', idField: 'webhookId', locationScoped: () => false },
};

/** The path parameter an object of this kind travels in. */
const paramOf = (kind: ObjectKind) => OBJECT_KINDS[kind].param ?? 'id';

/** Where each located target is: a user target's grants reach there (records:read); a location is it; a shift or a record is at it. */
const TARGET_REACH: Record<'inside' | 'outside', string[]> = { inside: ['A'], outside: ['B'] };
const isLocated = (t: TargetId | undefined): t is 'inside' | 'outside' => t === 'inside' || t === 'outside';

// ---------------------------------------------------------------------------------------------
// How to call each route shape. The only per-route knowledge: what object the route addresses
// (or creates) and a minimal valid body. Nothing here says who may call it.
// ---------------------------------------------------------------------------------------------

interface CallContext {
  /** The id of the object the route addresses (its path parameter, a body or a query field), when it has one. */
  objectId?: string;
  world: World;
}

interface RouteShape {
  /**
   * The object the route addresses, and where its id travels. `assigned`: a shift with the
   * world's cleaner on it. `status`: a record in that state (default: in progress).
   */
  object?: { kind: ObjectKind; in: 'path' | 'body' | 'query'; assigned?: true; status?: RecordStatus };
  /** The kind of object the route creates (tenant-wide kinds need the grant on all locations). */
  creates?: ObjectKind;
  /** Service rule: only the tenant's owner (as a user) may act; everybody else is 403 `owner_only`. */
  ownerOnly?: true;
  /**
   * Service rule: the route needs the module's grant on all locations, whatever it addresses
   * (audit and security data are tenant-wide); anything less is 403 `tenant_wide_access_required`,
   * checked before any object is looked up.
   */
  tenantWide?: true;
  /** Service rules on who acts on the object found, in the order the service checks them (see SERVICE_RULES). */
  rules?: ServiceRule[];
  body?: (ctx: CallContext) => Promise<unknown> | unknown;
  /** The query string (where an object `in: 'query'` travels). */
  query?: (ctx: CallContext) => Record<string, string>;
}

/**
 * Service rules on who may act on a record, checked by the records service once the object is
 * found (so after the 404s) — like ownerOnly, the service's rules, not the guard's. They turn on
 * the caller's relation to the object (CallerDef.cleaner: none of CALLERS is on a shift or has a
 * record, so the cleaner's side of each rule is tested in "record rules: the cleaner's side") and on the
 * record's status (the route's object.status).
 */
type ServiceRule = 'assignedCleaner' | 'recordCleaner' | 'notOwnRecord' | 'manageOnceSealed' | 'clockedOut';

const SERVICE_RULES: Record<ServiceRule, (caller: CallerDef, status: RecordStatus) => Expectation | undefined> = {
  assignedCleaner: (c) => (c.cleaner ? undefined : { status: 403, code: 'not_assigned', why: 'only a cleaner assigned to the shift starts a record on it' }),
  recordCleaner: (c) => (c.cleaner ? undefined : { status: 403, code: 'not_record_cleaner', why: "only the record's cleaner records tasks and clocks out" }),
  notOwnRecord: (c) => (c.cleaner ? { status: 403, code: 'cannot_inspect_own_record', why: 'nobody inspects their own record' } : undefined),
  manageOnceSealed: (c, status) =>
    status === 'sealed' && !(c.level && accessIncludes(c.level, 'manage')) ? { status: 403, code: 'sealed_record_needs_manage', why: 'a sealed record takes corrections from records:manage only' } : undefined,
  clockedOut: (_c, status) => (status === 'in_progress' ? { status: 422, code: 'not_clocked_out', why: 'only a clocked-out record is signed off' } : undefined),
};

const grantBody = (world: World) => ({ access: 'read', locations: world.places(['A']) });
const checklistBody = () => ({ name: uniqueName('Checklist'), areaKind: 'restroom', tasks: [{ title: 'Restock soap' }, { title: 'Mop the floor' }] });
const now = () => new Date().toISOString();
const manualClock = () => ({ at: now(), method: 'manual' });
const incidentBody = () => ({ kind: 'security', severity: 'low', title: uniqueName('Incident'), description: 'Opened by the authorization matrix' });
/** Port 9 (discard: nothing listens) and a type no event has: the matrix's webhooks never deliver anything. */
const webhookBody = () => ({ url: 'http://127.0.0.1:9/matrix', events: ['matrix.NeverHappens'], secret: randomBytes(24).toString('base64url') });

const HOW_TO_CALL: Record<string, RouteShape> = {
  'POST /v1/tenants': { body: () => ({ name: uniqueName('Matrix'), owner: { email: freshEmail('owner'), name: 'Matrix Owner', password: PASSWORD } }) },
  'POST /v1/auth/login': { body: ({ world }) => ({ tenantId: world.t1, email: world.users.N.email, password: PASSWORD }) },
  'POST /v1/auth/activate': { body: async ({ world }) => ({ token: (await world.invite()).activationToken, password: PASSWORD }) },
  'POST /v1/auth/refresh': { body: async ({ world }) => ({ refreshToken: (await world.login(world.users.N.email)).refreshToken }) },
  'POST /v1/auth/logout': { body: async ({ world }) => ({ refreshToken: (await world.login(world.users.N.email)).refreshToken }) },
  'GET /v1/me': {},
  'POST /v1/users': { creates: 'user', body: () => ({ email: freshEmail('new'), name: 'New User' }) },
  'GET /v1/users': {},
  'GET /v1/users/:id': { object: { kind: 'user', in: 'path' } },
  'POST /v1/users/:id/disable': { object: { kind: 'user', in: 'path' } },
  'POST /v1/users/:id/enable': { object: { kind: 'user', in: 'path' } },
  'GET /v1/users/:id/grants': { object: { kind: 'user', in: 'path' } },
  'PUT /v1/users/:id/grants/:module': { object: { kind: 'user', in: 'path' }, body: ({ world }) => grantBody(world) },
  'DELETE /v1/users/:id/grants/:module': { object: { kind: 'user', in: 'path' } },
  'POST /v1/ownership/transfer': { object: { kind: 'user', in: 'body' }, ownerOnly: true, body: ({ objectId }) => ({ toUserId: objectId }) },
  'POST /v1/api-keys': { creates: 'apiKey', body: ({ world }) => ({ name: 'matrix key', grants: [{ module: 'records', access: 'read', locations: world.places(['A']) }] }) },
  'GET /v1/api-keys': {},
  'POST /v1/api-keys/:id/rotate': { object: { kind: 'apiKey', in: 'path' }, body: () => ({}) },
  'DELETE /v1/api-keys/:id': { object: { kind: 'apiKey', in: 'path' } },
  'POST /v1/operator/signing-keys/rotate': {},
  'GET /v1/.well-known/jwks.json': {},
  'GET /health/live': {},
  'GET /health/ready': {},
  // Scheduling: sites (with areas and scan points), checklist templates, shifts.
  'POST /v1/locations': { creates: 'location', body: () => locationBody() },
  'GET /v1/locations': {},
  'GET /v1/locations/:id': { object: { kind: 'location', in: 'path' } },
  'POST /v1/locations/:id/areas': { object: { kind: 'location', in: 'path' }, body: () => ({ name: uniqueName('Area'), kind: 'restroom' }) },
  'POST /v1/locations/:id/areas/:areaId/scan-points': { object: { kind: 'location', in: 'path' }, body: () => ({ method: 'qr' }) },
  'POST /v1/locations/:id/areas/:areaId/scan-points/:scanPointId/rotate': { object: { kind: 'location', in: 'path' } },
  'POST /v1/checklists': { creates: 'checklist', body: checklistBody },
  'PUT /v1/checklists/:id': { object: { kind: 'checklist', in: 'path' }, body: checklistBody },
  'GET /v1/checklists': {},
  'GET /v1/checklists/:id': { object: { kind: 'checklist', in: 'path' } },
  'POST /v1/shifts': { object: { kind: 'location', in: 'body' }, creates: 'shift', body: ({ objectId, world }) => ({ locationId: objectId, checklistId: world.checklists.T1, ...world.slot() }) },
  'GET /v1/shifts': {},
  'GET /v1/shifts/:id': { object: { kind: 'shift', in: 'path' } },
  'POST /v1/shifts/:id/assignments': { object: { kind: 'shift', in: 'path' }, body: ({ world }) => ({ cleanerId: world.cleaner }) },
  'DELETE /v1/shifts/:id/assignments/:userId': { object: { kind: 'shift', in: 'path', assigned: true } },
  'POST /v1/shifts/:id/reschedule': { object: { kind: 'shift', in: 'path' }, body: ({ world }) => world.slot() },
  'POST /v1/shifts/:id/cancel': { object: { kind: 'shift', in: 'path' }, body: () => ({ reason: 'The client closed the wing for the day' }) },
  'GET /v1/me/shifts': {},
  // Records: a cleaner's record of a shift, from clock-in to sign-off, and reports over them.
  'POST /v1/records': { object: { kind: 'shift', in: 'body' }, rules: ['assignedCleaner'], body: ({ objectId }) => ({ shiftId: objectId, clockIn: manualClock() }) },
  'POST /v1/records/:id/tasks': { object: { kind: 'record', in: 'path' }, rules: ['recordCleaner'], body: ({ world }) => ({ taskId: world.taskId, areaId: world.sites.A.areaId, completedAt: now() }) },
  'POST /v1/records/:id/issues': { object: { kind: 'record', in: 'path' }, body: () => ({ category: 'broken-fixture', description: 'The tap drips', reportedAt: now() }) },
  'POST /v1/records/:id/clock-out': { object: { kind: 'record', in: 'path' }, rules: ['recordCleaner'], body: manualClock },
  'POST /v1/records/:id/inspection': { object: { kind: 'record', in: 'path' }, rules: ['notOwnRecord'], body: () => ({ score: 88, method: { name: 'APPA', version: '3' }, items: [{ label: 'Floors', score: 90 }] }) },
  'POST /v1/records/:id/sign-off': { object: { kind: 'record', in: 'path', status: 'clocked_out' }, rules: ['clockedOut'] },
  'POST /v1/records/:id/corrections': {
    object: { kind: 'record', in: 'path', status: 'sealed' },
    rules: ['manageOnceSealed'],
    body: () => ({ target: { version: 1, field: 'clockIn.at' }, value: new Date(Date.now() - 60_000).toISOString(), reason: 'The tablet clock was a minute fast' }),
  },
  'GET /v1/records': {},
  'GET /v1/records/:id': { object: { kind: 'record', in: 'path' } },
  'GET /v1/records/:id/history': { object: { kind: 'record', in: 'path' } },
  'GET /v1/records/:id/verify': { object: { kind: 'record', in: 'path' } },
  'GET /v1/records/:id/export': { object: { kind: 'record', in: 'path' } },
  'GET /v1/reports/compliance': {
    object: { kind: 'location', in: 'query' },
    query: ({ objectId }) => ({ locationId: objectId as string, from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 30 * 86_400_000).toISOString() }),
  },
  // Audit: the activity log and the ledger (tenant-wide), its public key, the operator's sweep.
  'GET /v1/audit/activity': { tenantWide: true },
  'GET /v1/audit/checkpoints/latest': { tenantWide: true },
  'GET /v1/audit/checkpoints/:treeSize': { tenantWide: true },
  'GET /v1/audit/proofs/inclusion': { object: { kind: 'event', in: 'query' }, tenantWide: true, query: ({ objectId }) => ({ eventId: objectId as string }) },
  'GET /v1/audit/proofs/consistency': { tenantWide: true, query: ({ world }) => ({ from: String(world.checkpoints.from), to: String(world.checkpoints.to) }) },
  'GET /v1/audit/streams/:streamId': { object: { kind: 'stream', in: 'path' }, tenantWide: true, query: () => ({ asOf: now() }) },
  'GET /v1/audit/public-key': {},
  'POST /v1/operator/ledger/verify': {},
  // Security: blocked addresses (never the matrix's own 127.0.0.1: see matrixIp), notifications, incidents.
  'GET /v1/security/blocked-ips': { tenantWide: true },
  'POST /v1/security/blocked-ips': { tenantWide: true, body: () => ({ ip: matrixIp(), reason: 'authorization matrix', until: new Date(Date.now() + 3_600_000).toISOString() }) },
  'DELETE /v1/security/blocked-ips/:ip': { tenantWide: true },
  'GET /v1/security/notifications': { tenantWide: true },
  'POST /v1/incidents': { creates: 'incident', tenantWide: true, body: () => incidentBody() },
  'GET /v1/incidents': { tenantWide: true },
  'GET /v1/incidents/:incidentId': { object: { kind: 'incident', in: 'path' }, tenantWide: true },
  'POST /v1/incidents/:incidentId/entries': { object: { kind: 'incident', in: 'path' }, tenantWide: true, body: () => ({ kind: 'action', text: 'Rotated the exposed credentials' }) },
  'PATCH /v1/incidents/:incidentId': { object: { kind: 'incident', in: 'path' }, tenantWide: true, body: () => ({ status: 'investigating', severity: 'high' }) },
  // Webhooks (module exports, tenant-wide): signed event deliveries to integrators.
  'POST /v1/webhooks': { creates: 'webhook', tenantWide: true, body: () => webhookBody() },
  'GET /v1/webhooks': { tenantWide: true },
  'GET /v1/webhooks/:id': { object: { kind: 'webhook', in: 'path' }, tenantWide: true },
  'PATCH /v1/webhooks/:id': { object: { kind: 'webhook', in: 'path' }, tenantWide: true, body: () => ({ status: 'disabled' }) },
  'DELETE /v1/webhooks/:id': { object: { kind: 'webhook', in: 'path' }, tenantWide: true },
  'GET /v1/webhooks/:id/deliveries': { object: { kind: 'webhook', in: 'path' }, tenantWide: true },
  'POST /v1/webhooks/:id/replay': { object: { kind: 'webhook', in: 'path' }, tenantWide: true, body: () => ({ fromPosition: 1 }) },
};

/** Path parameters other than the object id and its parts. */
const PATH_PARAMS: Record<string, (world: World) => string> = {
  module: () => 'records',
  userId: (world) => world.cleaner,
  treeSize: (world) => String(world.checkpoints.to),
  ip: (world) => world.blockedIp,
};

/**
 * Documentation addresses (RFC 5737), a new one per call: what the matrix blocks. Never the
 * loopback its own requests come from — blocking that would turn every later T1 case into 403 ip_blocked.
 */
const MATRIX_IPS = [...Array.from({ length: 254 }, (_, i) => `198.51.100.${i + 1}`), ...Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`)];
let matrixIps = 0;
function matrixIp(): string {
  const ip = MATRIX_IPS[matrixIps++];
  if (!ip) throw new Error('the matrix ran out of documentation addresses to block');
  return ip;
}

// ---------------------------------------------------------------------------------------------
// The cases: callers and targets.
// ---------------------------------------------------------------------------------------------

type CallerKind = 'anonymous' | 'bootstrap' | 'forged' | 'user' | 'disabled' | 'apiKey';
type UserCallerId = 'N' | 'R' | 'W' | 'M' | 'MA' | 'D';
type CallerId = 'anonymous' | 'bootstrap' | 'forged' | UserCallerId | 'K' | 'KM';

interface CallerDef {
  id: CallerId;
  label: string;
  kind: CallerKind;
  /** The level held on EVERY module (undefined: nothing). */
  level?: AccessLevel;
  /** Where those grants apply (symbolic locations): the caller's `users` and `scheduling` scope too. */
  scope?: LocationScope;
  /** The cleaner of the targets: assigned to the shift, the record's cleaner. None of CALLERS is (see SERVICE_RULES). */
  cleaner?: true;
}

const CALLERS: CallerDef[] = [
  { id: 'anonymous', label: 'no credentials', kind: 'anonymous' },
  { id: 'bootstrap', label: 'bootstrap token', kind: 'bootstrap' },
  { id: 'forged', label: 'forged token', kind: 'forged' },
  { id: 'N', label: 'N no grant', kind: 'user' },
  { id: 'R', label: 'R read@A', kind: 'user', level: 'read', scope: ['A'] },
  { id: 'W', label: 'W write@A', kind: 'user', level: 'write', scope: ['A'] },
  { id: 'M', label: 'M manage@A', kind: 'user', level: 'manage', scope: ['A'] },
  { id: 'MA', label: 'MA manage@all (not the owner)', kind: 'user', level: 'manage', scope: 'all' },
  { id: 'D', label: 'D disabled (was manage@A)', kind: 'disabled' },
  { id: 'K', label: 'API key K read@all', kind: 'apiKey', level: 'read', scope: 'all' },
  { id: 'KM', label: 'API key KM manage@A', kind: 'apiKey', level: 'manage', scope: ['A'] },
];

interface Expectation {
  status: number | 'success';
  code?: string;
  why: string;
}

/**
 * The expected answer, derived from the declaration and the case. Guard first (credentials →
 * 401, missing access → 403), then the service's rules: owner-only and tenant-wide operations
 * (403), then the object's tenant and location scope (404).
 */
function expectationFor(access: RouteAccess, shape: RouteShape, method: string, caller: CallerDef, target: TargetId | undefined): Expectation {
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
      // Tenant-wide routes and objects: the grant must reach every location, checked before any target is looked at.
      const tenantWide = shape.tenantWide || (shape.creates && OBJECT_KINDS[shape.creates].tenantWide) || (shape.object && method !== 'GET' && OBJECT_KINDS[shape.object.kind].tenantWide === 'create and change');
      if (tenantWide && !scopeCovers(caller.scope ?? [], 'all')) return { status: 403, code: 'tenant_wide_access_required', why: `${access.module}:${access.access} on all locations not held` };
      if (shape.object && target) {
        const kind = OBJECT_KINDS[shape.object.kind];
        if (target === 'other tenant') return { status: 404, code: kind.notFound, why: "another tenant's object is absent" };
        if (isLocated(target) && kind.locationScoped(access) && !scopeCovers(caller.scope ?? [], reachOf([{ locations: TARGET_REACH[target] }]))) {
          return { status: 404, code: kind.notFound, why: `outside the caller's ${access.module} locations` };
        }
      }
      for (const rule of shape.rules ?? []) {
        const refused = SERVICE_RULES[rule](caller, shape.object?.status ?? 'in_progress');
        if (refused) return refused;
      }
      return { status: 'success', why: `${access.module}:${access.access} held${target ? `, ${target}${isLocated(target) ? ' the scope' : ''}` : ''}` };
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

/** routesOf on a gateway built (not listening, no services needed) in a child process. */
function routesAtCollection(): DeclaredRoute[] {
  const script = `
    const { createGatewayApp, GatewayConfig, routesOf } = require(${JSON.stringify(join(ROOT, 'libs/gateway/http/src/index.ts'))});
    const quiet = { log() {}, error() {}, warn() {}, debug() {}, verbose() {} };
    createGatewayApp(new GatewayConfig('127.0.0.1', 0, 'collect-routes-only-bootstrap', { host: '127.0.0.1', port: 9 }, 1000, 1024, [], { host: '127.0.0.1', port: 9 }), quiet)
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
  const parts = shape.object?.in === 'path' ? (OBJECT_KINDS[shape.object.kind].params ?? []) : [];
  const objectParam = shape.object?.in === 'path' ? paramOf(shape.object.kind) : undefined;
  for (const p of params) {
    if (p === objectParam) continue;
    if (!parts.includes(p) && !(p in PATH_PARAMS)) return `${routeKey(route)}: HOW_TO_CALL cannot fill path parameter :${p}`;
  }
  if (objectParam && !params.includes(objectParam)) return `${routeKey(route)}: HOW_TO_CALL says the object is in the path but there is no :${objectParam}`;
  if (shape.object?.in === 'query' && !shape.query) return `${routeKey(route)}: HOW_TO_CALL says the object is in the query but builds none`;
  if (shape.object?.status && shape.object.kind !== 'record') return `${routeKey(route)}: only records have a status`;
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
      const targets: Array<TargetId | undefined> = shape.object ? OBJECT_KINDS[shape.object.kind].targets : [undefined];
      for (const target of targets) {
        const expectation = expectationFor(access, shape, route.method, caller, target);
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
const locationBody = (name = uniqueName('Site')) => ({
  name,
  address: '1 Matrix Road, London',
  timezone: 'Europe/London',
  sensitivity: 'healthcare',
  geofence: { lat: 51.5, lon: -0.12, radiusMeters: 150 },
  clockInPolicy: 'flag',
});

type Res = Awaited<ReturnType<typeof http>>;

/** A scheduling location with one area and one scan point in it. */
interface Site {
  locationId: string;
  areaId: string;
  scanPointId: string;
}

interface World {
  t1: string;
  t2: string;
  owner: { userId: string; token: string };
  owner2: { userId: string; token: string };
  users: Record<UserCallerId, { userId: string; email: string; token: string }>;
  /** Stable locations: A (where scoped callers hold their grants) and B in T1, one in T2. */
  sites: Record<'A' | 'B' | 'T2', Site>;
  /** Symbolic locations ('A', 'B') to their ids; anything else is kept as is. */
  places(scope: LocationScope): LocationScope;
  /** Stable user targets: TA reaching A, TB reaching B, X2 in tenant T2. */
  TA: string;
  TB: string;
  X2: string;
  /** Stable API key targets: a T1 key nobody may touch but security managers, and a T2 key. */
  keyT1: string;
  keyT2: string;
  /** Stable shifts: at A, at B (the cleaner is on it), in T2. */
  shifts: Record<'A' | 'B' | 'T2', string>;
  /** Stable checklists of each tenant. */
  checklists: Record<'T1' | 'T2', string>;
  /** A T1 user with records:write at A and B: may be put on shifts there. */
  cleaner: string;
  cleanerEmail: string;
  /** The cleaners who make the world's records: T1's (records:write at A and B) and T2's; on no other shift. */
  recorders: Record<'T1' | 'T2', { userId: string; token: string }>;
  /** A task of checklists.T1 (for restroom areas, like every site's area). */
  taskId: string;
  /**
   * A record at A, B or in T2 in the given status, on a shift of its own with the tenant's
   * recorder assigned (by the owner) who clocked in manually just now (the shift is in the
   * future: flagged, accepted), clocked out, and had it signed off by the owner. `record` is
   * the stable one of that place and status (made once, on first use); `freshRecord` a new one.
   */
  record(where: 'A' | 'B' | 'T2', status: RecordStatus): Promise<string>;
  freshRecord(where: 'A' | 'B' | 'T2', status: RecordStatus): Promise<string>;
  secrets: { K: string; KM: string };
  forgedToken: string;
  /** The documented 2xx status of each route (OpenAPI), keyed like HOW_TO_CALL. */
  success: Map<string, number>;
  /** A future two-hour slot no other call of this run has used (cleaners are never double-booked). */
  slot(): { start: string; end: string };
  invite(): Promise<{ userId: string; activationToken: string }>;
  login(email: string, tenantId?: string): Promise<{ accessToken: string; refreshToken: string }>;
  freshUser(reach: string[]): Promise<string>;
  freshKey(): Promise<string>;
  /** A new area (with a scan point) at a T1 location. */
  freshArea(locationId: string): Promise<Omit<Site, 'locationId'>>;
  /** A new T1 shift at a location, with the cleaner on it when `assigned`. */
  freshShift(locationId: string, assigned: boolean): Promise<string>;
  freshChecklist(): Promise<string>;
  /** Stable incidents of each tenant (opened by its owner). */
  incidents: Record<'T1' | 'T2', string>;
  /** A new T1 incident, open. */
  freshIncident(): Promise<string>;
  /** Stable streams of each tenant: the user streams of TA and X2. */
  streams: Record<'T1' | 'T2', string>;
  /** The first event of each of those streams, inside a stored signed checkpoint. */
  events: Record<'T1' | 'T2', string>;
  /** Two stored checkpoint sizes (1 ≤ from ≤ to), both covering `events`. */
  checkpoints: { from: number; to: number };
  /** An address T1 blocked (by the owner; never the matrix's own). */
  blockedIp: string;
  /** Stable webhooks of each tenant (created by its owner). */
  webhooks: Record<'T1' | 'T2', string>;
  /** A new T1 webhook. */
  freshWebhook(): Promise<string>;
}

interface ObjectRef {
  id: string;
  /** Path parameters the object brings (a location's area and scan point). */
  params?: Record<string, string>;
}

describe('authorization matrix: every gateway route × every kind of caller', () => {
  let identity: RunningIdentity;
  let scheduling: RunningScheduling;
  let records: RunningRecords;
  let audit: RunningAudit;
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
    const identityStarted = startIdentity(masterKey);
    // The security monitor's thresholds out of reach: its rules would block 127.0.0.1 (every case's
    // address) or suspend matrix users after the matrix's many refused requests and failed logins.
    const rules = {
      failedLoginsPerIp: { threshold: 1_000_000, windowSeconds: 300, blockSeconds: 3_600 },
      failedLoginsPerAccount: { threshold: 1_000_000, windowSeconds: 3_600 },
      deniedBurst: { threshold: 1_000_000, windowSeconds: 60 },
    };
    [identity, scheduling, records, audit] = await Promise.all([
      identityStarted,
      startScheduling(masterKey),
      startRecords(masterKey),
      identityStarted.then((started) => startAudit(masterKey, started.port, { rules })),
    ]);
    gateway = await startGateway(identity.port, undefined, [], { schedulingPort: scheduling.port, recordsPort: records.port, auditPort: audit.port });
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

    /** A setup request that must succeed (kept as a helper: setup fails loudly with the body). */
    const settled = async (send: () => Promise<Res>, status: number) => ok<Record<string, unknown>>(await send(), status);

    // Scheduling first: the locations are real ids, and the grants below name them.
    const area = async (headers: Record<string, string>, locationId: string) => {
      const areaId = ok<{ areaId: string }>(await call('POST', `/v1/locations/${locationId}/areas`, { headers, body: { name: uniqueName('Area'), kind: 'restroom' } }), 201).areaId;
      const scanPointId = ok<{ scanPointId: string }>(await call('POST', `/v1/locations/${locationId}/areas/${areaId}/scan-points`, { headers, body: { method: 'nfc' } }), 201).scanPointId;
      return { areaId, scanPointId };
    };
    const site = async (headers: Record<string, string>, name: string): Promise<Site> => {
      const [key, body] = [`matrix-site-${randomUUID()}`, locationBody(uniqueName(name))];
      const locationId = (await settled(() => call('POST', '/v1/locations', { headers: { ...headers, 'idempotency-key': key }, body }), 201)).locationId as string;
      return { locationId, ...(await area(headers, locationId)) };
    };
    const checklistOf = async (headers: Record<string, string>) => ok<{ checklistId: string; tasks: Array<{ taskId: string }> }>(await call('POST', '/v1/checklists', { headers, body: checklistBody() }), 201);
    const checklist = async (headers: Record<string, string>) => (await checklistOf(headers)).checklistId;
    const [A, B, L2, T1List, clT2] = await Promise.all([site(asO, 'Site A'), site(asO, 'Site B'), site(asO2, 'Site T2'), checklistOf(asO), checklist(asO2)]);
    const clT1 = T1List.checklistId;
    const symbols: Record<string, string> = { A: A.locationId, B: B.locationId };
    const places = (scope: LocationScope): LocationScope => (scope === 'all' ? 'all' : scope.map((p) => symbols[p] ?? p));

    const base = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 2 * 86_400_000;
    let slots = 0;
    const slot = () => {
      const start = base + slots++ * 3 * 3_600_000;
      return { start: new Date(start).toISOString(), end: new Date(start + 2 * 3_600_000).toISOString() };
    };

    const createUser = async (headers: Record<string, string>, email: string, password?: string) =>
      ok<{ userId: string }>(await call('POST', '/v1/users', { headers, body: { email, name: 'Matrix User', ...(password ? { password } : {}) } }), 201).userId;
    const grant = async (headers: Record<string, string>, userId: string, module: string, access: AccessLevel, locations: LocationScope) =>
      ok(await call('PUT', `/v1/users/${userId}/grants/${module}`, { headers, body: { access, locations: places(locations) } }));
    const createKey = async (headers: Record<string, string>, grants: Array<{ module: string; access: AccessLevel; locations: LocationScope }>) =>
      ok<{ keyId: string; secret: string }>(await call('POST', '/v1/api-keys', { headers, body: { name: `key ${randomBytes(3).toString('hex')}`, grants: grants.map((g) => ({ ...g, locations: places(g.locations) })) } }), 201);

    // Callers of T1: the level and scope of their definition on every module; D manage at A, then disabled.
    const definition = (id: UserCallerId) => CALLERS.find((c) => c.id === id) as CallerDef;
    const grantsOf = (id: UserCallerId): { level?: AccessLevel; scope?: LocationScope } => (id === 'D' ? { level: 'manage', scope: ['A'] } : definition(id));
    const users = {} as World['users'];
    const userIds: UserCallerId[] = ['N', 'R', 'W', 'M', 'MA', 'D'];
    const cleaner = { email: freshEmail('cleaner'), userId: '' };
    const recorder = async (headers: Record<string, string>, tenantId: string, locations: LocationScope) => {
      const email = freshEmail('recorder');
      const userId = await createUser(headers, email, PASSWORD);
      await grant(headers, userId, 'records', 'write', locations);
      return { userId, token: (await login(email, tenantId)).accessToken };
    };
    const [recorderT1, recorderT2] = await Promise.all([recorder(asO, o1.tenantId, ['A', 'B']), recorder(asO2, o2.tenantId, [L2.locationId])]);
    await Promise.all([
      ...userIds.map(async (id) => {
        const email = freshEmail(id.toLowerCase());
        const userId = await createUser(asO, email, PASSWORD);
        const { level, scope } = grantsOf(id);
        if (level && scope) for (const module of MODULES) await grant(asO, userId, module, level, scope);
        users[id] = { userId, email, token: (await login(email, o1.tenantId)).accessToken };
      }),
      (async () => {
        cleaner.userId = await createUser(asO, cleaner.email, PASSWORD);
        await grant(asO, cleaner.userId, 'records', 'write', ['A', 'B']);
      })(),
    ]);
    const target = async (headers: Record<string, string>, reach: string[]) => {
      const userId = await createUser(headers, freshEmail('target'));
      await grant(headers, userId, 'records', 'read', reach);
      return userId;
    };
    const shift = async (headers: Record<string, string>, locationId: string, checklistId: string, cleanerIds: string[] = []) => {
      const [key, body] = [`matrix-shift-${randomUUID()}`, { locationId, checklistId, ...slot(), ...(cleanerIds.length ? { cleanerIds } : {}) }];
      return ((await settled(() => call('POST', '/v1/shifts', { headers: { ...headers, 'idempotency-key': key }, body }), 201)).shifts as Array<{ shiftId: string }>)[0].shiftId;
    };
    const makeRecord = async (where: 'A' | 'B' | 'T2', status: RecordStatus) => {
      const [headers, cleanerOf, checklistId] = where === 'T2' ? [asO2, recorderT2, clT2] : [asO, recorderT1, clT1];
      const shiftId = await shift(headers, { A, B, T2: L2 }[where].locationId, checklistId);
      ok(await call('POST', `/v1/shifts/${shiftId}/assignments`, { headers, body: { cleanerId: cleanerOf.userId } }));
      const recordId = ok<{ recordId: string }>(await call('POST', '/v1/records', { headers: bearer(cleanerOf.token), body: { shiftId, clockIn: manualClock() } }), 201).recordId;
      if (status !== 'in_progress') ok(await call('POST', `/v1/records/${recordId}/clock-out`, { headers: bearer(cleanerOf.token), body: manualClock() }));
      if (status === 'sealed') ok(await call('POST', `/v1/records/${recordId}/sign-off`, { headers }));
      return recordId;
    };
    const stableRecords = new Map<string, Promise<string>>();
    const stableRecord = (where: 'A' | 'B' | 'T2', status: RecordStatus) => {
      const key = `${where} ${status}`;
      if (!stableRecords.has(key)) stableRecords.set(key, makeRecord(where, status));
      return stableRecords.get(key) as Promise<string>;
    };
    const keyGrants = (access: AccessLevel, locations: LocationScope) => MODULES.map((module) => ({ module, access, locations }));
    const [TA, TB, X2, SA, SB, S2, K, KM, keyT1, keyT2] = await Promise.all([
      target(asO, TARGET_REACH.inside),
      target(asO, TARGET_REACH.outside),
      target(asO2, [L2.locationId]),
      shift(asO, A.locationId, clT1),
      shift(asO, B.locationId, clT1, [cleaner.userId]),
      shift(asO2, L2.locationId, clT2),
      createKey(asO, keyGrants('read', 'all')),
      createKey(asO, keyGrants('manage', ['A'])),
      createKey(asO, [{ module: 'records', access: 'read', locations: ['A'] }]),
      createKey(asO2, [{ module: 'records', access: 'read', locations: [L2.locationId] }]),
    ]);

    // D is disabled by the owner; its token must stop working (the gateway's cache follows the feed).
    ok(await call('POST', `/v1/users/${users.D.userId}/disable`, { headers: asO }));
    for (let i = 0; (await call('GET', '/v1/me', { headers: bearer(users.D.token) })).status !== 401; i++) {
      if (i > 100) throw new Error("the disabled user's token still works");
      await new Promise((r) => setTimeout(r, 20));
    }

    // Security and audit: an incident of each tenant, a blocked address, and events of each tenant
    // inside a stored signed checkpoint (the audit service signs one every 200 ms here).
    const incident = async (headers: Record<string, string>) => ok<{ incidentId: string }>(await call('POST', '/v1/incidents', { headers, body: incidentBody() }), 201).incidentId;
    const blockedIp = matrixIp();
    const webhook = async (headers: Record<string, string>) => ok<{ webhookId: string }>(await call('POST', '/v1/webhooks', { headers, body: webhookBody() }), 201).webhookId;
    const [incidentT1, incidentT2, webhookT1, webhookT2] = await Promise.all([
      incident(asO),
      incident(asO2),
      webhook(asO),
      webhook(asO2),
      settled(() => call('POST', '/v1/security/blocked-ips', { headers: asO, body: { ip: blockedIp, reason: 'authorization matrix', until: new Date(Date.now() + 3_600_000).toISOString() } }), 201),
    ]);
    const streams = { T1: userStreamId(TA), T2: userStreamId(X2) };
    const firstEvent = async (streamId: string) => (await db.query<{ event_id: string }>('SELECT event_id FROM event_store.events WHERE stream_id = $1 AND version = 1', [streamId])).rows[0].event_id;
    const events = { T1: await firstEvent(streams.T1), T2: await firstEvent(streams.T2) };
    const provable = async (headers: Record<string, string>, eventId: string) => (await call('GET', `/v1/audit/proofs/inclusion?eventId=${eventId}`, { headers })).status === 200;
    await waitFor(async () => ((await provable(asO, events.T1)) && (await provable(asO2, events.T2)) ? true : undefined), 15_000, 50, "both tenants' events in a signed checkpoint");
    const sizes = (await db.query<{ tree_size: string }>('SELECT tree_size FROM audit.checkpoints WHERE tree_size >= 1 ORDER BY tree_size DESC LIMIT 2')).rows.map((r) => Number(r.tree_size));
    const checkpoints = { from: sizes[sizes.length - 1], to: sizes[0] };

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
      sites: { A, B, T2: L2 },
      places,
      TA,
      TB,
      X2,
      keyT1: keyT1.keyId,
      keyT2: keyT2.keyId,
      shifts: { A: SA, B: SB, T2: S2 },
      checklists: { T1: clT1, T2: clT2 },
      cleaner: cleaner.userId,
      cleanerEmail: cleaner.email,
      recorders: { T1: recorderT1, T2: recorderT2 },
      taskId: T1List.tasks[0].taskId,
      record: stableRecord,
      freshRecord: makeRecord,
      secrets: { K: K.secret, KM: KM.secret },
      forgedToken: flipSignatureByte(o1.token),
      success,
      slot,
      invite: async () => ok<{ userId: string; activationToken: string }>(await call('POST', '/v1/users', { headers: asO, body: { email: freshEmail('invite'), name: 'Invited' } }), 201),
      login: (email, tenantId = o1.tenantId) => login(email, tenantId),
      freshUser: (reach) => target(asO, reach),
      freshKey: async () => (await createKey(asO, [{ module: 'records', access: 'read', locations: ['A'] }])).keyId,
      freshArea: (locationId) => area(asO, locationId),
      freshShift: (locationId, assigned) => shift(asO, locationId, clT1, assigned ? [cleaner.userId] : []),
      freshChecklist: () => checklist(asO),
      incidents: { T1: incidentT1, T2: incidentT2 },
      freshIncident: () => incident(asO),
      streams,
      events,
      checkpoints,
      blockedIp,
      webhooks: { T1: webhookT1, T2: webhookT2 },
      freshWebhook: () => webhook(asO),
    };
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await scheduling?.close();
    await records?.close();
    await audit?.close();
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

  /**
   * The object a case addresses: stable ones unless the call is expected to change it, then a
   * throwaway one at the same place (a fresh user reaching there, a fresh key, a fresh area of
   * the location, a fresh shift at it, a fresh checklist, a fresh record there in the same status,
   * a fresh incident, a fresh webhook). Streams and events are only read.
   */
  async function objectFor(object: NonNullable<RouteShape['object']>, target: TargetId, mutates: boolean): Promise<ObjectRef> {
    const where = target === 'other tenant' ? 'T2' : target === 'outside' ? 'B' : 'A';
    switch (object.kind) {
      case 'user':
        if (target === 'other tenant') return { id: world.X2 };
        if (!isLocated(target)) throw new Error(`no ${target} user target`);
        if (mutates) return { id: await world.freshUser(TARGET_REACH[target]) };
        return { id: target === 'inside' ? world.TA : world.TB };
      case 'apiKey':
        if (target === 'other tenant') return { id: world.keyT2 };
        return { id: mutates ? await world.freshKey() : world.keyT1 };
      case 'location': {
        const { locationId, ...parts } = world.sites[where];
        return { id: locationId, params: mutates && where !== 'T2' ? await world.freshArea(locationId) : parts };
      }
      case 'shift':
        if (mutates && where !== 'T2') return { id: await world.freshShift(world.sites[where].locationId, object.assigned ?? false) };
        return { id: world.shifts[where] };
      case 'checklist':
        if (target === 'other tenant') return { id: world.checklists.T2 };
        return { id: mutates ? await world.freshChecklist() : world.checklists.T1 };
      case 'record':
        return { id: await (mutates && where !== 'T2' ? world.freshRecord : world.record)(where, object.status ?? 'in_progress') };
      case 'incident':
        if (target === 'other tenant') return { id: world.incidents.T2 };
        return { id: mutates ? await world.freshIncident() : world.incidents.T1 };
      case 'stream':
        return { id: world.streams[target === 'other tenant' ? 'T2' : 'T1'] };
      case 'event':
        return { id: world.events[target === 'other tenant' ? 'T2' : 'T1'] };
      case 'webhook':
        if (target === 'other tenant') return { id: world.webhooks.T2 };
        return { id: mutates ? await world.freshWebhook() : world.webhooks.T1 };
      default: {
        const unknown: never = object.kind;
        throw new Error(`no targets for ${String(unknown)}`);
      }
    }
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
      const object = shape.object && target ? await objectFor(shape.object, target, passes && route.method !== 'GET') : undefined;
      const path = route.path.replace(/:(\w+)/g, (_m, p: string) => {
        if (shape.object?.in === 'path' && p === paramOf(shape.object.kind)) return encodeURIComponent((object as ObjectRef).id);
        return object?.params?.[p] ?? PATH_PARAMS[p](world);
      });
      const body = shape.body ? await shape.body({ objectId: object?.id, world }) : undefined;
      const query = shape.query ? `?${new URLSearchParams(shape.query({ objectId: object?.id, world })).toString()}` : '';

      const res = await call(route.method, `${path}${query}`, { headers: headersOf(caller), ...(body !== undefined ? { body } : {}) });

      expect(res.status).toBeLessThan(500);
      const want = passes ? success : expectation.status;
      expect({ status: res.status, code: res.status >= 400 ? res.body?.error?.code : undefined, why: expectation.why }).toEqual({
        status: want,
        code: passes ? undefined : expectation.code,
        why: expectation.why,
      });
      if (res.status >= 400) expectErrorShape(res);
      const idField = shape.object && shape.object.in !== 'body' ? OBJECT_KINDS[shape.object.kind].idField : undefined;
      if (passes && idField && res.body && typeof res.body === 'object' && idField in res.body) expect(res.body[idField]).toBe(object?.id);
    });
  });

  describe('location scope of listings', () => {
    const scoped = CALLERS.filter((c) => c.level && c.kind !== 'disabled');
    const covers = (caller: CallerDef, reach: LocationScope) => scopeCovers(world.places(caller.scope ?? []), reach);

    it.each(scoped.map((c) => [c.label, c] as const))('GET /v1/users as %s lists only users inside its locations', async (_label, caller) => {
      const res = await call('GET', '/v1/users?limit=200', { headers: headersOf(caller) });
      expect(res.status).toBe(200);
      const items = res.body.items as Array<{ userId: string; grants: Array<{ locations: LocationScope }> }>;
      const ids = items.map((u) => u.userId);
      expect(ids).not.toContain(world.X2);
      expect(ids.includes(world.TA)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.inside));
      expect(ids.includes(world.TB)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.outside));
      for (const u of items) expect([u.userId, covers(caller, reachOf(u.grants))]).toEqual([u.userId, true]);
    });

    it.each(scoped.map((c) => [c.label, c] as const))('GET /v1/locations as %s lists only its scheduling locations', async (_label, caller) => {
      const res = await call('GET', '/v1/locations?limit=200', { headers: headersOf(caller) });
      expect(res.status).toBe(200);
      const ids = (res.body.items as Array<{ locationId: string }>).map((l) => l.locationId);
      expect(ids).not.toContain(world.sites.T2.locationId);
      expect(ids.includes(world.sites.A.locationId)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.inside));
      expect(ids.includes(world.sites.B.locationId)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.outside));
      for (const id of ids) expect([id, covers(caller, [id])]).toEqual([id, true]);
    });

    it.each(scoped.map((c) => [c.label, c] as const))('GET /v1/shifts as %s lists only shifts at its scheduling locations', async (_label, caller) => {
      const res = await call('GET', '/v1/shifts?limit=200', { headers: headersOf(caller) });
      expect(res.status).toBe(200);
      const items = res.body.items as Array<{ shiftId: string; locationId: string }>;
      const ids = items.map((s) => s.shiftId);
      expect(res.body.nextCursor).toBeNull();
      expect(ids).not.toContain(world.shifts.T2);
      expect(ids.includes(world.shifts.A)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.inside));
      expect(ids.includes(world.shifts.B)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.outside));
      for (const s of items) expect([s.shiftId, covers(caller, [s.locationId])]).toEqual([s.shiftId, true]);
    });

    it.each(scoped.flatMap((c) => (['inside', 'outside'] as const).map((t) => [c.label, t, c] as const)))('GET /v1/shifts?locationId= as %s, %s its locations', async (_label, where, caller) => {
      const locationId = world.sites[where === 'inside' ? 'A' : 'B'].locationId;
      const res = await call('GET', `/v1/shifts?locationId=${locationId}&limit=200`, { headers: headersOf(caller) });
      if (scopeCovers(caller.scope ?? [], TARGET_REACH[where])) {
        expect(res.status).toBe(200);
        const items = res.body.items as Array<{ shiftId: string; locationId: string }>;
        expect(items.map((s) => s.locationId).filter((l) => l !== locationId)).toEqual([]);
        expect(items.map((s) => s.shiftId)).toContain(world.shifts[where === 'inside' ? 'A' : 'B']);
      } else {
        expect([res.status, res.body?.error?.code]).toEqual([404, 'location_not_found']);
        expectErrorShape(res);
      }
    });

    it.each(scoped.map((c) => [c.label, c] as const))('GET /v1/records as %s lists only records at its records locations', async (_label, caller) => {
      const [atA, atB, atT2] = await Promise.all([world.record('A', 'in_progress'), world.record('B', 'in_progress'), world.record('T2', 'in_progress')]);
      const res = await call('GET', '/v1/records?limit=200', { headers: headersOf(caller) });
      expect(res.status).toBe(200);
      const items = res.body.items as Array<{ recordId: string; locationId: string }>;
      const ids = items.map((r) => r.recordId);
      expect(res.body.nextCursor).toBeNull();
      expect(ids).not.toContain(atT2);
      expect(ids.includes(atA)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.inside));
      expect(ids.includes(atB)).toBe(scopeCovers(caller.scope ?? [], TARGET_REACH.outside));
      for (const r of items) expect([r.recordId, covers(caller, [r.locationId])]).toEqual([r.recordId, true]);
    });

    it.each(scoped.flatMap((c) => (['inside', 'outside', 'other tenant'] as const).map((t) => [c.label, t, c] as const)))('GET /v1/records?locationId= as %s, %s its locations', async (_label, where, caller) => {
      const place = where === 'other tenant' ? 'T2' : where === 'inside' ? 'A' : 'B';
      const [locationId, recordId] = [world.sites[place].locationId, await world.record(place, 'in_progress')];
      const res = await call('GET', `/v1/records?locationId=${locationId}&limit=200`, { headers: headersOf(caller) });
      if (isLocated(where) && scopeCovers(caller.scope ?? [], TARGET_REACH[where])) {
        expect(res.status).toBe(200);
        const items = res.body.items as Array<{ recordId: string; locationId: string }>;
        expect(items.map((r) => r.locationId).filter((l) => l !== locationId)).toEqual([]);
        expect(items.map((r) => r.recordId)).toContain(recordId);
      } else {
        expect([res.status, res.body?.error?.code]).toEqual([404, 'location_not_found']);
        expectErrorShape(res);
      }
    });

    // Identity accepts any string as a location in a grant; scheduling matches only location ids.
    it('a scheduling grant naming places that are not location ids lists nothing (never a 5xx)', async () => {
      const email = freshEmail('odd-grant');
      const userId = ok<{ userId: string }>(await call('POST', '/v1/users', { headers: bearer(world.owner.token), body: { email, name: 'Odd Grant', password: PASSWORD } }), 201).userId;
      ok(await call('PUT', `/v1/users/${userId}/grants/scheduling`, { headers: bearer(world.owner.token), body: { access: 'read', locations: ['loc-A', world.sites.A.locationId] } }));
      const asOdd = bearer((await world.login(email)).accessToken);
      const locations = await call('GET', '/v1/locations?limit=200', { headers: asOdd });
      const shifts = await call('GET', '/v1/shifts?limit=200', { headers: asOdd });
      expect([locations.status, locations.body?.error?.code, shifts.status, shifts.body?.error?.code]).toEqual([200, undefined, 200, undefined]);
      expect((locations.body.items as Array<{ locationId: string }>).map((l) => l.locationId)).toEqual([world.sites.A.locationId]);
    });

    it('GET /v1/me/shifts lists the shifts the caller cleans, whatever its scheduling grant (it holds none)', async () => {
      const mine = world.shifts.B;
      const res = await call('GET', '/v1/me/shifts?limit=200', { headers: bearer((await world.login(world.cleanerEmail)).accessToken) });
      expect(res.status).toBe(200);
      const ids = (res.body.items as Array<{ shiftId: string; cleanerIds: string[] }>).map((s) => s.shiftId);
      expect(ids).toContain(mine);
      expect(ids).not.toContain(world.shifts.A);
      for (const s of res.body.items as Array<{ cleanerIds: string[] }>) expect(s.cleanerIds).toContain(world.cleaner);
    });
  });

  /**
   * The other side of SERVICE_RULES: the matrix's callers are never a shift's cleaner nor a
   * record's, so what only the cleaner may do (and what the cleaner may not) is checked here.
   */
  describe("record rules: the cleaner's side", () => {
    const asCleaner = () => bearer(world.recorders.T1.token);
    const view = async (recordId: string) => ok<{ shiftId: string; cleanerId: string; status: RecordStatus; flags: Array<{ code: string }> }>(await call('GET', `/v1/records/${recordId}`, { headers: bearer(world.owner.token) }));

    it('the assigned cleaner starts a record once (a manual clock-in before the shift is flagged, not refused); a second clock-in → 409 already_clocked_in', async () => {
      const recordId = await world.freshRecord('A', 'in_progress');
      const record = await view(recordId);
      expect(record).toMatchObject({ cleanerId: world.recorders.T1.userId, status: 'in_progress' });
      expect(record.flags.map((f) => f.code).sort()).toEqual(['no_location_evidence', 'outside_shift_window']);
      const again = await call('POST', '/v1/records', { headers: asCleaner(), body: { shiftId: record.shiftId, clockIn: manualClock() } });
      expect([again.status, again.body?.error?.code]).toEqual([409, 'already_clocked_in']);
      expectErrorShape(again);
    });

    it("the record's cleaner completes tasks and clocks out, but never inspects its own record (403 cannot_inspect_own_record)", async () => {
      const recordId = await world.freshRecord('A', 'in_progress');
      ok(await call('POST', `/v1/records/${recordId}/tasks`, { headers: asCleaner(), body: { taskId: world.taskId, areaId: world.sites.A.areaId, completedAt: now() } }));
      expect(ok(await call('POST', `/v1/records/${recordId}/clock-out`, { headers: asCleaner(), body: manualClock() })).status).toBe('clocked_out');
      const own = await call('POST', `/v1/records/${recordId}/inspection`, { headers: asCleaner(), body: { score: 100, method: { name: 'APPA', version: '3' }, items: [] } });
      expect([own.status, own.body?.error?.code]).toEqual([403, 'cannot_inspect_own_record']);
      expectErrorShape(own);
    });

    it('a record still in progress is not signed off (422 not_clocked_out), even by records:manage', async () => {
      const res = await call('POST', `/v1/records/${await world.record('A', 'in_progress')}/sign-off`, { headers: bearer(world.users.M.token) });
      expect([res.status, res.body?.error?.code]).toEqual([422, 'not_clocked_out']);
      expectErrorShape(res);
      expect((await view(await world.record('A', 'in_progress'))).status).toBe('in_progress');
    });

    it('before sealing, records:write corrects a record it does not clean; after sealing it needs records:manage', async () => {
      const correction = { target: { version: 1, field: 'clockIn.at' }, value: new Date(Date.now() - 60_000).toISOString(), reason: 'The tablet clock was a minute fast' };
      const open = await world.freshRecord('A', 'clocked_out');
      ok(await call('POST', `/v1/records/${open}/corrections`, { headers: bearer(world.users.W.token), body: correction }));
      const sealed = await call('POST', `/v1/records/${await world.record('A', 'sealed')}/corrections`, { headers: bearer(world.users.W.token), body: correction });
      expect([sealed.status, sealed.body?.error?.code]).toEqual([403, 'sealed_record_needs_manage']);
    });

    it('the compliance report of an absent location → 404 location_not_found, even with records:read on all locations', async () => {
      const res = await call('GET', `/v1/reports/compliance?locationId=${randomUUID()}&from=${encodeURIComponent(now())}&to=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`, { headers: bearer(world.users.MA.token) });
      expect([res.status, res.body?.error?.code]).toEqual([404, 'location_not_found']);
      expectErrorShape(res);
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
      const res = await call('PUT', `/v1/users/${world.TA}/grants/nope`, { headers: asOwner(), body: grantBody(world) });
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

    it('a manager cannot grant more than it holds (manage@A granting at all locations) → 403', async () => {
      const target = await world.freshUser(['A']);
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
