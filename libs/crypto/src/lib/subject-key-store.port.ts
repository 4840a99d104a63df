/**
 * What the store holds for one (tenantId, subjectId):
 * - `active`: a data key, wrapped under the master key (see key-wrap.ts) for `keyVersion`;
 * - `erased`: a tombstone. Erasure is final — the wrapped key is gone and no key is ever
 *   created again for the same ids.
 */
export type SubjectKeyRecord =
  | { status: 'active'; keyVersion: number; wrappedKey: Buffer; createdAt: Date }
  | { status: 'erased'; erasedAt: Date };

/**
 * Durable storage of wrapped per-subject data keys. Holds ciphertext of keys only; never sees a
 * master key or an unwrapped key. Adapters: PostgresSubjectKeyStore, InMemorySubjectKeyStore.
 * Every adapter passes runSubjectKeyStoreContract (subject-key-store.contract.ts).
 */
export interface SubjectKeyStore {
  /** The subject's record, or null when no key was ever created or erased for it. */
  find(tenantId: string, subjectId: string): Promise<SubjectKeyRecord | null>;

  /**
   * Stores `wrappedKey` unless the subject already has a record; first writer wins. Returns the
   * record stored afterwards — this caller's key, a concurrent writer's key, or a tombstone — so
   * concurrent first use from several processes converges on one key. Safe to retry.
   */
  createIfAbsent(tenantId: string, subjectId: string, keyVersion: number, wrappedKey: Buffer): Promise<SubjectKeyRecord>;

  /**
   * Wipes the subject's wrapped key and records the erasure; leaves a tombstone even when no key
   * existed, so none can be created later. Idempotent: erasing again keeps the first erasedAt.
   */
  erase(tenantId: string, subjectId: string): Promise<void>;
}
