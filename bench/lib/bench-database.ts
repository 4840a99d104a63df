import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, createDatabase, dropDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@custodian/testing';

/**
 * A fresh, throw-away database for one benchmark run, on a server chosen like the test suite
 * chooses (tools/jest/global-setup.ts):
 * 1. DATABASE_URL, when set (a superuser/owner URL on the maintenance database);
 * 2. postgres://postgres@127.0.0.1:5432/postgres, when it answers;
 * 3. an embedded PostgreSQL started in a temp dir for the run.
 *
 * `dispose()` runs the cleanups registered with `onCleanup` (close your pools there: dropping
 * the database terminates every session still open on it), drops the database, stops the
 * embedded server and removes its temp dir. It is idempotent, never throws, and also runs on
 * SIGINT/SIGTERM (then the process exits 130/143), so an interrupted run leaves nothing behind.
 */
export interface BenchDatabase {
  /** Human-readable origin of the server: 'DATABASE_URL', '127.0.0.1:5432' or 'embedded PostgreSQL (...)'. */
  source: string;
  /** Owner connection string of the fresh database (run migrations with it; runtime pools go on top). */
  url: string;
  /** Name of the fresh database (`<prefix>_<timestamp>`). */
  name: string;
  /** True once SIGINT/SIGTERM started the cleanup: failures after that are the interruption's. */
  readonly interrupted: boolean;
  /** Registers work to run at dispose before the drop, last registered first; each is bounded to 5 s. */
  onCleanup(cleanup: () => Promise<void>): void;
  dispose(): Promise<void>;
}

export interface OpenBenchDatabaseOptions {
  /** Database name prefix. @defaultValue 'custodian_bench' */
  prefix?: string;
  /** The local server probed when DATABASE_URL is unset. @defaultValue postgres://postgres@127.0.0.1:5432/postgres */
  localUrl?: string;
  /** Progress messages (server start, drop). @defaultValue nothing */
  log?: (message: string) => void;
}

const DEFAULT_LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const CLEANUP_TIMEOUT_MS = 5_000;

export async function openBenchDatabase(options: OpenBenchDatabaseOptions = {}): Promise<BenchDatabase> {
  const log = options.log ?? (() => undefined);
  const localUrl = options.localUrl ?? DEFAULT_LOCAL_URL;
  let adminUrl = process.env.DATABASE_URL;
  let source = 'DATABASE_URL';
  let embedded: EmbeddedPostgresHandle | undefined;
  let embeddedDir: string | undefined;
  if (!adminUrl) {
    if (await canConnect(localUrl)) {
      adminUrl = localUrl;
      source = new URL(localUrl).host;
    } else {
      embeddedDir = mkdtempSync(join(tmpdir(), 'custodian-bench-pg-'));
      const port = 20000 + Math.floor(Math.random() * 20000);
      log(`no PostgreSQL at ${new URL(localUrl).host}: starting an embedded one in ${embeddedDir} on port ${port}`);
      try {
        embedded = await startEmbeddedPostgres({ dataDir: embeddedDir, port, password: 'bench' });
      } catch (error) {
        rmSync(embeddedDir, { recursive: true, force: true });
        throw error;
      }
      adminUrl = embedded.url;
      source = `embedded PostgreSQL (port ${port})`;
    }
  }
  const admin = adminUrl;

  let disposed: Promise<void> | undefined;
  let interrupted = false;
  let name = '';
  const cleanups: (() => Promise<void>)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(() => resolve(log('a cleanup did not finish within 5 s: going on')), CLEANUP_TIMEOUT_MS)));
      await Promise.race([cleanup().catch((e: unknown) => log(`cleanup failed: ${String(e)}`)), timeout]);
      clearTimeout(timer);
    }
  };
  const stopServer = async () => {
    if (embedded) await embedded.stop().catch((e: unknown) => log(`embedded PostgreSQL did not stop cleanly: ${String(e)}`));
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    log(`${signal}: cleaning up`);
    void dispose().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const dispose = (): Promise<void> => {
    disposed ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await runCleanups();
      if (name) {
        await dropDatabase(admin, name).then(
          () => log(`dropped database ${name}`),
          (e: unknown) => log(`could not drop database ${name}: ${String(e)}`),
        );
      }
      await stopServer();
    })();
    return disposed;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const candidate = `${options.prefix ?? 'custodian_bench'}_${Date.now()}`;
    const url = await createDatabase(admin, candidate);
    name = candidate;
    return {
      source,
      url,
      name,
      get interrupted() {
        return interrupted;
      },
      onCleanup: (cleanup) => void cleanups.push(cleanup),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
