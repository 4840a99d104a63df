import { randomBytes, randomUUID } from 'node:crypto';
import { IllegalStateError, InfrastructureError, ValidationError } from '@custodian/kernel';
import { InMemorySubjectKeyStore } from './in-memory-subject-key-store';
import { PersonalDataCipher } from './personal-data-cipher';
import { isEncrypted } from './personal-data-format';
import type { SubjectKeyRecord, SubjectKeyStore } from './subject-key-store.port';

/** Counts store reads so cache behaviour is observable. */
class CountingStore implements SubjectKeyStore {
  finds = 0;
  constructor(private readonly inner: SubjectKeyStore) {}
  find(t: string, s: string): Promise<SubjectKeyRecord | null> {
    this.finds++;
    return this.inner.find(t, s);
  }
  createIfAbsent(t: string, s: string, v: number, w: Buffer): Promise<SubjectKeyRecord> {
    return this.inner.createIfAbsent(t, s, v, w);
  }
  erase(t: string, s: string): Promise<void> {
    return this.inner.erase(t, s);
  }
}

const ids = () => ({ t: `t-${randomUUID()}`, s: `s-${randomUUID()}` });

/** Replaces one character of the part at `index` (0 iv, 1 ciphertext, 2 tag) with another base64url character. */
function tamper(value: string, index: number): string {
  const parts = value.slice('pd:v1:'.length).split('.');
  const p = parts[index];
  const i = Math.floor(p.length / 2);
  parts[index] = p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1);
  return `pd:v1:${parts.join('.')}`;
}

describe('PersonalDataCipher', () => {
  const masterKey = randomBytes(32);
  let store: InMemorySubjectKeyStore;
  let cipher: PersonalDataCipher;

  beforeEach(() => {
    store = new InMemorySubjectKeyStore();
    cipher = new PersonalDataCipher(store, masterKey);
  });

  describe('given a subject with personal data', () => {
    it('round-trips ASCII, Unicode and empty strings', async () => {
      const { t, s } = ids();
      for (const plaintext of ['alice@example.com', 'Zoë Ünal 山田 🙂', '']) {
        const value = await cipher.encrypt(t, s, plaintext);
        expect(await cipher.decrypt(t, s, value)).toBe(plaintext);
      }
    });

    it('produces the documented pd:v1 layout, fresh IV every time, no plaintext or ids inside', async () => {
      const { t, s } = ids();
      const a = await cipher.encrypt(t, s, 'alice@example.com');
      const b = await cipher.encrypt(t, s, 'alice@example.com');
      expect(a).toMatch(/^pd:v1:[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/);
      expect(a).not.toBe(b);
      for (const secret of ['alice', s, t]) expect(a).not.toContain(secret);
      expect(isEncrypted(a)).toBe(true);
      expect(cipher.isEncrypted(a)).toBe(true);
      expect(cipher.isEncrypted('alice@example.com')).toBe(false);
      expect(cipher.isEncrypted(42)).toBe(false);
    });

    it.each([
      ['iv', 0],
      ['ciphertext', 1],
      ['tag', 2],
    ])('rejects a tampered %s', async (_part, index) => {
      const { t, s } = ids();
      const value = await cipher.encrypt(t, s, 'alice@example.com');
      const altered = tamper(value, index);
      expect(altered).not.toBe(value);
      await expect(cipher.decrypt(t, s, altered)).rejects.toThrow(IllegalStateError);
      await expect(cipher.decrypt(t, s, altered)).rejects.toMatchObject({ code: 'personal_data_unauthentic' });
    });

    it('rejects malformed values before touching keys', async () => {
      const { t, s } = ids();
      const value = await cipher.encrypt(t, s, 'x');
      for (const bad of ['alice@example.com', value.replace('pd:v1:', 'pd:v2:'), `${value}.x`, value.slice(0, -1), `${value}=`]) {
        await expect(cipher.decrypt(t, s, bad)).rejects.toThrow(ValidationError);
      }
    });

    it('will not decrypt subject A’s value as subject B, nor in another tenant', async () => {
      const a = ids();
      const b = { t: a.t, s: `s-${randomUUID()}` };
      const value = await cipher.encrypt(a.t, a.s, 'alice@example.com');
      await cipher.encrypt(b.t, b.s, 'bob@example.com'); // B has a key of its own
      await expect(cipher.decrypt(b.t, b.s, value)).rejects.toMatchObject({ code: 'personal_data_unauthentic' });
      const otherTenant = `t-${randomUUID()}`;
      await cipher.encrypt(otherTenant, a.s, 'x');
      await expect(cipher.decrypt(otherTenant, a.s, value)).rejects.toMatchObject({ code: 'personal_data_unauthentic' });
    });

    it('refuses to decrypt for a subject that never had a key', async () => {
      const { t, s } = ids();
      const value = await cipher.encrypt(t, s, 'x');
      await expect(cipher.decrypt(t, `s-${randomUUID()}`, value)).rejects.toMatchObject({ code: 'subject_key_missing' });
    });

    it('cannot unwrap keys with another master key', async () => {
      const { t, s } = ids();
      const value = await cipher.encrypt(t, s, 'x');
      const impostor = new PersonalDataCipher(store, randomBytes(32));
      await expect(impostor.decrypt(t, s, value)).rejects.toThrow(InfrastructureError);
      await expect(impostor.decrypt(t, s, value)).rejects.toThrow(/CUSTODIAN_MASTER_KEY/);
      await expect(impostor.encrypt(t, s, 'y')).rejects.toMatchObject({ code: 'master_key_mismatch', retriable: false });
    });
  });

  describe('when the subject is erased', () => {
    it('decrypt returns null here and in a fresh instance; encrypt throws', async () => {
      const { t, s } = ids();
      const value = await cipher.encrypt(t, s, 'alice@example.com');
      await cipher.erase(t, s);
      expect(await cipher.decrypt(t, s, value)).toBeNull();
      expect(await new PersonalDataCipher(store, masterKey).decrypt(t, s, value)).toBeNull();
      await expect(cipher.encrypt(t, s, 'again')).rejects.toThrow(IllegalStateError);
      await expect(new PersonalDataCipher(store, masterKey).encrypt(t, s, 'again')).rejects.toMatchObject({ code: 'subject_erased' });
    });

    it('is idempotent, and erasing first forbids any key later', async () => {
      const { t, s } = ids();
      await cipher.erase(t, s);
      await cipher.erase(t, s);
      await expect(new PersonalDataCipher(store, masterKey).encrypt(t, s, 'x')).rejects.toMatchObject({ code: 'subject_erased' });
    });

    it('another instance keeps its cached key at most cacheTtlMs, then sees the erasure', async () => {
      const { t, s } = ids();
      let now = 1_000;
      const other = new PersonalDataCipher(store, masterKey, { cacheTtlMs: 5000, clock: () => now });
      const value = await cipher.encrypt(t, s, 'alice@example.com');
      expect(await other.decrypt(t, s, value)).toBe('alice@example.com'); // caches the key
      await cipher.erase(t, s);
      now += 4_999;
      expect(await other.decrypt(t, s, value)).toBe('alice@example.com');
      now += 1;
      expect(await other.decrypt(t, s, value)).toBeNull();
    });
  });

  describe('cache', () => {
    it('serves repeat use from memory and re-reads the store after the TTL', async () => {
      const counting = new CountingStore(store);
      let now = 0;
      const c = new PersonalDataCipher(counting, masterKey, { cacheTtlMs: 100, clock: () => now });
      const { t, s } = ids();
      const value = await c.encrypt(t, s, 'x');
      const after = counting.finds;
      await c.decrypt(t, s, value);
      await c.encrypt(t, s, 'y');
      expect(counting.finds).toBe(after);
      now += 100;
      await c.decrypt(t, s, value);
      expect(counting.finds).toBe(after + 1);
    });

    it('holds at most cacheSize keys, evicting the least recently used', async () => {
      const counting = new CountingStore(store);
      const c = new PersonalDataCipher(counting, masterKey, { cacheSize: 2 });
      const [a, b, d] = [ids(), ids(), ids()];
      const va = await c.encrypt(a.t, a.s, 'a');
      const vb = await c.encrypt(b.t, b.s, 'b');
      await c.decrypt(a.t, a.s, va); // a is now most recent
      const vd = await c.encrypt(d.t, d.s, 'd'); // evicts b
      const before = counting.finds;
      await c.decrypt(a.t, a.s, va);
      await c.decrypt(d.t, d.s, vd);
      expect(counting.finds).toBe(before);
      await c.decrypt(b.t, b.s, vb);
      expect(counting.finds).toBe(before + 1);
    });

    it('caches nothing with cacheSize 0', async () => {
      const counting = new CountingStore(store);
      const c = new PersonalDataCipher(counting, masterKey, { cacheSize: 0 });
      const { t, s } = ids();
      const value = await c.encrypt(t, s, 'x');
      const before = counting.finds;
      await c.decrypt(t, s, value);
      await c.decrypt(t, s, value);
      expect(counting.finds).toBe(before + 2);
    });

    it('does not cache a key read before an erase that finished first', async () => {
      const { t, s } = ids();
      const value = await cipher.encrypt(t, s, 'x');
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const slow: SubjectKeyStore = {
        find: async (tt, ss) => {
          const snapshot = await store.find(tt, ss); // read now, answer late
          await gate;
          return snapshot;
        },
        createIfAbsent: (...a) => store.createIfAbsent(...a),
        erase: (tt, ss) => store.erase(tt, ss),
      };
      const fresh = new PersonalDataCipher(slow, masterKey);
      const staleRead = fresh.decrypt(t, s, value);
      await fresh.erase(t, s);
      release();
      expect(await staleRead).toBe('x'); // concurrent with the erase: either answer is linearisable
      await expect(fresh.encrypt(t, s, 'y')).rejects.toMatchObject({ code: 'subject_erased' });
      expect(await fresh.decrypt(t, s, value)).toBeNull();
    });
  });

  describe('field helpers', () => {
    it('encrypt and decrypt only the named fields, leaving null and undefined alone', async () => {
      const { t, s } = ids();
      const data = { userId: s, email: 'alice@example.com', phone: null as string | null, name: 'Alice', nickname: undefined as string | undefined };
      const enc = await cipher.encryptFields(t, s, data, ['email', 'phone', 'name', 'nickname']);
      expect(enc.userId).toBe(s);
      expect(isEncrypted(enc.email)).toBe(true);
      expect(isEncrypted(enc.name)).toBe(true);
      expect(enc.phone).toBeNull();
      expect(enc.nickname).toBeUndefined();
      expect(data.email).toBe('alice@example.com'); // input untouched
      expect(await cipher.decryptFields(t, s, enc, ['email', 'phone', 'name', 'nickname'])).toEqual(data);
      await cipher.erase(t, s);
      expect(await cipher.decryptFields(t, s, enc, ['email', 'name'])).toMatchObject({ userId: s, email: null, name: null });
    });

    it('rejects a plaintext where ciphertext is expected', async () => {
      const { t, s } = ids();
      await expect(cipher.decryptFields(t, s, { email: 'alice@example.com' }, ['email'])).rejects.toThrow(ValidationError);
    });
  });

  describe('input validation', () => {
    it('rejects empty ids and a master key of the wrong length', async () => {
      await expect(cipher.encrypt('', 's', 'x')).rejects.toThrow(ValidationError);
      await expect(cipher.encrypt('t', '', 'x')).rejects.toThrow(ValidationError);
      expect(() => new PersonalDataCipher(store, randomBytes(16))).toThrow(/master key/);
    });
  });
});
