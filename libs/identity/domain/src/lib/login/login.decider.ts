import type { LoginEvent } from '@custodian/identity/contracts';
import { SESSION_REVOCATION_REASONS } from '@custodian/identity/contracts';
import type { Decider } from '@custodian/kernel';
import { assertNever } from '@custodian/kernel';
import { invalid, requireBoolean, requireNullableText, requireText, requireTimestamp } from '@custodian/kernel';
import type { RecordLoginAttempt, RevokeSession } from './login.commands';
import type { LockoutPolicy } from './login-policy';

export type LoginCommand = RecordLoginAttempt | RevokeSession;

/** Failures kept in state (the newest); a policy may count at most this many. */
export const MAX_REMEMBERED_FAILURES = 100;

/** State of stream `identity-logins-<userId>`. */
export type LoginState = {
  /** Times of failed password attempts since the last success or lock (oldest first). */
  failures: string[];
  /** While set and in the future, every attempt is refused without checking the password. */
  lockedUntil: string | null;
  /** Sessions already ended (revoking one again emits nothing). */
  revokedSessions: string[];
};

/**
 * Login attempts and lockout for one user.
 * - During a lock every attempt is LoginBlocked, right password or not.
 * - A disabled account's attempt is LoginFailed `disabled` and does not count toward a lock.
 * - A wrong password is LoginFailed `bad_password`; when it is the `maxFailures`-th failure
 *   inside `windowSeconds`, AccountLocked follows in the same append (until = at + lockSeconds).
 * - A right password is LoginSucceeded and clears the failure count.
 * The caller always answers the same 401 for blocked, disabled and bad-password attempts.
 */
export const loginDecider: Decider<LoginState, LoginCommand, LoginEvent> = {
  initialState: () => ({ failures: [], lockedUntil: null, revokedSessions: [] }),
  decide(command, state) {
    switch (command.type) {
      case 'RecordLoginAttempt':
        return recordAttempt(command, state);
      case 'RevokeSession':
        return revokeSession(command, state);
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'identity.LoginSucceeded':
        return { ...state, failures: [] };
      case 'identity.LoginFailed':
        return event.data.reason === 'bad_password' ? { ...state, failures: [...state.failures, event.data.at].slice(-MAX_REMEMBERED_FAILURES) } : state;
      case 'identity.AccountLocked':
        return { ...state, failures: [], lockedUntil: event.data.until };
      case 'identity.LoginBlocked':
        return state;
      case 'identity.SessionRevoked':
        return { ...state, revokedSessions: [...state.revokedSessions, event.data.sessionId] };
      default:
        return assertNever(event, 'event');
    }
  },
};

function recordAttempt({ data }: RecordLoginAttempt, state: LoginState): LoginEvent[] {
  const tenantId = requireText(data.tenantId, 'tenantId');
  const userId = requireText(data.userId, 'userId');
  const at = requireTimestamp(data.at, 'at');
  const ip = requireNullableText(data.ip, 'ip');
  const userAgent = requireNullableText(data.userAgent, 'userAgent');
  const matched = requireBoolean(data.passwordMatched, 'passwordMatched');
  const disabled = requireBoolean(data.accountDisabled, 'accountDisabled');
  const policy = validPolicy(data.policy);
  const now = Date.parse(at);
  const base = { tenantId, userId, at, ip, userAgent };

  if (state.lockedUntil && now < Date.parse(state.lockedUntil)) {
    return [{ type: 'identity.LoginBlocked', schemaVersion: 1, data: { ...base, lockedUntil: state.lockedUntil } }];
  }
  if (disabled) return [{ type: 'identity.LoginFailed', schemaVersion: 1, data: { ...base, reason: 'disabled' } }];
  if (matched) return [{ type: 'identity.LoginSucceeded', schemaVersion: 1, data: base }];

  const windowStart = now - policy.windowSeconds * 1000;
  const recent = state.failures.filter((t) => Date.parse(t) > windowStart).length + 1;
  const failed: LoginEvent = { type: 'identity.LoginFailed', schemaVersion: 1, data: { ...base, reason: 'bad_password' } };
  if (recent < policy.maxFailures) return [failed];
  const until = new Date(now + policy.lockSeconds * 1000).toISOString();
  return [failed, { type: 'identity.AccountLocked', schemaVersion: 1, data: { tenantId, userId, at, until, failures: recent } }];
}

function revokeSession({ data }: RevokeSession, state: LoginState): LoginEvent[] {
  const sessionId = requireText(data.sessionId, 'sessionId');
  if (!SESSION_REVOCATION_REASONS.includes(data.reason)) throw invalid('reason', `Unknown revocation reason ${String(data.reason)}`);
  const at = requireTimestamp(data.at, 'at');
  if (state.revokedSessions.includes(sessionId)) return [];
  return [
    {
      type: 'identity.SessionRevoked',
      schemaVersion: 1,
      data: { tenantId: requireText(data.tenantId, 'tenantId'), userId: requireText(data.userId, 'userId'), sessionId, reason: data.reason, at },
    },
  ];
}

function validPolicy(policy: LockoutPolicy): LockoutPolicy {
  const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0;
  if (!policy || !ok(policy.maxFailures) || !ok(policy.windowSeconds) || !ok(policy.lockSeconds)) throw invalid('policy', 'The lockout policy needs positive integers');
  if (policy.maxFailures > MAX_REMEMBERED_FAILURES) throw invalid('policy', `maxFailures must be at most ${MAX_REMEMBERED_FAILURES}`);
  return policy;
}
