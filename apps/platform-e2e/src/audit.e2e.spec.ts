import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PostgresEventStore } from '@custodian/event-store';
import { createPool } from '@custodian/platform';
import { verifyConsistencyDocument, verifyInclusionDocument } from '@custodian/audit/domain';
import { parseMasterKey } from '@custodian/crypto';
import { tenantStreamId } from '@custodian/identity/contracts';
import { testDatabaseUrl, testMasterKey, waitFor } from '@custodian/testing';
import { http, startAudit, startGateway, startIdentity, uniqueName, type RunningAudit, type RunningGateway, type RunningIdentity } from './platform.harness';

type Res = Awaited<ReturnType<typeof http>>;

/**
 * The audit context end to end: the activity log (and its durability while audit is down), the
 * ledger (checkpoints, proofs checked with only the public key, a tampered row named), history
 * replay, the security monitor acting on a brute-force run and on a key used from a blocked
 * address, and incidents with a breach deadline.
 */
describe('audit', () => {
  let identity: RunningIdentity;
  let audit: RunningAudit;
  let gw: RunningGateway;
  let db: Client;
  let masterKey: Buffer;
  let auditPort: number;
  const password = 'correct horse battery';
  const spoolDir = mkdtempSync(join(tmpdir(), 'custodian-e2e-spool-'));
  const rules = { failedLoginsPerIp: { threshold: 10, windowSeconds: 300, blockSeconds: 3_600 }, failedLoginsPerAccount: { threshold: 8, windowSeconds: 3_600 }, deniedBurst: { threshold: 12, windowSeconds: 60 } };

  beforeAll(async () => {
    masterKey = parseMasterKey(testMasterKey());
    identity = await startIdentity(masterKey);
    audit = await startAudit(masterKey, identity.port, { rules });
    auditPort = audit.port;
    // The gateway believes X-Forwarded-For from 127.0.0.1 (the tests act as the ingress proxy).
    gw = await startGateway(identity.port, undefined, ['127.0.0.1'], { auditPort, spoolDir });
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await gw?.close();
    await audit?.close();
    await identity?.close();
    await db?.end();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const email = (who: string) => `${who}-${randomBytes(4).toString('hex')}@example.com`;
  function ok(res: Res, status = 200) {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }
  function expectError(res: Res, status: number, code: string) {
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  }
  const testIp = () => `198.51.100.${1 + Math.floor(Math.random() * 250)}`;

  async function tenant() {
    const ownerEmail = email('owner');
    const t = ok(await http('POST', `${gw.url}/v1/tenants`, { headers: bearer(gw.bootstrapToken), body: { name: uniqueName(), owner: { email: ownerEmail, name: 'Owner', password } } }), 201);
    const login = (address: string, ip = '192.0.2.10', secret = password) => http('POST', `${gw.url}/v1/auth/login`, { headers: from(ip), body: { tenantId: t.tenantId, email: address, password: secret } });
    const owner = ok(await login(ownerEmail)).accessToken as string;
    const person = async (grants: Record<string, { access: string; locations: 'all' | string[] }>) => {
      const address = email('person');
      const userId = ok(await http('POST', `${gw.url}/v1/users`, { headers: bearer(owner), body: { email: address, name: 'Person', password } }), 201).userId as string;
      for (const [module, g] of Object.entries(grants)) ok(await http('PUT', `${gw.url}/v1/users/${userId}/grants/${module}`, { headers: bearer(owner), body: g }));
      return { userId, email: address, token: ok(await login(address)).accessToken as string };
    };
    return { tenantId: t.tenantId as string, ownerId: t.ownerId as string, ownerEmail, owner, login, person };
  }

  /** Activity of the tenant matching the query, once the gateway's spool has delivered it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function activityWhere(token: string, query: string, predicate: (items: any[]) => boolean): Promise<any[]> {
    return waitFor(async () => {
      const page = ok(await http('GET', `${gw.url}/v1/audit/activity?${query}`, { headers: bearer(token) }));
      return predicate(page.items) ? page.items : undefined;
    }, 10_000, 50, `activity matching ${query}`);
  }

  describe('activity log', () => {
    it('records allowed and denied requests, failed logins included, with who, what, from where', async () => {
      const t = await tenant();
      const ip = testIp();
      expectError(await t.login(t.ownerEmail, ip, 'wrong password'), 401, 'invalid_credentials');
      ok(await http('GET', `${gw.url}/v1/users/${t.ownerId}`, { headers: { ...bearer(t.owner), ...from(ip), 'user-agent': 'audit-e2e/1' } }));
      const reader = await t.person({ records: { access: 'read', locations: 'all' } });
      expectError(await http('GET', `${gw.url}/v1/users`, { headers: { ...bearer(reader.token), ...from(ip) } }), 403, 'insufficient_access');

      const items = await activityWhere(t.owner, `ip=${ip}`, (xs) => xs.length >= 3);
      const failedLogin = items.find((a) => a.action === 'POST /v1/auth/login');
      expect(failedLogin).toMatchObject({ status: 401, result: 'denied', errorCode: 'invalid_credentials', actor: { kind: 'anonymous' }, ip, operation: 'LoginHttpController.login' });
      expect(items.find((a) => a.action === 'GET /v1/users/:id')).toMatchObject({ status: 200, result: 'ok', actor: { kind: 'user', userId: t.ownerId }, targetIds: { id: t.ownerId }, userAgent: 'audit-e2e/1', gateway: 'e2e-gateway' });
      expect(items.find((a) => a.action === 'GET /v1/users')).toMatchObject({ status: 403, result: 'denied', errorCode: 'insufficient_access', actor: { kind: 'user', userId: reader.userId } });
      for (const a of items) expect(typeof a.requestId).toBe('string');

      // Filters combine; only this tenant's requests are visible; result filter; a bad filter is a 400.
      const denied = ok(await http('GET', `${gw.url}/v1/audit/activity?ip=${ip}&result=denied&userId=${reader.userId}`, { headers: bearer(t.owner) })).items;
      expect(denied.map((a: { action: string }) => a.action)).toEqual(['GET /v1/users']);
      const other = await tenant();
      expect(ok(await http('GET', `${gw.url}/v1/audit/activity?ip=${ip}`, { headers: bearer(other.owner) })).items).toEqual([]);
      expectError(await http('GET', `${gw.url}/v1/audit/activity?result=maybe`, { headers: bearer(t.owner) }), 400, 'validation_failed');
      expectError(await http('GET', `${gw.url}/v1/audit/activity`, { headers: bearer(reader.token) }), 403, 'insufficient_access');
    });

    it('pages with a cursor and exports every match as CSV and NDJSON', async () => {
      const t = await tenant();
      const ip = testIp();
      for (let i = 0; i < 5; i++) ok(await http('GET', `${gw.url}/v1/me`, { headers: { ...bearer(t.owner), ...from(ip) } }));
      await activityWhere(t.owner, `ip=${ip}`, (xs) => xs.length === 5);
      const first = ok(await http('GET', `${gw.url}/v1/audit/activity?ip=${ip}&limit=2`, { headers: bearer(t.owner) }));
      const second = ok(await http('GET', `${gw.url}/v1/audit/activity?ip=${ip}&limit=2&cursor=${first.nextCursor}`, { headers: bearer(t.owner) }));
      expect(first.items).toHaveLength(2);
      expect(second.items).toHaveLength(2);
      expect(new Set([...first.items, ...second.items].map((a: { activityId: string }) => a.activityId)).size).toBe(4);

      const csv = await fetch(`${gw.url}/v1/audit/activity?ip=${ip}`, { headers: { ...bearer(t.owner), accept: 'text/csv' }, signal: AbortSignal.timeout(10_000) });
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe('at,activityId,requestId,actorKind,userId,keyId,action,operation,targetIds,status,result,errorCode,ip,userAgent,durationMs,gateway');
      expect(lines.slice(1)).toHaveLength(5);
      expect(lines[1]).toContain(`"GET /v1/me"`);
      const nd = await fetch(`${gw.url}/v1/audit/activity?ip=${ip}&format=ndjson`, { headers: bearer(t.owner), signal: AbortSignal.timeout(10_000) });
      const rows = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l));
      expect(rows).toHaveLength(5);
      expect(rows.every((r: { ip: string; action: string }) => r.ip === ip && r.action === 'GET /v1/me')).toBe(true);
    });

    it('keeps serving while audit is down and delivers the spooled activity when it is back', async () => {
      const t = await tenant();
      const ip = testIp();
      await audit.close();
      try {
        for (let i = 0; i < 4; i++) ok(await http('GET', `${gw.url}/v1/me`, { headers: { ...bearer(t.owner), ...from(ip) } }));
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        audit = await startAudit(masterKey, identity.port, { port: auditPort, rules });
      }
      const items = await activityWhere(t.owner, `ip=${ip}`, (xs) => xs.length >= 4);
      expect(items).toHaveLength(4);
      expect(new Set(items.map((a: { requestId: string }) => a.requestId)).size).toBe(4);
    });
  });

  describe('ledger', () => {
    it('proves an event is in a signed checkpoint and that checkpoints extend each other, with only the public key', async () => {
      const t = await tenant();
      const key = ok(await http('GET', `${gw.url}/v1/audit/public-key`));
      expect(key).toMatchObject({ algorithm: 'Ed25519', origin: 'custodian-e2e' });
      const replay = async () => ok(await http('GET', `${gw.url}/v1/audit/streams/${encodeURIComponent(tenantStreamId(t.tenantId))}`, { headers: bearer(t.owner) }));
      const stream = await waitFor(async () => {
        const r = await replay();
        return r.events.every((e: { inclusion: unknown }) => e.inclusion !== null) ? r : undefined;
      }, 10_000, 50, 'the tenant stream to be in a checkpoint');
      expect(stream.chain).toEqual({ ok: true });
      const eventId = stream.events[0].eventId as string;

      const proof = ok(await http('GET', `${gw.url}/v1/audit/proofs/inclusion?eventId=${eventId}`, { headers: bearer(t.owner) }));
      expect(proof).toMatchObject({ kind: 'custodian.inclusion-proof/v1', eventId, eventHash: stream.events[0].hash });
      expect(verifyInclusionDocument(proof, key.publicKeyPem)).toEqual({ ok: true });
      // The operator CLI, as an auditor runs it, on the documents exactly as the API served them.
      const dir = mkdtempSync(join(tmpdir(), 'custodian-ledger-'));
      writeFileSync(join(dir, 'ledger.pub.pem'), key.publicKeyPem);
      writeFileSync(join(dir, 'proof.json'), JSON.stringify(proof));
      writeFileSync(join(dir, 'truncated.json'), JSON.stringify({ ...proof, auditPath: proof.auditPath.slice(1) }));
      writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(proof.checkpoint));
      const cli = (...args: string[]) => spawnSync(process.execPath, [join(__dirname, '../../../tools/custodian-cli.cjs'), 'verify', ...args, '--public-key', join(dir, 'ledger.pub.pem')], { encoding: 'utf8', timeout: 60_000 });
      expect(cli('inclusion', join(dir, 'proof.json')).status).toBe(0);
      expect(cli('checkpoint', join(dir, 'checkpoint.json')).status).toBe(0);
      expect(cli('inclusion', join(dir, 'truncated.json')).status).toBe(1);
      // A truncated proof and another tenant's view are refused.
      expect(verifyInclusionDocument({ ...proof, auditPath: proof.auditPath.slice(1) }, key.publicKeyPem).ok).toBe(false);
      const other = await tenant();
      expectError(await http('GET', `${gw.url}/v1/audit/proofs/inclusion?eventId=${eventId}`, { headers: bearer(other.owner) }), 404, 'event_not_found');

      // Append more, wait for a later checkpoint, prove consistency between the two.
      ok(await http('POST', `${gw.url}/v1/users`, { headers: bearer(t.owner), body: { email: email('later'), name: 'Later' } }), 201);
      const later = await waitFor(async () => {
        const cp = ok(await http('GET', `${gw.url}/v1/audit/checkpoints/latest`, { headers: bearer(t.owner) }));
        return cp.treeSize > proof.treeSize ? cp : undefined;
      }, 10_000, 50, 'a later checkpoint');
      const stored = await waitFor(async () => {
        const res = await http('GET', `${gw.url}/v1/audit/checkpoints/${later.treeSize}`, { headers: bearer(t.owner) });
        return res.status === 200 ? res.body : undefined;
      }, 5_000, 50, 'the later checkpoint to be stored');
      const consistency = ok(await http('GET', `${gw.url}/v1/audit/proofs/consistency?from=${proof.treeSize}&to=${stored.treeSize}`, { headers: bearer(t.owner) }));
      expect(verifyConsistencyDocument(consistency, key.publicKeyPem)).toEqual({ ok: true });
      expectError(await http('GET', `${gw.url}/v1/audit/proofs/consistency?from=${stored.treeSize}&to=${proof.treeSize}`, { headers: bearer(t.owner) }), 400, 'invalid_range');
      expectError(await http('GET', `${gw.url}/v1/audit/checkpoints/999999999`, { headers: bearer(t.owner) }), 404, 'checkpoint_not_found');
    });

    it('replays a stream as of an instant', async () => {
      const t = await tenant();
      const user = await t.person({ records: { access: 'read', locations: 'all' } });
      const before = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      ok(await http('PUT', `${gw.url}/v1/users/${user.userId}/grants/scheduling`, { headers: bearer(t.owner), body: { access: 'read', locations: 'all' } }));
      const streamId = encodeURIComponent(`identity-user-${user.userId}`);
      const now = ok(await http('GET', `${gw.url}/v1/audit/streams/${streamId}`, { headers: bearer(t.owner) }));
      const then = ok(await http('GET', `${gw.url}/v1/audit/streams/${streamId}?asOf=${before}`, { headers: bearer(t.owner) }));
      expect(now.events.length).toBe(then.events.length + 1);
      expect(now.events[now.events.length - 1].type).toBe('identity.ModuleAccessGranted');
      expect(then.asOf).toBe(before);
      const other = await tenant();
      expectError(await http('GET', `${gw.url}/v1/audit/streams/${streamId}`, { headers: bearer(other.owner) }), 404, 'stream_not_found');
    });

    it('names an event row altered behind the store by a superuser', async () => {
      const t = await tenant();
      const user = await t.person({ records: { access: 'read', locations: 'all' } });
      const streamId = `identity-user-${user.userId}`;
      const head = (await db.query('SELECT max(global_position)::bigint AS p FROM event_store.events')).rows[0].p as string;
      await audit.service.ledger.sequencedUpTo(Number(head));
      const row = (await db.query('SELECT event_id FROM event_store.events WHERE stream_id = $1 AND version = 1', [streamId])).rows[0];
      const su = new Client({ connectionString: testDatabaseUrl() });
      await su.connect();
      try {
        await su.query('SET session_replication_role = replica');
        await su.query(`UPDATE event_store.events SET data = jsonb_set(data, '{name}', '"Someone Else"') WHERE stream_id = $1 AND version = 1`, [streamId]);
      } finally {
        await su.end();
      }
      const sweep = ok(await http('POST', `${gw.url}/v1/operator/ledger/verify`, { headers: bearer(gw.bootstrapToken) }));
      expect(sweep.ok).toBe(false);
      expect(sweep.discrepancies).toContainEqual(expect.objectContaining({ eventId: row.event_id, streamId, version: 1, problem: 'altered' }));
      expect(sweep.checkpointRootMatches).toBe(true);
      expectError(await http('POST', `${gw.url}/v1/operator/ledger/verify`, { headers: bearer(t.owner) }), 401, 'invalid_bootstrap_token');
    });
  });

  describe('security monitor', () => {
    it('blocks an address after 10 failed logins through a trusted proxy, at the gateway, with an incident and its timeline', async () => {
      const t = await tenant();
      const attacker = '203.0.113.77';
      for (let i = 0; i < 10; i++) expectError(await t.login(email('guess'), attacker, 'not the password'), 401, 'invalid_credentials');
      await waitFor(async () => ((await t.login(t.ownerEmail, attacker)).status === 403 ? true : undefined), 10_000, 50, 'the attacker to be blocked');
      expectError(await t.login(t.ownerEmail, attacker), 403, 'ip_blocked');
      expectError(await http('GET', `${gw.url}/v1/me`, { headers: { ...bearer(t.owner), ...from(attacker) } }), 403, 'ip_blocked');
      // The right password from another address still works: the block is the address's.
      ok(await t.login(t.ownerEmail, '192.0.2.55'));

      const blocked = ok(await http('GET', `${gw.url}/v1/security/blocked-ips`, { headers: bearer(t.owner) })).items;
      expect(blocked).toEqual([expect.objectContaining({ ip: attacker, blockedBy: { kind: 'rule', id: 'failed-logins-per-ip' } })]);
      const incidents = ok(await http('GET', `${gw.url}/v1/incidents`, { headers: bearer(t.owner) })).items;
      expect(incidents).toHaveLength(1);
      const incident = ok(await http('GET', `${gw.url}/v1/incidents/${incidents[0].incidentId}`, { headers: bearer(t.owner) }));
      expect(incident).toMatchObject({ kind: 'security', severity: 'high', status: 'open', openedBy: { kind: 'rule', id: 'failed-logins-per-ip' }, title: `Brute-force login attempts from ${attacker}` });
      expect(incident.timeline.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'detected', 'action']);
      expect(incident.timeline[1].text).toMatch(/^1\d? failed logins from 203\.0\.113\.77/);
      expect(incident.timeline[2]).toMatchObject({ by: { kind: 'rule', id: 'failed-logins-per-ip' } });
      expect(incident.timeline[2].text).toContain(`Address ${attacker} blocked until`);
    });

    it('does not act on a burst that is history (events older than the window, as on a first start)', async () => {
      const t = await tenant();
      const attacker = '203.0.113.88';
      const pool = createPool({ connectionString: testDatabaseUrl(), max: 1 });
      const store = new PostgresEventStore(pool);
      const longAgo = (i: number) => new Date(Date.now() - 3_600_000 + i * 1000).toISOString();
      const events = Array.from({ length: 12 }, (_, i) => ({
        eventId: randomUUID(),
        type: 'identity.UnknownAccountLoginFailed',
        schemaVersion: 1,
        tenantId: t.tenantId,
        data: { tenantId: t.tenantId, emailIndex: 'ab'.repeat(32), at: longAgo(i), ip: attacker, userAgent: null },
        metadata: { actorId: 'anonymous', correlationId: randomUUID() },
      }));
      const appended = await store.append(`identity-logins-unknown-${t.tenantId}-history`, events, 'no_stream').finally(() => pool.end());
      // A fresh burst right after, from another address, is acted on: the monitor has read past the old one.
      const fresh = '203.0.113.89';
      for (let i = 0; i < 10; i++) expectError(await t.login(email('guess'), fresh, 'nope'), 401, 'invalid_credentials');
      await waitFor(async () => ((await t.login(t.ownerEmail, fresh)).status === 403 ? true : undefined), 10_000, 50, 'the fresh attacker to be blocked');
      expect(appended.lastGlobalPosition).toBeGreaterThan(0);
      ok(await t.login(t.ownerEmail, attacker));
      const blocked = ok(await http('GET', `${gw.url}/v1/security/blocked-ips`, { headers: bearer(t.owner) })).items.map((b: { ip: string }) => b.ip);
      expect(blocked).toEqual([fresh]);
    });

    it('an admin block and unblock reach the gateway within a second', async () => {
      const t = await tenant();
      const ip = testIp();
      ok(await http('GET', `${gw.url}/v1/me`, { headers: { ...bearer(t.owner), ...from(ip) } }));
      ok(await http('POST', `${gw.url}/v1/security/blocked-ips`, { headers: { ...bearer(t.owner), ...from('192.0.2.1') }, body: { ip, reason: 'suspicious' } }), 201);
      const blockedAt = Date.now();
      await waitFor(async () => ((await http('GET', `${gw.url}/v1/me`, { headers: { ...bearer(t.owner), ...from(ip) } })).status === 403 ? true : undefined), 1_000, 10, 'the block to bite');
      expect(Date.now() - blockedAt).toBeLessThan(1_000);
      ok(await http('DELETE', `${gw.url}/v1/security/blocked-ips/${ip}`, { headers: { ...bearer(t.owner), ...from('192.0.2.1') } }));
      await waitFor(async () => ((await http('GET', `${gw.url}/v1/me`, { headers: { ...bearer(t.owner), ...from(ip) } })).status === 200 ? true : undefined), 1_000, 10, 'the unblock to bite');
      expectError(await http('POST', `${gw.url}/v1/security/blocked-ips`, { headers: bearer(t.owner), body: { ip: 'not-an-ip', reason: 'x' } }), 400, 'invalid_ip');
      expectError(await http('POST', `${gw.url}/v1/security/blocked-ips`, { headers: bearer(t.owner), body: { ip, reason: 'x', until: '2001-01-01T00:00:00Z' } }), 400, 'invalid_until');
      // Another tenant is not affected by this tenant's block.
      ok(await http('POST', `${gw.url}/v1/security/blocked-ips`, { headers: bearer(t.owner), body: { ip, reason: 'again' } }), 201);
      const other = await tenant();
      await new Promise((r) => setTimeout(r, 200));
      ok(await http('GET', `${gw.url}/v1/me`, { headers: { ...bearer(other.owner), ...from(ip) } }));
    });

    it('revokes an API key presented from a blocked address and tells the admins', async () => {
      const t = await tenant();
      const key = ok(await http('POST', `${gw.url}/v1/api-keys`, { headers: bearer(t.owner), body: { name: 'payroll', grants: [{ module: 'users', access: 'read', locations: 'all' }] } }), 201);
      const apiKey = { authorization: `ApiKey ${key.secret}` };
      ok(await http('GET', `${gw.url}/v1/users`, { headers: apiKey }));
      const ip = testIp();
      ok(await http('POST', `${gw.url}/v1/security/blocked-ips`, { headers: bearer(t.owner), body: { ip, reason: 'known bad' } }), 201);
      await waitFor(async () => ((await http('GET', `${gw.url}/v1/users`, { headers: { ...apiKey, ...from(ip) } })).status === 403 ? true : undefined), 2_000, 20, 'the block to bite');
      // From anywhere, the key is then dead.
      await waitFor(async () => ((await http('GET', `${gw.url}/v1/users`, { headers: apiKey })).status === 401 ? true : undefined), 10_000, 50, 'the key to be revoked');
      const keys = ok(await http('GET', `${gw.url}/v1/api-keys`, { headers: bearer(t.owner) })).items;
      expect(keys.find((k: { keyId: string }) => k.keyId === key.keyId)).toMatchObject({ status: 'revoked' });
      const notes = await waitFor(async () => {
        const n = ok(await http('GET', `${gw.url}/v1/security/notifications`, { headers: bearer(t.owner) })).items;
        return n.length > 0 ? n : undefined;
      }, 5_000, 50, 'a notification');
      expect(notes[0]).toMatchObject({ kind: 'api_key_revoked', audience: 'account_admins' });
      expect(notes[0].text).toContain(key.keyId);
    });

    it('suspends an account after repeated failed logins (the owner excepted) and notifies its admins', async () => {
      const t = await tenant();
      const victim = await t.person({ records: { access: 'read', locations: 'all' } });
      // From many addresses (no single address reaches the per-address rule).
      for (let i = 0; i < 8; i++) expect((await t.login(victim.email, `192.0.2.${100 + i}`, 'wrong')).status).toBe(401);
      await waitFor(async () => {
        const u = ok(await http('GET', `${gw.url}/v1/users/${victim.userId}`, { headers: bearer(t.owner) }));
        return u.status === 'disabled' ? u : undefined;
      }, 10_000, 50, 'the account to be suspended');
      expectError(await http('GET', `${gw.url}/v1/me`, { headers: bearer(victim.token) }), 401, expect.any(String) as unknown as string);
      const notes = await waitFor(async () => {
        const n = ok(await http('GET', `${gw.url}/v1/security/notifications`, { headers: bearer(t.owner) })).items;
        return n.length > 0 ? n : undefined;
      }, 5_000, 50, 'a notification');
      expect(notes[0]).toMatchObject({ kind: 'account_suspended' });
      const incident = ok(await http('GET', `${gw.url}/v1/incidents/${notes[0].incidentId}`, { headers: bearer(t.owner) }));
      expect(incident.timeline.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'detected', 'action', 'action']);
      expect(incident.timeline[2].text).toContain('suspended');

      // The owner is never suspended: the incident says why.
      for (let i = 0; i < 8; i++) await t.login(t.ownerEmail, `192.0.2.${150 + i}`, 'wrong');
      const ownerNote = await waitFor(async () => {
        const n = ok(await http('GET', `${gw.url}/v1/security/notifications`, { headers: bearer(t.owner) })).items;
        return n.find((x: { text: string }) => x.text.includes(t.ownerId));
      }, 10_000, 50, 'a notification about the owner');
      expect(ownerNote.text).toContain('could not be suspended');
    });

    it('opens an incident on a burst of denied requests', async () => {
      const t = await tenant();
      const reader = await t.person({ records: { access: 'read', locations: 'all' } });
      const ip = testIp();
      for (let i = 0; i < 12; i++) expectError(await http('GET', `${gw.url}/v1/users`, { headers: { ...bearer(reader.token), ...from(ip) } }), 403, 'insufficient_access');
      const found = await waitFor(async () => {
        const items = ok(await http('GET', `${gw.url}/v1/incidents`, { headers: bearer(t.owner) })).items;
        return items.find((i: { title: string }) => i.title === `Burst of denied requests from ${ip}`);
      }, 10_000, 50, 'a denied-burst incident');
      expect(found).toMatchObject({ severity: 'medium', openedBy: { kind: 'rule', id: 'denied-burst' } });
    });
  });

  describe('incidents', () => {
    it('opens a breach with a 24-hour notification deadline, keeps a timeline, and alerts as the deadline approaches', async () => {
      const t = await tenant();
      const detectedAt = new Date(Date.now() - 23.5 * 3_600_000).toISOString();
      const opened = ok(await http('POST', `${gw.url}/v1/incidents`, { headers: bearer(t.owner), body: { kind: 'breach', severity: 'critical', title: 'Keys of site 4 lost', description: 'A badge and keys were lost by a cleaner', detectedAt } }), 201);
      expect(opened).toMatchObject({ kind: 'breach', status: 'open', title: 'Keys of site 4 lost', notificationDeadline: new Date(Date.parse(detectedAt) + 24 * 3_600_000).toISOString(), notified: false });
      const id = opened.incidentId as string;

      expect(await audit.service.sweepDeadlines()).toBeGreaterThanOrEqual(1);
      let view = ok(await http('GET', `${gw.url}/v1/incidents/${id}`, { headers: bearer(t.owner) }));
      expect(view.timeline.filter((e: { kind: string }) => e.kind === 'deadline_alert')).toEqual([expect.objectContaining({ text: expect.stringContaining('1h left') })]);
      await audit.service.sweepDeadlines();
      view = ok(await http('GET', `${gw.url}/v1/incidents/${id}`, { headers: bearer(t.owner) }));
      expect(view.timeline.filter((e: { kind: string }) => e.kind === 'deadline_alert')).toHaveLength(1);

      ok(await http('POST', `${gw.url}/v1/incidents/${id}/entries`, { headers: bearer(t.owner), body: { kind: 'notification_sent', text: 'Client DPO informed by phone' } }));
      ok(await http('PATCH', `${gw.url}/v1/incidents/${id}`, { headers: bearer(t.owner), body: { status: 'investigating', severity: 'high' } }));
      view = ok(await http('GET', `${gw.url}/v1/incidents/${id}`, { headers: bearer(t.owner) }));
      expect(view).toMatchObject({ notified: true, status: 'investigating', severity: 'high' });
      expect(view.timeline.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'deadline_alert', 'notification_sent', 'severity', 'status']);

      const list = await waitFor(async () => {
        const items = ok(await http('GET', `${gw.url}/v1/incidents?kind=breach`, { headers: bearer(t.owner) })).items;
        return items.length === 1 && items[0].status === 'investigating' ? items : undefined;
      }, 5_000, 50, 'the list to show the change');
      expect(list[0]).toMatchObject({ incidentId: id, notified: true });

      expectError(await http('PATCH', `${gw.url}/v1/incidents/${id}`, { headers: bearer(t.owner), body: { status: 'open' } }), 422, 'invalid_transition');
      expectError(await http('POST', `${gw.url}/v1/incidents`, { headers: bearer(t.owner), body: { kind: 'nope', severity: 'high', title: 'x' } }), 400, 'validation_failed');
      const other = await tenant();
      expectError(await http('GET', `${gw.url}/v1/incidents/${id}`, { headers: bearer(other.owner) }), 404, 'incident_not_found');
    });
  });
});
