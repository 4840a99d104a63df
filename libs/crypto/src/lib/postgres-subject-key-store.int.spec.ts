import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createPool, migrate } from '@custodian/platform';
// Tests of infra libs need the run's database; the tag rule has no spec-file exception yet.
import { testDatabaseUrl } from '@custodian/testing';
import { cryptoMigrations } from './crypto.migrations';
import { PostgresSubjectKeyStore } from './postgres-subject-key-store';
import { runSubjectKeyStoreContract } from './subject-key-store.contract';

let ownerPool: Pool;
let runtimePool: Pool;
let store: PostgresSubjectKeyStore;

beforeAll(async () => {
  ownerPool = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false });
  await migrate(ownerPool, cryptoMigrations);
  runtimePool = createPool({ connectionString: testDatabaseUrl() });
  store = new PostgresSubjectKeyStore(runtimePool);
});

afterAll(async () => {
  await runtimePool?.end();
  await ownerPool?.end();
});

runSubjectKeyStoreContract('PostgreSQL as custodian_runtime', () => store);

describe('crypto.subject_keys schema', () => {
  const ids = () => [`t-${randomUUID()}`, `s-${randomUUID()}`] as const;

  it('leaves no key bytes in an erased row', async () => {
    const [t, s] = ids();
    await store.createIfAbsent(t, s, 1, randomBytes(60));
    await store.erase(t, s);
    const { rows } = await ownerPool.query('SELECT wrapped_key, erased_at FROM crypto.subject_keys WHERE tenant_id = $1 AND subject_id = $2', [t, s]);
    expect(rows).toEqual([{ wrapped_key: null, erased_at: expect.any(Date) }]);
  });

  it('makes erasure final even for a direct UPDATE by the owner', async () => {
    const [t, s] = ids();
    await store.erase(t, s);
    await expect(
      ownerPool.query('UPDATE crypto.subject_keys SET wrapped_key = $3, erased_at = NULL WHERE tenant_id = $1 AND subject_id = $2', [t, s, randomBytes(60)]),
    ).rejects.toThrow(/erasure is final/);
  });

  it('denies the runtime role DELETE, so tombstones stay', async () => {
    const [t, s] = ids();
    await store.erase(t, s);
    await expect(runtimePool.query('DELETE FROM crypto.subject_keys WHERE tenant_id = $1 AND subject_id = $2', [t, s])).rejects.toThrow(/permission denied/);
    expect(await store.find(t, s)).toMatchObject({ status: 'erased' });
  });

  it('rejects a wrapped key of the wrong length', async () => {
    const [t, s] = ids();
    await expect(store.createIfAbsent(t, s, 1, randomBytes(32))).rejects.toMatchObject({ kind: 'infrastructure', retriable: false });
  });
});
