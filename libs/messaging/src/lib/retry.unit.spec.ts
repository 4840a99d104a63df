import { attemptWithBackoff, backoffMs, describeError, resolveRetryPolicy } from './retry';

describe('retry policy', () => {
  const policy = resolveRetryPolicy({ maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 300 });

  it('doubles the wait per attempt, capped, within ±20 % jitter', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, policy, () => 0.5))).toEqual([100, 200, 300, 300]);
    expect(backoffMs(1, policy, () => 0)).toBe(80);
    expect(backoffMs(1, policy, () => 1)).toBe(120);
  });

  it('defaults to 5 attempts from 100 ms to 2 s and refuses nonsense', () => {
    expect(resolveRetryPolicy()).toEqual({ maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 2_000 });
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
  });

  it('given a handler that fails twice, when attempted, then it succeeds on the third call after two waits', async () => {
    const waits: number[] = [];
    let calls = 0;
    const outcome = await attemptWithBackoff(async () => {
      if (++calls < 3) throw new Error('transient');
    }, policy, async (ms) => void waits.push(ms));
    expect(outcome).toEqual({ kind: 'handled', attempts: 3 });
    expect(waits).toHaveLength(2);
  });

  it('given a handler that always fails, when attempted, then it gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    const outcome = await attemptWithBackoff(async () => {
      throw new Error(`failure ${++calls}`);
    }, policy, async () => undefined);
    expect(outcome).toMatchObject({ kind: 'failed', attempts: 4, error: new Error('failure 4') });
  });

  it('given a stop between attempts, when attempted, then it reports interrupted (neither handled nor failed)', async () => {
    let stopped = false;
    const outcome = await attemptWithBackoff(async () => {
      stopped = true;
      throw new Error('x');
    }, policy, async () => undefined, { stopped: () => stopped });
    expect(outcome).toEqual({ kind: 'interrupted' });
  });

  it('describes an error with its code, bounded', () => {
    expect(describeError(Object.assign(new Error('boom'), { code: 'E1' }))).toBe('Error: boom [E1]');
    expect(describeError('x'.repeat(5_000), 10)).toHaveLength(10);
  });
});
