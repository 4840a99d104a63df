import { randomUUID } from 'node:crypto';
import { testDatabaseUrl, waitFor } from '@custodian/testing';
import { createPool, SessionLock } from '@custodian/platform';
import { busLock } from './advisory-lock';

/** The platform's SessionLock, as the bus uses it (busLock) and as the ledger and webhooks do. */
describe('SessionLock', () => {
  const pool = createPool({ connectionString: testDatabaseUrl(), max: 4 });
  const admin = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 1 });
  afterAll(async () => {
    await pool.end();
    await admin.end();
  });

  it('has one holder at a time; a release hands it over', async () => {
    const name = randomUUID();
    const [a, b] = [busLock(pool, name), busLock(pool, name)];
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect([a.held, b.held]).toEqual([true, false]);
    await a.release();
    expect(await b.tryAcquire()).toBe(true);
    await b.release();
  });

  it('notices a session cut under it: no uncaught error, held turns false, writes through it fail, another takes it', async () => {
    const name = randomUUID();
    const lost: string[] = [];
    const lock = new SessionLock(pool, 42, name, { onLost: (e) => void lost.push(e.message) });
    expect(await lock.tryAcquire()).toBe(true);
    const [{ pid }] = await lock.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(async () => (lost.length > 0 ? true : undefined), 5_000, 20, 'the loss to be noticed');
    expect(lock.held).toBe(false);
    await expect(lock.query('SELECT 1')).rejects.toThrow(/not held/);
    const other = new SessionLock(pool, 42, name);
    expect(await other.tryAcquire()).toBe(true);
    await other.release();
  });
});
