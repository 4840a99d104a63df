import type { SubjectKeyRecord, SubjectKeyStore } from './subject-key-store.port';

/** A process-local SubjectKeyStore for unit tests and tools; same contract as the Postgres adapter. */
export class InMemorySubjectKeyStore implements SubjectKeyStore {
  private readonly records = new Map<string, SubjectKeyRecord>();

  async find(tenantId: string, subjectId: string): Promise<SubjectKeyRecord | null> {
    return copy(this.records.get(id(tenantId, subjectId)) ?? null);
  }

  async createIfAbsent(tenantId: string, subjectId: string, keyVersion: number, wrappedKey: Buffer): Promise<SubjectKeyRecord> {
    const key = id(tenantId, subjectId);
    if (!this.records.has(key)) {
      this.records.set(key, { status: 'active', keyVersion, wrappedKey: Buffer.from(wrappedKey), createdAt: new Date() });
    }
    return copy(this.records.get(key) ?? null) as SubjectKeyRecord;
  }

  async erase(tenantId: string, subjectId: string): Promise<void> {
    const key = id(tenantId, subjectId);
    if (this.records.get(key)?.status !== 'erased') this.records.set(key, { status: 'erased', erasedAt: new Date() });
  }
}

function id(tenantId: string, subjectId: string): string {
  return JSON.stringify([tenantId, subjectId]);
}

function copy(r: SubjectKeyRecord | null): SubjectKeyRecord | null {
  return r?.status === 'active' ? { ...r, wrappedKey: Buffer.from(r.wrappedKey) } : r;
}
