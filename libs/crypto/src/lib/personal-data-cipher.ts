import { IllegalStateError, ValidationError } from '@custodian/kernel';
import { open, seal } from './aead';
import { generateDataKey, unwrapDataKey, wrapDataKey } from './key-wrap';
import { assertMasterKey } from './master-key';
import { formatPersonalData, isEncrypted, parsePersonalData, personalDataAad } from './personal-data-format';
import { assertSubjectIds } from './subject-ids';
import type { SubjectKeyRecord, SubjectKeyStore } from './subject-key-store.port';
import { TtlLruCache } from './ttl-lru-cache';

export interface PersonalDataCipherOptions {
  /** Most unwrapped keys (and erasure markers) kept in memory; 0 disables caching. @defaultValue 1000 */
  cacheSize?: number;
  /** How long a cached unwrapped key is used before the store is read again. @defaultValue 5000 */
  cacheTtlMs?: number;
  /** Milliseconds clock for cache expiry. @defaultValue Date.now */
  clock?: () => number;
}

/** Version new data keys are wrapped under (crypto.subject_keys.key_version). */
const CURRENT_KEY_VERSION = 1;
const ERASED = Symbol('erased');
type CachedKey = Buffer | typeof ERASED;

/** Fields of T named by K after decryption: a string, or null where the subject was erased. */
export type DecryptedFields<T, K extends keyof T> = { [P in keyof T]: P extends K ? Exclude<T[P], string> | string | null : T[P] };

/**
 * Encrypts personal data per subject (pd:v1, see personal-data-format.ts) with data keys kept
 * wrapped in a SubjectKeyStore.
 *
 * Caching contract: unwrapped keys are held in a bounded LRU for `cacheTtlMs` (default 5 s).
 * `erase` evicts in this instance at once; another process's cache may keep using a key it
 * already holds until that entry's TTL runs out — so for at most `cacheTtlMs` after an erasure
 * other processes may still decrypt, or encrypt new values that become unreadable once their
 * cache expires. Erasure markers are cached without expiry: erasure is final.
 */
export class PersonalDataCipher {
  private readonly cache: TtlLruCache<CachedKey>;
  private readonly ttlMs: number;
  /** Bumped by every erase here, so a key read before an erasure is not cached after it. */
  private erasures = 0;

  constructor(
    private readonly store: SubjectKeyStore,
    private readonly masterKey: Buffer,
    options: PersonalDataCipherOptions = {},
  ) {
    assertMasterKey(masterKey);
    const cacheSize = options.cacheSize ?? 1000;
    this.ttlMs = options.cacheTtlMs ?? 5000;
    if (!Number.isInteger(cacheSize) || cacheSize < 0) throw new ValidationError('cacheSize must be a non-negative integer');
    if (!(this.ttlMs >= 0)) throw new ValidationError('cacheTtlMs must be a non-negative number');
    this.cache = new TtlLruCache(cacheSize, options.clock ?? Date.now);
  }

  /**
   * Encrypts `plaintext` for the subject, creating its data key on first use (concurrent first
   * uses converge on one key). Throws IllegalStateError (code subject_erased) once erased.
   */
  async encrypt(tenantId: string, subjectId: string, plaintext: string): Promise<string> {
    assertSubjectIds(tenantId, subjectId);
    if (typeof plaintext !== 'string') throw new ValidationError('plaintext must be a string', undefined, 'invalid_plaintext');
    const key = await this.keyFor(tenantId, subjectId, true);
    if (key === ERASED || key === null) {
      throw new IllegalStateError(`subject ${subjectId} in tenant ${tenantId} is erased; personal data can no longer be stored for it`, 'subject_erased');
    }
    return formatPersonalData(seal(key, Buffer.from(plaintext, 'utf8'), personalDataAad(tenantId, subjectId)));
  }

  /**
   * The plaintext of a pd:v1 value, or null when the subject's key was erased. Throws
   * ValidationError for a malformed value, IllegalStateError (personal_data_unauthentic) when the
   * value was altered or belongs to another tenant or subject, IllegalStateError
   * (subject_key_missing) when the subject never had a key.
   */
  async decrypt(tenantId: string, subjectId: string, value: string): Promise<string | null> {
    assertSubjectIds(tenantId, subjectId);
    const sealed = parsePersonalData(value);
    const key = await this.keyFor(tenantId, subjectId, false);
    if (key === ERASED) return null;
    if (key === null) {
      throw new IllegalStateError(`subject ${subjectId} in tenant ${tenantId} has no data key; the value was not encrypted for it`, 'subject_key_missing');
    }
    const plaintext = open(key, sealed, personalDataAad(tenantId, subjectId));
    if (plaintext === null) {
      throw new IllegalStateError(
        `personal data of subject ${subjectId} in tenant ${tenantId} failed authentication: altered, or encrypted for another subject or tenant`,
        'personal_data_unauthentic',
      );
    }
    return plaintext.toString('utf8');
  }

  /** Erases the subject's key for good (idempotent) and evicts it from this instance's cache. */
  async erase(tenantId: string, subjectId: string): Promise<void> {
    assertSubjectIds(tenantId, subjectId);
    const id = cacheId(tenantId, subjectId);
    // Bumped before and after the store call: a read that overlaps the erasure in any way
    // returns its answer to its caller but is not cached.
    this.erasures++;
    this.cache.delete(id);
    await this.store.erase(tenantId, subjectId);
    this.erasures++;
    this.cache.set(id, ERASED, Infinity);
  }

  /** True when `value` is in the pd:v1 layout. */
  isEncrypted(value: unknown): value is string {
    return isEncrypted(value);
  }

  /** A copy of `obj` with the named string fields encrypted; null and undefined fields stay as they are. */
  async encryptFields<T extends Partial<Record<K, string | null>>, K extends keyof T & string>(
    tenantId: string,
    subjectId: string,
    obj: T,
    fieldNames: readonly K[],
  ): Promise<T> {
    const out: T = { ...obj };
    for (const f of fieldNames) {
      const v: unknown = obj[f];
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string') throw new ValidationError(`field ${f} must be a string to be encrypted`, undefined, 'invalid_plaintext');
      out[f] = (await this.encrypt(tenantId, subjectId, v)) as T[K];
    }
    return out;
  }

  /**
   * A copy of `obj` with the named fields decrypted (null where the subject was erased); null and
   * undefined fields stay as they are, and any other non-pd:v1 value is rejected.
   */
  async decryptFields<T extends Partial<Record<K, string | null>>, K extends keyof T & string>(
    tenantId: string,
    subjectId: string,
    obj: T,
    fieldNames: readonly K[],
  ): Promise<DecryptedFields<T, K>> {
    const out: Record<string, unknown> = { ...obj };
    for (const f of fieldNames) {
      const v: unknown = obj[f];
      if (v === null || v === undefined) continue;
      if (!isEncrypted(v)) throw new ValidationError(`field ${f} is not encrypted personal data`, undefined, 'personal_data_malformed');
      out[f] = await this.decrypt(tenantId, subjectId, v);
    }
    return out as DecryptedFields<T, K>;
  }

  /** The unwrapped key, ERASED, or null when the subject has no record and `create` is false. */
  private async keyFor(tenantId: string, subjectId: string, create: boolean): Promise<CachedKey | null> {
    const id = cacheId(tenantId, subjectId);
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    const erasuresBefore = this.erasures;
    let record = await this.store.find(tenantId, subjectId);
    if (record === null && create) {
      const dataKey = generateDataKey();
      const wrapped = wrapDataKey(this.masterKey, { tenantId, subjectId, keyVersion: CURRENT_KEY_VERSION }, dataKey);
      record = await this.store.createIfAbsent(tenantId, subjectId, CURRENT_KEY_VERSION, wrapped);
    }
    if (record === null) return null;
    const key = this.unwrap(tenantId, subjectId, record);
    if (this.erasures === erasuresBefore) this.cache.set(id, key, key === ERASED ? Infinity : this.ttlMs);
    return key;
  }

  private unwrap(tenantId: string, subjectId: string, record: SubjectKeyRecord): CachedKey {
    if (record.status === 'erased') return ERASED;
    return unwrapDataKey(this.masterKey, { tenantId, subjectId, keyVersion: record.keyVersion }, record.wrappedKey);
  }
}

function cacheId(tenantId: string, subjectId: string): string {
  return JSON.stringify([tenantId, subjectId]);
}
