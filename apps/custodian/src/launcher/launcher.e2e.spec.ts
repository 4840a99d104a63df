import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@custodian/platform';

const ROOT = join(__dirname, '../../../..');
const ENTRY = [join(ROOT, 'apps/custodian/src/main.ts'), 'start'];
const REGISTER = join(ROOT, 'tools/register.cjs');

interface Started {
  child: ChildProcess;
  output: () => string;
  token: string;
  exited: Promise<number | null>;
}

/** `custodian start` as a user runs it (embedded PostgreSQL), waiting for the ready banner. */
async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['-r', REGISTER, ...ENTRY], { cwd: ROOT, env: { ...process.env, ...env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  while (!/Bootstrap token: (\S+)/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`custodian start did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out, token: /Bootstrap token: (\S+)/.exec(out)?.[1] ?? '', exited };
}

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, string> });

/**
 * The first of the README's two commands, end to end: `npm start` with no configuration runs
 * an embedded PostgreSQL and every service, stops cleanly on Ctrl-C (SIGINT), and a second
 * start reuses the data.
 */
describe('custodian start (embedded default)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts, serves, stops on SIGINT, and restarts on the same data', async () => {
    const env = { CUSTODIAN_DATA_DIR: dataDir, PORT: String(await freePort()), IDENTITY_PORT: String(await freePort()), SCHEDULING_PORT: String(await freePort()), RECORDS_PORT: String(await freePort()), LOG_LEVEL: 'error' };
    const api = `http://127.0.0.1:${env.PORT}`;
    const first = await start(env);
    expect(first.output()).toContain(`API:             ${api}/v1`);
    expect(first.output()).toContain(`${api}/docs`);
    expect(first.output()).toMatch(/CUSTODIAN_MASTER_KEY is not set/);

    const owner = { email: 'ana@example.com', name: 'Ana', password: 'a long passphrase' };
    const created = await json(
      await fetch(`${api}/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Launcher Test Cleaning', owner }),
        signal: AbortSignal.timeout(10_000),
      }),
    );
    expect(created.status).toBe(201);

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('[custodian] stopped');
    // Nothing of it is left running: no service process, no PostgreSQL on that data dir.
    const left = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(dataDir) || l.includes(`IDENTITY_PORT=${env.IDENTITY_PORT}`));
    expect(left).toEqual([]);

    const second = await start(env);
    try {
      expect(second.output()).toMatch(/using the key kept in/);
      const login = await json(
        await fetch(`${api}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tenantId: created.body['tenantId'], email: owner.email, password: owner.password }),
          signal: AbortSignal.timeout(10_000),
        }),
      );
      expect(login.status).toBe(200);
    } finally {
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    }
  });

  it('refuses invalid configuration, naming each variable', () => {
    const res = spawnSync(process.execPath, ['-r', REGISTER, ...ENTRY], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'abc', DATABASE_URL: 'mysql://nope', CUSTODIAN_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/PORT must be an integer/);
    expect(res.stderr).toMatch(/DATABASE_URL must be a postgres/);
  });

  it('requires a master key when DATABASE_URL is set', () => {
    const res = spawnSync(process.execPath, ['-r', REGISTER, ...ENTRY], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', CUSTODIAN_MASTER_KEY: '', CUSTODIAN_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/CUSTODIAN_MASTER_KEY is required when DATABASE_URL is set/);
  });
});
