import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the CPU goes during a benchmark phase: this Node process versus the PostgreSQL server
 * processes, when the server runs on this machine (Linux /proc). Diagnostic only: a missing
 * /proc or unreadable process just yields null for PostgreSQL.
 */
export interface CpuSample {
  atMs: number;
  /** User + system CPU of this process, microseconds. */
  nodeUs: number;
  /** Sum of user + system CPU of every process named 'postgres', microseconds; null when unknown. */
  postgresUs: number | null;
}

/** CPU use between two samples, in percent of one core (200 = two cores busy). */
export interface CpuShare {
  nodePct: number;
  postgresPct: number | null;
}

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

export function sampleCpu(includePostgres: boolean): CpuSample {
  const u = process.cpuUsage();
  return { atMs: performance.now(), nodeUs: u.user + u.system, postgresUs: includePostgres ? postgresCpuUs() : null };
}

export function cpuShare(from: CpuSample, to: CpuSample): CpuShare {
  const wallUs = Math.max(1, (to.atMs - from.atMs) * 1000);
  return {
    nodePct: Math.round(((to.nodeUs - from.nodeUs) / wallUs) * 100),
    // Backends that exit between the samples take their CPU with them: a lower bound.
    postgresPct: from.postgresUs === null || to.postgresUs === null ? null : Math.round((Math.max(0, to.postgresUs - from.postgresUs) / wallUs) * 100),
  };
}

export function formatCpuShare(s: CpuShare): string {
  return `cpu node ${s.nodePct}%${s.postgresPct === null ? '' : `, postgres ${s.postgresPct}%`} (of one core)`;
}

function postgresCpuUs(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid ..." — comm may contain spaces, so split after the last ')'.
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      if (stat.slice(open + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      // Fields after comm start at field 3 (state); utime is field 14, stime field 15.
      ticks += Number(fields[14 - 3]) + Number(fields[15 - 3]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1_000_000;
}
