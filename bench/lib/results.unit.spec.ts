import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBenchTable, verdict, writeBenchResults, type BenchMetrics } from './results';

describe('writeBenchResults', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'custodian-bench-results-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const metrics: BenchMetrics = {
    append_single_8_writers: { value: 8123, unit: 'events/s', target: 8000 },
    append_single_p99_ms: { value: 4.25, unit: 'ms', target: null },
  };

  it('writes <dir>/<bench>.json in the shared shape, exactly', () => {
    const at = new Date('2025-01-02T03:04:05.678Z');
    const path = writeBenchResults('store', metrics, join(dir, 'nested', 'results'), { at });
    expect(path).toBe(join(dir, 'nested', 'results', 'store.json'));
    const written: unknown = JSON.parse(readFileSync(path, 'utf8'));
    expect(written).toStrictEqual({
      bench: 'store',
      at: '2025-01-02T03:04:05.678Z',
      machine: { cpus: cpus().length, node: process.version },
      metrics: {
        append_single_8_writers: { value: 8123, unit: 'events/s', target: 8000 },
        append_single_p99_ms: { value: 4.25, unit: 'ms', target: null },
      },
    });
    expect(Object.keys(written as object)).toEqual(['bench', 'at', 'machine', 'metrics']);
  });

  it('adds the optional postgres source and metric notes when given, and an ISO time by default', () => {
    const path = writeBenchResults('store', { readall_replay: { value: 1, unit: 'events/s', target: 2, note: 'one reader' } }, dir, { postgres: '127.0.0.1:5432' });
    const written = JSON.parse(readFileSync(path, 'utf8')) as { at: string; postgres: string; metrics: BenchMetrics };
    expect(written.postgres).toBe('127.0.0.1:5432');
    expect(written.metrics.readall_replay).toStrictEqual({ value: 1, unit: 'events/s', target: 2, note: 'one reader' });
    expect(new Date(written.at).toISOString()).toBe(written.at);
  });

  it('overwrites the previous result of the same bench', () => {
    writeBenchResults('store', metrics, dir);
    const path = writeBenchResults('store', { verify_stream: { value: 5, unit: 'events/s', target: null } }, dir);
    expect(Object.keys((JSON.parse(readFileSync(path, 'utf8')) as { metrics: object }).metrics)).toEqual(['verify_stream']);
  });

  it('refuses non-finite values and names that are not file-safe', () => {
    expect(() => writeBenchResults('store', { x: { value: Number.NaN, unit: 'ms', target: null } }, dir)).toThrow(/non-finite/);
    expect(() => writeBenchResults('../store', metrics, dir)).toThrow(/file-safe/);
  });
});

describe('verdict and formatBenchTable', () => {
  it('passes throughput at or above its target, latency at or below, and has no verdict without a target', () => {
    expect(verdict({ value: 8000, unit: 'events/s', target: 8000 })).toBe('pass');
    expect(verdict({ value: 7999, unit: 'events/s', target: 8000 })).toBe('fail');
    expect(verdict({ value: 5, unit: 'ms', target: 10 })).toBe('pass');
    expect(verdict({ value: 11, unit: 'ms', target: 10 })).toBe('fail');
    expect(verdict({ value: 1, unit: 'ms', target: null })).toBe('-');
  });

  it('judges counts (failures) lower-is-better and request rates higher-is-better', () => {
    expect(verdict({ value: 0, unit: 'count', target: 0 })).toBe('pass');
    expect(verdict({ value: 1, unit: 'count', target: 0 })).toBe('fail');
    expect(verdict({ value: 200, unit: 'requests/s', target: 100 })).toBe('pass');
    expect(verdict({ value: 99, unit: 'requests/s', target: 100 })).toBe('fail');
  });

  it('prints one row per metric with value, unit, target and result', () => {
    const table = formatBenchTable({
      append_batch_100: { value: 41234.4, unit: 'events/s', target: 40000 },
      append_single_p50_ms: { value: 1.234, unit: 'ms', target: null },
    }).split('\n');
    expect(table[0]).toMatch(/^metric\s+value\s+unit\s+target\s+result$/);
    expect(table[2]).toMatch(/^append_batch_100\s+41234\s+events\/s\s+40000\s+pass$/);
    expect(table[3]).toMatch(/^append_single_p50_ms\s+1\.23\s+ms\s+-\s+-$/);
  });
});
