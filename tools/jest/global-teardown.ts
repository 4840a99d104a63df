import { rmSync } from 'node:fs';
import type { EmbeddedPostgresHandle } from '../../libs/platform/src/lib/db/embedded-postgres';
import { dropDatabase } from '../../libs/testing/src/lib/test-database';

export default async function globalTeardown(): Promise<void> {
  const admin = process.env.CUSTODIAN_TEST_ADMIN_URL;
  const name = process.env.CUSTODIAN_TEST_DATABASE_NAME;
  if (admin && name && !process.env.CUSTODIAN_TEST_KEEP_DATABASE) await dropDatabase(admin, name).catch(() => undefined);
  const embedded = (globalThis as Record<string, unknown>).__custodianEmbedded as EmbeddedPostgresHandle | undefined;
  await embedded?.stop();
  const dir = (globalThis as Record<string, unknown>).__custodianEmbeddedDir as string | undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
