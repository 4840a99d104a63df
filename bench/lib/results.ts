import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/**
 * The result file every benchmark writes (`bench/results/<bench>.json`), one shape for all:
 *
 *   { "bench": "<name>", "at": "<ISO time>", "machine": { "cpus": n, "node": "vX.Y.Z" },
 *     "postgres"?: "<where the server came from>",
 *     "metrics": { "<metric>": { "value": n, "unit": "events/s" | "ms", "target": n | null, "note"?: "..." } } }
 *
 * Required keys are exactly those above; `postgres` and `note` are optional extras. Readers
 * (CI trend charts, later benchmarks) may rely on the required keys and must ignore unknown ones.
 */

/** Unit of a metric. A throughput ('events/s') passes at or above its target, a latency ('ms') at or below. */
/** Units; 'ms' and 'count' are lower-is-better, rates higher-is-better. */
export type BenchUnit = 'events/s' | 'requests/s' | 'ms' | 'count';

export interface BenchMetric {
  value: number;
  unit: BenchUnit;
  /** The value the metric should reach; null for metrics recorded for information only. */
  target: number | null;
  /** Free text that qualifies the number (concurrency, batch size, bounds hit). */
  note?: string;
}

export type BenchMetrics = Record<string, BenchMetric>;

export interface BenchResults {
  bench: string;
  at: string;
  machine: { cpus: number; node: string };
  postgres?: string;
  metrics: BenchMetrics;
}

export interface BenchResultsExtra {
  /** Where the PostgreSQL server came from (see bench-database.ts). */
  postgres?: string;
  /** Timestamp of the run. @defaultValue new Date() */
  at?: Date;
}

/** `bench/results`, next to this folder. */
export const DEFAULT_RESULTS_DIR = join(__dirname, '..', 'results');

/** Builds the result document (exact key order as documented above). Pure, for tests and writers. */
export function buildBenchResults(bench: string, metrics: BenchMetrics, extra: BenchResultsExtra = {}): BenchResults {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(bench)) throw new Error(`bench name must be a lowercase file-safe word (got ${JSON.stringify(bench)})`);
  const cleaned: BenchMetrics = {};
  for (const [name, m] of Object.entries(metrics)) {
    if (!Number.isFinite(m.value)) throw new Error(`metric ${name} has a non-finite value ${m.value}`);
    if (m.target !== null && !Number.isFinite(m.target)) throw new Error(`metric ${name} has a non-finite target ${m.target}`);
    cleaned[name] = { value: m.value, unit: m.unit, target: m.target, ...(m.note !== undefined ? { note: m.note } : {}) };
  }
  return {
    bench,
    at: (extra.at ?? new Date()).toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    ...(extra.postgres !== undefined ? { postgres: extra.postgres } : {}),
    metrics: cleaned,
  };
}

/**
 * Writes `<outDir>/<bench>.json` (creating `outDir`) and returns its path. Overwrites the
 * previous result of the same bench: the file is the latest run, history lives elsewhere.
 */
export function writeBenchResults(bench: string, metrics: BenchMetrics, outDir: string = DEFAULT_RESULTS_DIR, extra: BenchResultsExtra = {}): string {
  const doc = buildBenchResults(bench, metrics, extra);
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `${bench}.json`);
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`, 'utf8');
  return path;
}

/** 'pass' / 'fail' against the target (direction from the unit), '-' when there is no target. */
export function verdict(m: BenchMetric): 'pass' | 'fail' | '-' {
  if (m.target === null) return '-';
  const lowerIsBetter = m.unit === 'ms' || m.unit === 'count';
  const ok = lowerIsBetter ? m.value <= m.target : m.value >= m.target;
  return ok ? 'pass' : 'fail';
}

/** A plain-text table of the metrics: name, value, unit, target, pass/fail. */
export function formatBenchTable(metrics: BenchMetrics): string {
  const rows = [
    ['metric', 'value', 'unit', 'target', 'result'],
    ...Object.entries(metrics).map(([name, m]) => [name, formatNumber(m.value), m.unit, m.target === null ? '-' : formatNumber(m.target), verdict(m)]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 || c === 2 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function formatNumber(v: number): string {
  return Math.abs(v) >= 100 ? Math.round(v).toString() : v.toFixed(2);
}
