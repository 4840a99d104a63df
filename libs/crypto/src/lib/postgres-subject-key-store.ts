import type { Pool } from 'pg';
import { InfrastructureError } from '@custodian/kernel';
import type { SubjectKeyRecord, SubjectKeyStore } from './subject-key-store.port';

interface Row {
  key_version: number;
  wrapped_key: Buffer | null;
  created_at: Date;
  erased_at: Date | null;
}

/**
 * SubjectKeyStore over crypto.subject_keys (cryptoMigrations). Needs only the runtime role's
 * SELECT, INSERT, UPDATE. Each call is one or two autocommit statements; failures surface as
 * InfrastructureError, retriable for connection loss, serialisation failures and deadlocks.
 */
export class PostgresSubjectKeyStore implements SubjectKeyStore {
  constructor(private readonly pool: Pool) {}

  async find(tenantId: string, subjectId: string): Promise<SubjectKeyRecord | null> {
    const { rows } = await this.query<Row>(
      'SELECT key_version, wrapped_key, created_at, erased_at FROM crypto.subject_keys WHERE tenant_id = $1 AND subject_id = $2',
      [tenantId, subjectId],
    );
    return rows.length === 0 ? null : toRecord(rows[0]);
  }

  async createIfAbsent(tenantId: string, subjectId: string, keyVersion: number, wrappedKey: Buffer): Promise<SubjectKeyRecord> {
    // Two statements on purpose: DO NOTHING waits for a concurrent inserter, and only a new
    // statement's snapshot (READ COMMITTED) sees the row it committed.
    await this.query(
      `INSERT INTO crypto.subject_keys (tenant_id, subject_id, key_version, wrapped_key)
       VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, subject_id) DO NOTHING`,
      [tenantId, subjectId, keyVersion, wrappedKey],
    );
    const record = await this.find(tenantId, subjectId);
    if (record === null) {
      throw new InfrastructureError(`subject key row for ${subjectId} in tenant ${tenantId} vanished after insert`, true, 'subject_key_store_inconsistent');
    }
    return record;
  }

  async erase(tenantId: string, subjectId: string): Promise<void> {
    await this.query(
      `INSERT INTO crypto.subject_keys (tenant_id, subject_id, wrapped_key, erased_at)
       VALUES ($1, $2, NULL, now())
       ON CONFLICT (tenant_id, subject_id)
       DO UPDATE SET wrapped_key = NULL, erased_at = COALESCE(crypto.subject_keys.erased_at, EXCLUDED.erased_at)`,
      [tenantId, subjectId],
    );
  }

  private async query<R extends object = Record<string, unknown>>(sql: string, params: unknown[]): Promise<{ rows: R[] }> {
    try {
      return await this.pool.query<R & Record<string, unknown>>(sql, params);
    } catch (e) {
      throw new InfrastructureError(`subject key store: ${e instanceof Error ? e.message : String(e)}`, isRetriable(e), 'subject_key_store_unavailable', e);
    }
  }
}

function toRecord(row: Row): SubjectKeyRecord {
  if (row.erased_at !== null || row.wrapped_key === null) {
    return { status: 'erased', erasedAt: row.erased_at ?? new Date(0) };
  }
  return { status: 'active', keyVersion: row.key_version, wrappedKey: row.wrapped_key, createdAt: row.created_at };
}

// SQLSTATE class 08 (connection), 57P0x (shutdown), 40001 (serialization), 40P01 (deadlock);
// errors without a SQLSTATE are socket-level failures.
function isRetriable(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
  if (code === undefined) return true;
  return code.startsWith('08') || code.startsWith('57P') || code === '40001' || code === '40P01' || /^E[A-Z]+$/.test(code);
}
