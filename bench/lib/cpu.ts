import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the CPU goes during a benchmark phase: this Node process, the PostgreSQL server
 * processes (when the server runs on this machine) and everything else on the machine (other
 * load skews the numbers: say so next to them). Linux /proc; diagnostic only: where /proc is
 * missing or unreadable the PostgreSQL and machine figures are null.
 */
export interface CpuSample {
  atMs: number;
  /** User + system CPU of this process, microseconds. */
  nodeUs: number;
  /**
   * User + system CPU, by pid, of the PostgreSQL processes working for the benchmark, microseconds: the
   * backends of its database plus the server's shared processes (WAL writer, checkpointer...).
   * Backends of other databases on a shared server count as 'other'. Null when unknown.
   */
  postgresUs: Map<number, { us: number; shared: boolean }> | null;
  /** Busy CPU of the whole machine (all cores, /proc/stat), microseconds; null when unknown. */
  machineUs: number | null;
}

/** CPU use between two samples, in percent of one core (200 = two cores busy). */
export interface CpuShare {
  nodePct: number;
  postgresPct: number | null;
  /** The part of postgresPct spent by the server's shared processes (WAL writer, checkpointer...). */
  postgresSharedPct: number | null;
  /** Machine busy time not spent by this process or PostgreSQL: concurrent load. */
  otherPct: number | null;
}

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** The local PostgreSQL server serving the benchmark: its postmaster and the benchmark's database. */
export interface LocalPostgres {
  postmasterPid: number;
  database: string;
}

/**
 * Finds the server of a session from its backend pid (`SELECT pg_backend_pid()`), or null when
 * that pid is not a PostgreSQL backend of `database` on this machine (remote or containerised
 * server: its CPU is then not measured).
 */
export function findLocalPostgres(backendPid: number, database: string): LocalPostgres | null {
  const stat = readStat(backendPid);
  if (!stat || stat.comm !== 'postgres' || !readTitle(backendPid).includes(` ${database} `)) return null;
  return { postmasterPid: stat.ppid, database };
}

export function sampleCpu(postgres: LocalPostgres | null): CpuSample {
  const u = process.cpuUsage();
  return { atMs: performance.now(), nodeUs: u.user + u.system, postgresUs: postgres === null ? null : postgresCpuUs(postgres), machineUs: machineBusyUs() };
}

export function cpuShare(from: CpuSample, to: CpuSample): CpuShare {
  const wallUs = Math.max(1, (to.atMs - from.atMs) * 1000);
  const pct = (us: number) => Math.round((us / wallUs) * 100);
  const nodeUs = to.nodeUs - from.nodeUs;
  // Per process, so a backend the pool closes meanwhile does not subtract its lifetime CPU; its
  // CPU since `from` is lost with it (a lower bound, small: the pool closes idle backends).
  const spent = (shared: boolean | undefined) =>
    from.postgresUs === null || to.postgresUs === null
      ? null
      : [...to.postgresUs].reduce((sum, [pid, p]) => (shared === undefined || p.shared === shared ? sum + p.us - (from.postgresUs?.get(pid)?.us ?? 0) : sum), 0);
  const postgresUs = spent(undefined);
  const sharedUs = spent(true);
  const machineUs = from.machineUs === null || to.machineUs === null ? null : to.machineUs - from.machineUs;
  return {
    nodePct: pct(nodeUs),
    postgresPct: postgresUs === null ? null : pct(postgresUs),
    postgresSharedPct: sharedUs === null ? null : pct(sharedUs),
    otherPct: machineUs === null ? null : pct(Math.max(0, machineUs - nodeUs - (postgresUs ?? 0))),
  };
}

export function formatCpuShare(s: CpuShare): string {
  const parts = [`node ${s.nodePct}%`];
  if (s.postgresPct !== null) parts.push(`postgres ${s.postgresPct}% (shared processes ${s.postgresSharedPct ?? 0}%)`);
  if (s.otherPct !== null) parts.push(`other ${s.otherPct}%`);
  return `cpu ${parts.join(', ')} (100% = one core)`;
}

function machineBusyUs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice" (clock ticks, all cores).
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user + nice + system + irq + softirq + (steal || 0)) / CLOCK_TICKS_PER_SECOND) * 1_000_000;
  } catch {
    return null;
  }
}

function postgresCpuUs(server: LocalPostgres): Map<number, { us: number; shared: boolean }> | null {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return null;
  }
  const byPid = new Map<number, { us: number; shared: boolean }>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat || stat.comm !== 'postgres' || (pid !== server.postmasterPid && stat.ppid !== server.postmasterPid)) continue;
    // Process title: "postgres: <user> <db> <host>(<port>) <state>" for a client backend,
    // "postgres: walwriter" etc. for shared ones. Other databases' backends are not ours.
    const title = readTitle(pid);
    const backend = title.includes('(');
    if (backend && !title.includes(` ${server.database} `)) continue;
    byPid.set(pid, { us: (stat.cpuTicks / CLOCK_TICKS_PER_SECOND) * 1_000_000, shared: !backend });
  }
  return byPid;
}

/** /proc/<pid>/stat: command name, parent pid and user + system CPU in clock ticks; null once gone. */
function readStat(pid: number): { comm: string; ppid: number; cpuTicks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..." — comm may contain spaces, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // Fields after comm start at field 3 (state): ppid is field 4, utime 14, stime 15.
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(fields[4 - 3]), cpuTicks: Number(fields[14 - 3]) + Number(fields[15 - 3]) };
  } catch {
    return null;
  }
}

function readTitle(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
