/** Lockout policy: `maxFailures` failed logins within `windowSeconds` lock the account for `lockSeconds`. */
export type LockoutPolicy = { maxFailures: number; windowSeconds: number; lockSeconds: number };

/** 5 failures in 15 minutes → 15 minutes locked. */
export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = { maxFailures: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 };
