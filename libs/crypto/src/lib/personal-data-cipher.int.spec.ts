import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { IllegalStateError, InfrastructureError } from '@custodian/kernel';
import { createPool, migrate } from '@custodian/platform';
// Tests of infra libs need the run's database; the tag rule has no spec-file exception yet.
import { testDatabaseUrl } from '@custodian/testing';
import { cryptoMigrations } from './crypto.migrations';
import { PersonalDataCipher } from './personal-data-cipher';
import { PostgresSubjectKeyStore } from './postgres-subject-key-store';

let ownerPool: Pool;
let runtimePool: Pool;
const masterKey = randomBytes(32);

beforeAll(async () => {
  ownerPool = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false });
  await migrate(ownerPool, cryptoMigrations);
  runtimePool = createPool({ connectionString: testDatabaseUrl() });
});

afterAll(async () => {
  await runtimePool?.end();
  await ownerPool?.end();
});

/** A cipher with its own cache, as another process would have. */
const newProcess = (key = masterKey) => new PersonalDataCipher(new PostgresSubjectKeyStore(runtimePool), key);
const ids = () => ({ t: `t-${randomUUID()}`, s: `s-${randomUUID()}` });

describe('PersonalDataCipher over PostgreSQL (runtime role)', () => {
  it('round-trips, also through another process', async () => {
    const { t, s } = ids();
    const value = await newProcess().encrypt(t, s, 'alice@example.com');
    expect(value.startsWith('pd:v1:')).toBe(true);
    expect(await newProcess().decrypt(t, s, value)).toBe('alice@example.com');
  });

  it('rejects tampered ciphertext and tag', async () => {
    const { t, s } = ids();
    const cipher = newProcess();
    const value = await cipher.encrypt(t, s, 'alice@example.com');
    const [iv, ct, tag] = value.slice('pd:v1:'.length).split('.');
    const flip = (p: string) => (p[0] === 'A' ? 'B' : 'A') + p.slice(1);
    await expect(cipher.decrypt(t, s, `pd:v1:${iv}.${flip(ct)}.${tag}`)).rejects.toThrow(IllegalStateError);
    await expect(cipher.decrypt(t, s, `pd:v1:${iv}.${ct}.${flip(tag)}`)).rejects.toThrow(IllegalStateError);
    expect(await cipher.decrypt(t, s, value)).toBe('alice@example.com');
  });

  it('cannot decrypt subject A’s ciphertext as subject B', async () => {
    const { t, s: a } = ids();
    const b = `s-${randomUUID()}`;
    const cipher = newProcess();
    const value = await cipher.encrypt(t, a, 'alice@example.com');
    await cipher.encrypt(t, b, 'bob@example.com');
    await expect(cipher.decrypt(t, b, value)).rejects.toMatchObject({ code: 'personal_data_unauthentic' });
  });

  it('after erasure: null here and in a fresh process, encrypt throws, the row holds no key', async () => {
    const { t, s } = ids();
    const here = newProcess();
    const value = await here.encrypt(t, s, 'alice@example.com');
    const elsewhere = newProcess();
    await here.erase(t, s);
    expect(await here.decrypt(t, s, value)).toBeNull();
    expect(await elsewhere.decrypt(t, s, value)).toBeNull();
    await expect(here.encrypt(t, s, 'again')).rejects.toMatchObject({ code: 'subject_erased' });
    await expect(newProcess().encrypt(t, s, 'again')).rejects.toThrow(IllegalStateError);
    const { rows } = await ownerPool.query('SELECT wrapped_key FROM crypto.subject_keys WHERE tenant_id = $1 AND subject_id = $2', [t, s]);
    expect(rows).toEqual([{ wrapped_key: null }]);
  });

  it('cannot unwrap with a different master key', async () => {
    const { t, s } = ids();
    const value = await newProcess().encrypt(t, s, 'alice@example.com');
    const wrong = newProcess(randomBytes(32));
    await expect(wrong.decrypt(t, s, value)).rejects.toThrow(InfrastructureError);
    await expect(wrong.decrypt(t, s, value)).rejects.toThrow(/CUSTODIAN_MASTER_KEY is not the key it was wrapped with/);
  });

  it('will not unwrap a wrapped key moved to another subject’s row', async () => {
    const { t, s: a } = ids();
    const b = `s-${randomUUID()}`;
    await newProcess().encrypt(t, a, 'alice@example.com');
    await ownerPool.query(
      `INSERT INTO crypto.subject_keys (tenant_id, subject_id, wrapped_key)
       SELECT tenant_id, $3, wrapped_key FROM crypto.subject_keys WHERE tenant_id = $1 AND subject_id = $2`,
      [t, a, b],
    );
    await expect(newProcess().encrypt(t, b, 'mallory')).rejects.toMatchObject({ code: 'master_key_mismatch' });
  });

  it('converges concurrent first use from two processes on one key', async () => {
    const { t, s } = ids();
    const [p1, p2] = [newProcess(), newProcess()];
    const plaintexts = Array.from({ length: 10 }, (_, i) => `value-${i}`);
    const values = await Promise.all(plaintexts.map((p, i) => (i % 2 === 0 ? p1 : p2).encrypt(t, s, p)));
    // Had any encrypt used a key other than the stored one, a fresh reader could not open its value.
    for (const reader of [p1, p2, newProcess()]) {
      expect(await Promise.all(values.map((v) => reader.decrypt(t, s, v)))).toEqual(plaintexts);
    }
  });
});
