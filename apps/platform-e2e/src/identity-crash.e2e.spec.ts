import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { testDatabaseUrl, testMasterKey, waitFor } from '@custodian/testing';
import { freePort } from '@custodian/platform';
import { http, startGateway, uniqueName, type RunningGateway } from './platform.harness';

const ROOT = join(__dirname, '../../..');

/**
 * kill -9 of the identity service in the middle of a burst of commands. Clients retry what
 * was not acknowledged with the same Idempotency-Key. Afterwards every command's events are
 * stored exactly once and the read model has caught up.
 */
describe('identity service killed with SIGKILL mid-burst', () => {
  const masterKey = testMasterKey();
  let identityPort: number;
  let gateway: RunningGateway;
  let identity: ChildProcess | undefined;
  let db: Client;

  function startIdentityProcess(): ChildProcess {
    const child = spawn(process.execPath, ['-r', join(ROOT, 'tools/register.cjs'), join(ROOT, 'apps/identity/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), CUSTODIAN_MASTER_KEY: masterKey, IDENTITY_HOST: '127.0.0.1', IDENTITY_PORT: String(identityPort), LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return child;
  }

  // This suite runs no scheduling service: ready here means identity answers through the gateway.
  const ready = () =>
    waitFor(async () => ((await http('GET', `${gateway.url}/health/ready`)).body?.checks?.some((c: { name: string; status: string }) => c.name === 'identity' && c.status === 'up') ? true : undefined), 60_000, 100, 'identity to be ready');

  beforeAll(async () => {
    identityPort = await freePort();
    gateway = await startGateway(identityPort, undefined, [], { waitReady: false });
    identity = startIdentityProcess();
    await ready();
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    identity?.kill('SIGKILL');
    await gateway?.close();
    await db?.end();
  });

  it('stores each acknowledged command once and catches the read model up after restart', async () => {
    const commands = Array.from({ length: 30 }, (_, i) => ({
      key: `crash-${randomBytes(6).toString('hex')}-${i}`,
      body: { name: uniqueName('Crash'), owner: { email: `o${i}-${randomBytes(3).toString('hex')}@example.com`, name: `Owner ${i}`, password: 'correct horse battery' } },
    }));
    const send = (c: (typeof commands)[number]) =>
      http('POST', `${gateway.url}/v1/tenants`, { headers: { authorization: `Bearer ${gateway.bootstrapToken}`, 'idempotency-key': c.key }, body: c.body }).catch((e: unknown) => ({
        status: 0,
        body: String(e),
        headers: new Headers(),
      }));

    // The burst: 5 clients in parallel; the service is killed after the 8th acknowledgement.
    const acknowledged = new Map<string, { tenantId: string; ownerId: string }>();
    let killed = false;
    const queue = [...commands];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const res = await send(c);
          if (res.status === 201) acknowledged.set(c.key, res.body);
          else expect([0, 503]).toContain(res.status); // never a 4xx or 500 for a crash
          if (!killed && acknowledged.size >= 8) {
            killed = true;
            identity?.kill('SIGKILL');
          }
        }
      }),
    );
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeLessThan(commands.length);

    identity = startIdentityProcess();
    await ready();

    // Clients retry everything with the same keys: acknowledged ones answer as before.
    const results = new Map<string, { tenantId: string; ownerId: string }>();
    for (const c of commands) {
      const res = await send(c);
      expect([c.key, res.status]).toEqual([c.key, 201]);
      results.set(c.key, res.body);
      if (acknowledged.has(c.key)) expect(res.body).toEqual(acknowledged.get(c.key));
    }

    // Exactly once: per key 1 name claim + 1 tenant + 1 email claim + 7 user events.
    const keys = commands.map((c) => c.key);
    const perKey = await db.query<{ key: string; n: number; types: string[] }>(
      `SELECT metadata->>'idempotencyKey' AS key, count(*)::int AS n, array_agg(type ORDER BY global_position) AS types
         FROM event_store.events WHERE metadata->>'idempotencyKey' = ANY($1) GROUP BY 1`,
      [keys],
    );
    expect(perKey.rows).toHaveLength(commands.length);
    for (const row of perKey.rows) {
      expect([row.key, row.n]).toEqual([row.key, 10]);
      expect(row.types.filter((t) => t === 'identity.TenantCreated')).toHaveLength(1);
    }

    // The read model catches up with every tenant.
    const tenantIds = [...results.values()].map((r) => r.tenantId);
    const ownerIds = [...results.values()].map((r) => r.ownerId);
    const counts = async () =>
      (
        await db.query<{ tenants: number; owners: number; grants: number }>(
          `SELECT (SELECT count(*)::int FROM identity_rm.tenants WHERE tenant_id = ANY($1)) AS tenants,
                  (SELECT count(*)::int FROM identity_rm.users WHERE user_id = ANY($2)) AS owners,
                  (SELECT count(*)::int FROM identity_rm.grants WHERE user_id = ANY($2)) AS grants`,
          [tenantIds, ownerIds],
        )
      ).rows[0];
    const expected = { tenants: commands.length, owners: commands.length, grants: commands.length * 6 };
    await waitFor(async () => ((await counts()).grants === expected.grants ? true : undefined), 20_000, 100, 'read model to catch up');
    expect(await counts()).toEqual(expected);
  });
});
