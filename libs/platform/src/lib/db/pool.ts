import { Pool, types, type PoolConfig } from 'pg';
import { RUNTIME_ROLE } from './migrations';

// int8 (bigint) as JS number: positions and counts stay far below 2^53.
types.setTypeParser(20, (v) => Number(v));

export interface PoolOptions {
  connectionString: string;
  /** Maximum connections. @defaultValue 10 */
  max?: number;
  /**
   * Run every session as the restricted runtime role (SET ROLE), so the process cannot
   * UPDATE or DELETE stored events even with an owner's connection string. @defaultValue true
   */
  runtimeRole?: boolean;
  applicationName?: string;
}

/** A pg pool; sessions assume the runtime role unless told otherwise (migrations, admin tools). */
export function createPool(options: PoolOptions): Pool {
  const config: PoolConfig = {
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'custodian',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    // Set at connection start-up, so a session that cannot assume the role fails to connect
    // instead of silently running with the owner's rights.
    ...(options.runtimeRole !== false ? { options: `-c role=${RUNTIME_ROLE}` } : {}),
  };
  const pool = new Pool(config);
  // An idle client that errors (server restart) must not crash the process; the pool drops it.
  pool.on('error', () => undefined);
  return pool;
}
