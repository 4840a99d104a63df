import type { RetryPolicy } from './bus.port';

export interface ResolvedRetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export function resolveRetryPolicy(policy: RetryPolicy = {}): ResolvedRetryPolicy {
  const maxAttempts = policy.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) throw new RangeError(`retry.maxAttempts must be an integer in 1..100 (got ${maxAttempts})`);
  return { maxAttempts, initialBackoffMs: policy.initialBackoffMs ?? 100, maxBackoffMs: policy.maxBackoffMs ?? 2_000 };
}

/** Wait before attempt `attempt + 1` (attempt is 1-based): initial · 2^(attempt-1), capped, ±20 % jitter. */
export function backoffMs(attempt: number, policy: Pick<ResolvedRetryPolicy, 'initialBackoffMs' | 'maxBackoffMs'>, random: () => number = Math.random): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(base * (0.8 + 0.4 * random())));
}

/** `interrupted`: stopped between attempts; the message is neither handled nor dead-lettered. */
export type AttemptOutcome = { kind: 'handled'; attempts: number } | { kind: 'failed'; attempts: number; error: unknown } | { kind: 'interrupted' };

/**
 * Calls `work` until it succeeds or `maxAttempts` calls failed, sleeping the backoff between
 * calls (`beforeRetry` runs before each wait: consumers heartbeat there). Returns `interrupted`
 * when `stopped()` turns true between attempts.
 */
export async function attemptWithBackoff(
  work: () => Promise<void>,
  policy: ResolvedRetryPolicy,
  sleep: (ms: number) => Promise<void>,
  options: { beforeRetry?: () => Promise<void>; stopped?: () => boolean } = {},
): Promise<AttemptOutcome> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    try {
      await work();
      return { kind: 'handled', attempts: attempt };
    } catch (error) {
      lastError = error;
    }
    if (attempt === policy.maxAttempts) break;
    if (options.stopped?.()) return { kind: 'interrupted' };
    await options.beforeRetry?.();
    await sleep(backoffMs(attempt, policy));
    if (options.stopped?.()) return { kind: 'interrupted' };
  }
  return { kind: 'failed', attempts: policy.maxAttempts, error: lastError };
}

/** The error text stored with a dead letter: the message (and code, when it has one), bounded. */
export function describeError(error: unknown, max = 2_000): string {
  let text: string;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    text = `${error.name}: ${error.message}${typeof code === 'string' ? ` [${code}]` : ''}`;
  } else {
    text = String(error);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
