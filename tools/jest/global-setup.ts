import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Relative imports: Jest loads global setup outside its module mapper (no @custodian/* aliases).
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../libs/platform/src/lib/db/embedded-postgres';
import { canConnect, createDatabase } from '../../libs/testing/src/lib/test-database';

/**
 * Picks the PostgreSQL server for the run (DATABASE_URL → 127.0.0.1:5432 → embedded), creates a
 * fresh database and exports it to the test workers as CUSTODIAN_TEST_DATABASE_URL (an owner's
 * connection; runtime code connects with the restricted role on top of it).
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  let source = 'DATABASE_URL';
  let embedded: EmbeddedPostgresHandle | undefined;
  let embeddedDir: string | undefined;
  // CUSTODIAN_TEST_POSTGRES=embedded skips the local server: the path a fresh machine takes.
  const forceEmbedded = process.env.CUSTODIAN_TEST_POSTGRES === 'embedded';
  if (!adminUrl) {
    const local = 'postgres://postgres@127.0.0.1:5432/postgres';
    if (!forceEmbedded && (await canConnect(local))) {
      adminUrl = local;
      source = '127.0.0.1:5432';
    } else {
      const dataDir = mkdtempSync(join(tmpdir(), 'custodian-test-pg-'));
      embeddedDir = dataDir;
      const port = 20000 + Math.floor(Math.random() * 20000);
      embedded = await startEmbeddedPostgres({ dataDir, port, password: 'test' });
      adminUrl = embedded.url;
      source = `embedded PostgreSQL (${dataDir}, port ${port})`;
    }
  }
  const name = `custodian_test_${Date.now()}_${process.pid}`;
  const url = await createDatabase(adminUrl, name);
  process.env.CUSTODIAN_TEST_ADMIN_URL = adminUrl;
  process.env.CUSTODIAN_TEST_DATABASE_URL = url;
  process.env.CUSTODIAN_TEST_DATABASE_NAME = name;
  // One database, one master key: every suite that starts services on this database uses it.
  process.env.CUSTODIAN_TEST_MASTER_KEY = randomBytes(32).toString('base64');
  (globalThis as Record<string, unknown>).__custodianEmbedded = embedded;
  (globalThis as Record<string, unknown>).__custodianEmbeddedDir = embeddedDir;
  process.stdout.write(`\n[tests] PostgreSQL: ${source}; database ${name}\n`);
}
