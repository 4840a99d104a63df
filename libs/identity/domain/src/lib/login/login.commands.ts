import type { SessionRevocationReason } from '@custodian/identity/contracts';
import type { Command } from '@custodian/kernel';
import type { LockoutPolicy } from './login-policy';

/**
 * Record a login attempt whose password the app layer has already checked (`passwordMatched`),
 * for a user whose user stream says `accountDisabled`. `ip` / `userAgent` are null when the
 * transport had none.
 */
export type RecordLoginAttempt = Command<
  'RecordLoginAttempt',
  { tenantId: string; userId: string; at: string; ip: string | null; userAgent: string | null; passwordMatched: boolean; accountDisabled: boolean; policy: LockoutPolicy }
>;

/** End a session (refresh-token family). */
export type RevokeSession = Command<'RevokeSession', { tenantId: string; userId: string; sessionId: string; reason: SessionRevocationReason; at: string }>;
