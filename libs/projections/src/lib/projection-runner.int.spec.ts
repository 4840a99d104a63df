import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { makeEvents, uniqueStream } from '@custodian/event-store/testing';
import { createPool, migrate } from '@custodian/platform';
import { testDatabaseUrl, waitFor } from '@custodian/testing';
import { projectionMigrations } from './migrations';
import { ProjectionRunner } from './projection-runner';
import { countingProjection, createCountingTable } from '../testing/counting.projection';

const ROOT = join(__dirname, '../../../..');

describe('ProjectionRunner', () => {
  let owner: Pool;
  let pool: Pool;
  let store: PostgresEventStore;
  let ds: DataSource;

  beforeAll(async () => {
    owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 2 });
    await migrate(owner, [...eventStoreMigrations, ...projectionMigrations]);
    pool = createPool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool);
    ds = new DataSource({ type: 'postgres', url: testDatabaseUrl(), extra: { options: '-c role=custodian_runtime' } });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await pool.end();
    await owner.end();
  });

  async function newProjection() {
    const name = `p_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const prefix = `${name}.`;
    await createCountingTable((sql) => owner.query(sql), name);
    return { name, prefix };
  }

  const counts = async (name: string) =>
    (await owner.query<{ event_id: string; applied: number }>(`SELECT event_id::text, applied FROM projections_test."${name}" ORDER BY position`)).rows;

  it('caughtUpTo never reports an event the runner has not applied, even when it becomes final between its reads', async () => {
    const { name, prefix } = await newProjection();
    const appended = await store.append(uniqueStream(), makeEvents(1, randomUUID(), `${prefix}Happened`), 'no_stream');
    // The event is "not yet final" until the first unfiltered read (the settled check) runs:
    // a filtered read (the pending check) before that sees nothing, as under a concurrent commit.
    let final = false;
    const racing = Object.create(store) as PostgresEventStore;
    racing.readAll = async (options = {}) => {
      if (!options.typePrefixes) final = true;
      else if (!final) return [];
      return store.readAll(options);
    };
    // Not started: nothing is ever applied, so "caught up" would be a lie.
    const runner = new ProjectionRunner(racing, ds, countingProjection(name, prefix));
    await expect(runner.caughtUpTo(appended.lastGlobalPosition, 300)).rejects.toThrow(/did not reach/);
  });

  it('applies every event once and keeps its checkpoint in the read model database', async () => {
    const { name, prefix } = await newProjection();
    const r1 = await store.append(uniqueStream(), makeEvents(30, randomUUID(), `${prefix}Happened`), 'no_stream');
    const runner = new ProjectionRunner(store, ds, countingProjection(name, prefix), { batchSize: 7, idleMs: 5 });
    await runner.start();
    await runner.caughtUpTo(r1.lastGlobalPosition);
    const r2 = await store.append(uniqueStream(), makeEvents(5, randomUUID(), `${prefix}Happened`), 'no_stream');
    await runner.caughtUpTo(r2.lastGlobalPosition);
    await runner.stop();
    const rows = await counts(name);
    expect(rows).toHaveLength(35);
    expect(rows.every((r) => r.applied === 1)).toBe(true);
    const cp = await owner.query('SELECT position FROM projections.checkpoints WHERE name = $1', [name]);
    expect(Number(cp.rows[0].position)).toBe(r2.lastGlobalPosition);
  });

  it('resumes from its checkpoint after a restart without re-applying', async () => {
    const { name, prefix } = await newProjection();
    const first = await store.append(uniqueStream(), makeEvents(10, randomUUID(), `${prefix}Happened`), 'no_stream');
    const a = new ProjectionRunner(store, ds, countingProjection(name, prefix), { idleMs: 5 });
    await a.start();
    await a.caughtUpTo(first.lastGlobalPosition);
    await a.stop();
    const second = await store.append(uniqueStream(), makeEvents(10, randomUUID(), `${prefix}Happened`), 'no_stream');
    const b = new ProjectionRunner(store, ds, countingProjection(name, prefix), { idleMs: 5 });
    await b.start();
    await b.caughtUpTo(second.lastGlobalPosition);
    await b.stop();
    const rows = await counts(name);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.applied === 1)).toBe(true);
  });

  it('rebuilds from zero to the same read model', async () => {
    const { name, prefix } = await newProjection();
    const r = await store.append(uniqueStream(), makeEvents(12, randomUUID(), `${prefix}Happened`), 'no_stream');
    const runner = new ProjectionRunner(store, ds, countingProjection(name, prefix), { batchSize: 5, idleMs: 5 });
    await runner.start();
    await runner.caughtUpTo(r.lastGlobalPosition);
    const before = await counts(name);
    await runner.rebuild();
    await runner.caughtUpTo(r.lastGlobalPosition);
    await runner.stop();
    expect(await counts(name)).toEqual(before);
  });

  it('neither skips nor double-applies when killed with SIGKILL mid-batch', async () => {
    const { name, prefix } = await newProjection();
    const streams = Array.from({ length: 4 }, () => uniqueStream());
    let last = 0;
    for (const s of streams) last = (await store.append(s, makeEvents(50, randomUUID(), `${prefix}Happened`), 'no_stream')).lastGlobalPosition;

    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['-r', join(ROOT, 'tools/register.cjs'), join(ROOT, 'libs/projections/src/testing/crash-child.ts'), testDatabaseUrl(), name, prefix], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let applied = 0;
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (applied += d.length));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Kill it in the middle of a batch: after some applies, not on a batch boundary.
      await waitFor(() => (applied >= 13 + round * 40 ? true : stderr ? Promise.reject(new Error(stderr)) : undefined), 30_000, 5, 'child to apply events');
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    const midway = await counts(name);
    expect(midway.length).toBeLessThan(200);
    expect(midway.every((r) => r.applied === 1)).toBe(true);

    const runner = new ProjectionRunner(store, ds, countingProjection(name, prefix), { idleMs: 5 });
    await runner.start();
    await runner.caughtUpTo(last);
    await runner.stop();
    const rows = await counts(name);
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.applied !== 1)).toEqual([]);
  });
});

describe('ProjectionRunner replicas', () => {
  let owner: Pool;
  let pool: Pool;
  let store: PostgresEventStore;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 2 });
    await migrate(owner, [...eventStoreMigrations, ...projectionMigrations]);
    pool = createPool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool);
  });
  afterAll(async () => {
    for (const ds of sources) await ds.destroy();
    await pool.end();
    await owner.end();
  });

  it('lets several runners of one projection take turns: every event applied once, checkpoint never backwards', async () => {
    const name = `p_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const prefix = `${name}.`;
    await createCountingTable((sql) => owner.query(sql), name);
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await store.append(uniqueStream(), makeEvents(40, randomUUID(), `${prefix}Happened`), 'no_stream')).lastGlobalPosition;

    const checkpoints: number[] = [];
    const watcher = setInterval(() => {
      void owner.query('SELECT position FROM projections.checkpoints WHERE name = $1', [name]).then((r) => r.rows[0] && checkpoints.push(Number(r.rows[0].position)));
    }, 5);
    const runners = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const ds = new DataSource({ type: 'postgres', url: testDatabaseUrl(), extra: { options: '-c role=custodian_runtime', max: 2 } });
        await ds.initialize();
        sources.push(ds);
        const runner = new ProjectionRunner(store, ds, countingProjection(name, prefix, { slowMs: 1 }), { batchSize: 7, idleMs: 2 });
        await runner.start();
        return runner;
      }),
    );
    await Promise.all(runners.map((r) => r.caughtUpTo(last, 30_000)));
    await Promise.all(runners.map((r) => r.stop()));
    clearInterval(watcher);

    const rows = (await owner.query<{ applied: number }>(`SELECT applied FROM projections_test."${name}"`)).rows;
    expect(rows).toHaveLength(240);
    expect(rows.filter((r) => r.applied !== 1)).toEqual([]);
    expect(checkpoints.length).toBeGreaterThan(0);
    expect([...checkpoints].sort((a, b) => a - b)).toEqual(checkpoints);
  });
});
