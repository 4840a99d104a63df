// Child process for the crash test: runs a counting projection slowly until killed with SIGKILL.
// argv: <databaseUrl> <projectionName> <typePrefix>
import { DataSource } from 'typeorm';
import { PostgresEventStore } from '@custodian/event-store';
import { createPool } from '@custodian/platform';
import { ProjectionRunner } from '../lib/projection-runner';
import { countingProjection } from './counting.projection';

const [url, name, prefix] = process.argv.slice(2);
(async () => {
  const pool = createPool({ connectionString: url, max: 2 });
  const ds = new DataSource({ type: 'postgres', url, extra: { options: '-c role=custodian_runtime' } });
  await ds.initialize();
  const runner = new ProjectionRunner(new PostgresEventStore(pool), ds, countingProjection(name, prefix, { slowMs: 3, onApplied: () => process.stdout.write('.') }), { batchSize: 20, idleMs: 5 });
  await runner.start();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
