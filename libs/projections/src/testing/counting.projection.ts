import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '@custodian/kernel';
import type { Projection } from '../lib/projection';

/**
 * Test read model: one row per applied event, counting applications, in a table of its own.
 * A double-apply shows as applied > 1; a skip as a missing row.
 */
export function countingProjection(name: string, typePrefix: string, options: { slowMs?: number; onApplied?: (e: RecordedEvent) => void } = {}): Projection {
  const table = `projections_test."${name}"`;
  return {
    name,
    typePrefixes: [typePrefix],
    async apply(event: RecordedEvent, manager: EntityManager) {
      await manager.query(
        `INSERT INTO ${table} (event_id, position, applied) VALUES ($1, $2, 1)
         ON CONFLICT (event_id) DO UPDATE SET applied = ${table}.applied + 1`,
        [event.eventId, event.globalPosition],
      );
      if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
      options.onApplied?.(event);
    },
    async reset(manager: EntityManager) {
      await manager.query(`DELETE FROM ${table}`);
    },
  };
}

export async function createCountingTable(query: (sql: string) => Promise<unknown>, name: string): Promise<void> {
  await query(`CREATE SCHEMA IF NOT EXISTS projections_test`);
  await query(`CREATE TABLE IF NOT EXISTS projections_test."${name}" (event_id uuid PRIMARY KEY, position bigint NOT NULL, applied int NOT NULL)`);
  await query(`GRANT USAGE ON SCHEMA projections_test TO custodian_runtime`);
  await query(`GRANT SELECT, INSERT, UPDATE, DELETE ON projections_test."${name}" TO custodian_runtime`);
}
