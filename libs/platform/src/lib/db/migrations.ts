import type { Pool, PoolClient } from 'pg';

/** A forward-only schema change. `id` is unique and sortable ("event-store/001-events"). */
export interface Migration {
  id: string;
  sql: string;
}

/** The role every service runs as: no UPDATE/DELETE on the event log (see event-store migrations). */
export const RUNTIME_ROLE = 'custodian_runtime';

const LOCK_KEY = 727_001; // pg_advisory_lock key serialising concurrent migrators

/** Creates the runtime role and lets the migrating user assume it. Idempotent. */
const bootstrap: Migration = {
  id: 'platform/000-runtime-role',
  sql: `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${RUNTIME_ROLE}') THEN
    BEGIN
      CREATE ROLE ${RUNTIME_ROLE} NOLOGIN;
    EXCEPTION WHEN duplicate_object THEN NULL;
    END;
  END IF;
  -- The migrating user must be able to SET ROLE to it. From PostgreSQL 16 membership alone
  -- does not give that (a role's creator gets ADMIN without SET), hence the SET option there.
  IF current_setting('server_version_num')::int >= 160000 THEN
    IF NOT pg_has_role(current_user, '${RUNTIME_ROLE}', 'SET') THEN
      EXECUTE format('GRANT ${RUNTIME_ROLE} TO %I WITH SET TRUE', current_user);
    END IF;
  ELSIF NOT pg_has_role(current_user, '${RUNTIME_ROLE}', 'MEMBER') THEN
    EXECUTE format('GRANT ${RUNTIME_ROLE} TO %I', current_user);
  END IF;
END $$;`,
};

/**
 * Applies, in id order, every migration not yet recorded in custodian_meta.migrations, each in
 * its own transaction. Concurrent callers serialise on an advisory lock, so starting several
 * services at once is safe. Returns the ids applied now.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[], log: (m: string) => void = () => undefined): Promise<string[]> {
  const all = [bootstrap, ...[...migrations].sort((a, b) => a.id.localeCompare(b.id))];
  const ids = new Set<string>();
  for (const m of all) {
    if (ids.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
    ids.add(m.id);
  }
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS custodian_meta;
      CREATE TABLE IF NOT EXISTS custodian_meta.migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ id: string }>('SELECT id FROM custodian_meta.migrations')).rows.map((r) => r.id));
    for (const m of all) {
      if (done.has(m.id)) continue;
      await inTransaction(client, async () => {
        await client.query(m.sql);
        await client.query('INSERT INTO custodian_meta.migrations (id) VALUES ($1)', [m.id]);
      });
      applied.push(m.id);
      log(`migration applied: ${m.id}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}

async function inTransaction(client: PoolClient, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
