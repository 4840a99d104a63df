import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { generateMasterKey, parseMasterKey } from '@custodian/crypto';
import { ConfigError, freePort, loadConfig, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@custodian/platform';
import { persistentSecret } from './data-dir';
import { launcherSchema } from './launcher.config';
import { Supervisor } from './supervisor';

const READY_TIMEOUT_MS = 120_000;
const say = (line: string) => process.stdout.write(`[custodian] ${line}\n`);
const warn = (line: string) => process.stderr.write(`[custodian] WARNING: ${line}\n`);

/**
 * `custodian start`: the whole platform on one machine. Without DATABASE_URL it runs an
 * embedded PostgreSQL under CUSTODIAN_DATA_DIR (reused by the next start); each service (identity,
 * scheduling, records, audit, gateway) runs
 * as its own process and applies its own migrations; prints the URLs and bootstrap token once
 * the gateway is ready. SIGINT/SIGTERM stop the services, then PostgreSQL.
 */
export async function startCommand(env: NodeJS.ProcessEnv): Promise<void> {
  const cfg = loadConfig(launcherSchema, env);
  const dataDir = resolve(cfg.CUSTODIAN_DATA_DIR);
  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = cfg.DATABASE_URL;
  let masterKey = cfg.CUSTODIAN_MASTER_KEY;

  if (!databaseUrl) {
    if (!masterKey) {
      const key = persistentSecret(dataDir, 'master.key', generateMasterKey);
      masterKey = key.value;
      warn(`CUSTODIAN_MASTER_KEY is not set: using ${key.created ? 'a new key generated into' : 'the key kept in'} ${dataDir}/master.key. Back it up: personal data is unreadable without it. Set CUSTODIAN_MASTER_KEY in production.`);
    }
    const password = persistentSecret(dataDir, 'postgres.password', () => randomBytes(24).toString('base64url')).value;
    say(`starting embedded PostgreSQL (data in ${dataDir}/pg)`);
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), password, ownSignals: true });
    databaseUrl = await ensureDatabase(embedded.url, 'custodian');
  } else if (!masterKey) {
    throw new ConfigError([{ variable: 'CUSTODIAN_MASTER_KEY', reason: 'is required when DATABASE_URL is set (base64 of 32 random bytes)' }]);
  }
  try {
    parseMasterKey(masterKey);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const bootstrapToken = cfg.CUSTODIAN_BOOTSTRAP_TOKEN ?? randomBytes(32).toString('base64url');

  let shuttingDown: Promise<void> | undefined;
  const supervisor = new Supervisor(say, (name) => void shutdown(`${name} keeps failing`, 1));
  const shutdown = (why: string, code: number): Promise<void> =>
    (shuttingDown ??= (async () => {
      say(`stopping (${why})`);
      await supervisor.stopAll();
      await embedded?.stop().catch((e: unknown) => warn(`embedded PostgreSQL did not stop cleanly: ${String(e)}`));
      say('stopped');
      process.exit(code);
    })());
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));

  const common = { LOG_LEVEL: cfg.LOG_LEVEL };
  supervisor.start({
    name: 'identity',
    entry: 'apps/identity/src/main.ts',
    env: { ...common, DATABASE_URL: databaseUrl, CUSTODIAN_MASTER_KEY: masterKey, IDENTITY_HOST: '127.0.0.1', IDENTITY_PORT: String(cfg.IDENTITY_PORT) },
  });
  supervisor.start({
    name: 'scheduling',
    entry: 'apps/scheduling/src/main.ts',
    env: { ...common, DATABASE_URL: databaseUrl, CUSTODIAN_MASTER_KEY: masterKey, SCHEDULING_HOST: '127.0.0.1', SCHEDULING_PORT: String(cfg.SCHEDULING_PORT) },
  });
  supervisor.start({
    name: 'records',
    entry: 'apps/records/src/main.ts',
    env: { ...common, DATABASE_URL: databaseUrl, CUSTODIAN_MASTER_KEY: masterKey, RECORDS_HOST: '127.0.0.1', RECORDS_PORT: String(cfg.RECORDS_PORT) },
  });
  supervisor.start({
    name: 'audit',
    entry: 'apps/audit/src/main.ts',
    env: { ...common, DATABASE_URL: databaseUrl, CUSTODIAN_MASTER_KEY: masterKey, AUDIT_HOST: '127.0.0.1', AUDIT_PORT: String(cfg.AUDIT_PORT), IDENTITY_HOST: '127.0.0.1', IDENTITY_PORT: String(cfg.IDENTITY_PORT) },
  });
  supervisor.start({
    name: 'gateway',
    entry: 'apps/gateway/src/main.ts',
    env: { ...common, PORT: String(cfg.PORT), HOST: cfg.HOST, CUSTODIAN_BOOTSTRAP_TOKEN: bootstrapToken, IDENTITY_HOST: '127.0.0.1', IDENTITY_PORT: String(cfg.IDENTITY_PORT), SCHEDULING_HOST: '127.0.0.1', SCHEDULING_PORT: String(cfg.SCHEDULING_PORT), RECORDS_HOST: '127.0.0.1', RECORDS_PORT: String(cfg.RECORDS_PORT), AUDIT_HOST: '127.0.0.1', AUDIT_PORT: String(cfg.AUDIT_PORT), ACTIVITY_SPOOL_DIR: join(dataDir, 'activity-spool', `gateway-${cfg.PORT}`) },
  });

  const base = `http://${cfg.HOST === '0.0.0.0' ? '127.0.0.1' : cfg.HOST}:${cfg.PORT}`;
  if (!(await waitUntilReady(`${base}/health/ready`, READY_TIMEOUT_MS))) {
    await shutdown(`the platform was not ready within ${READY_TIMEOUT_MS / 1000} s (is port ${cfg.PORT}, ${cfg.IDENTITY_PORT}, ${cfg.SCHEDULING_PORT}, ${cfg.RECORDS_PORT} or ${cfg.AUDIT_PORT} in use?)`, 1);
    return;
  }
  say('ready');
  process.stdout.write(
    [
      '',
      `  API:             ${base}/v1`,
      `  API docs:        ${base}/docs   (OpenAPI: ${base}/docs/openapi.json)`,
      `  Bootstrap token: ${bootstrapToken}${cfg.CUSTODIAN_BOOTSTRAP_TOKEN ? '   (from CUSTODIAN_BOOTSTRAP_TOKEN)' : '   (generated for this run)'}`,
      `  Database:        ${embedded ? `embedded PostgreSQL, data in ${dataDir}` : 'DATABASE_URL'}`,
      '',
      `  Create a tenant: curl -X POST ${base}/v1/tenants -H 'Authorization: Bearer <bootstrap token>' \\`,
      `      -H 'Content-Type: application/json' -d '{"name":"Acme Cleaning","owner":{"email":"you@example.com","name":"You","password":"a long passphrase"}}'`,
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
