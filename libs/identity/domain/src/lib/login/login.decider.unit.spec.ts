import type { AccountLocked, LoginBlocked, LoginEvent, LoginFailed, LoginSucceeded, SessionRevoked } from '@custodian/identity/contracts';
import { ValidationError } from '@custodian/kernel';
import { deciderSpec } from '@custodian/testing';
import type { RecordLoginAttempt, RevokeSession } from './login.commands';
import { loginDecider } from './login.decider';
import { DEFAULT_LOCKOUT_POLICY, type LockoutPolicy } from './login-policy';

const spec = deciderSpec(loginDecider);
const tenantId = 'tenant-1';
const userId = 'user-1';
const t0 = Date.parse('2025-03-14T10:00:00.000Z');
/** The time `minutes` (may be fractional) after 10:00. */
const min = (minutes: number): string => new Date(t0 + minutes * 60_000).toISOString();
/** One millisecond before `min(minutes)`. */
const justBefore = (minutes: number): string => new Date(t0 + minutes * 60_000 - 1).toISOString();
const client = { ip: '203.0.113.7', userAgent: 'curl/8' };

// ---- commands ----
const attempt = (at: string, passwordMatched: boolean, overrides: Partial<RecordLoginAttempt['data']> = {}): RecordLoginAttempt => ({
  type: 'RecordLoginAttempt',
  data: { tenantId, userId, at, ...client, passwordMatched, accountDisabled: false, policy: DEFAULT_LOCKOUT_POLICY, ...overrides },
});
const revokeSession = (sessionId: string, overrides: Partial<RevokeSession['data']> = {}): RevokeSession => ({
  type: 'RevokeSession',
  data: { tenantId, userId, sessionId, reason: 'logout', at: min(0), ...overrides },
});

// ---- events ----
const succeeded = (at: string): LoginSucceeded => ({ type: 'identity.LoginSucceeded', schemaVersion: 1, data: { tenantId, userId, at, ...client } });
const failed = (at: string, reason: LoginFailed['data']['reason'] = 'bad_password'): LoginFailed => ({
  type: 'identity.LoginFailed',
  schemaVersion: 1,
  data: { tenantId, userId, at, ...client, reason },
});
const locked = (at: string, until: string, failures = 5): AccountLocked => ({
  type: 'identity.AccountLocked',
  schemaVersion: 1,
  data: { tenantId, userId, at, until, failures },
});
const blocked = (at: string, lockedUntil: string): LoginBlocked => ({
  type: 'identity.LoginBlocked',
  schemaVersion: 1,
  data: { tenantId, userId, at, ...client, lockedUntil },
});
const sessionRevoked = (sessionId: string, reason: SessionRevoked['data']['reason'] = 'logout'): SessionRevoked => ({
  type: 'identity.SessionRevoked',
  schemaVersion: 1,
  data: { tenantId, userId, sessionId, reason, at: min(0) },
});

/** `n` bad passwords, one a minute from 10:00. */
const failures = (n: number, fromMinute = 0): LoginFailed[] => Array.from({ length: n }, (_, i) => failed(min(fromMinute + i)));
/** Locked at 10:04 until 10:19 after five failures. */
const lockedHistory = (): LoginEvent[] => [...failures(5), locked(min(4), min(19))];

describe('login decider', () => {
  describe('RecordLoginAttempt', () => {
    it('records a success when the password matched', () => {
      spec.given([]).when(attempt(min(0), true)).then([succeeded(min(0))]);
    });

    it('records a bad password', () => {
      spec.given([]).when(attempt(min(0), false)).then([failed(min(0))]);
    });

    it('records a missing IP and user agent as null', () => {
      spec
        .given([])
        .when(attempt(min(0), true, { ip: null, userAgent: null }))
        .then([{ ...succeeded(min(0)), data: { ...succeeded(min(0)).data, ip: null, userAgent: null } }]);
    });

    it('refuses a disabled account even with the right password', () => {
      spec.given([]).when(attempt(min(0), true, { accountDisabled: true })).then([failed(min(0), 'disabled')]);
      spec.given([]).when(attempt(min(0), false, { accountDisabled: true })).then([failed(min(0), 'disabled')]);
    });

    it('does not count attempts on a disabled account toward a lock', () => {
      const disabledAttempts = Array.from({ length: 10 }, (_, i) => failed(min(i * 0.1), 'disabled'));
      spec.given([...disabledAttempts, ...failures(3, 1)]).when(attempt(min(5), false)).then([failed(min(5))]);
      spec.given(disabledAttempts).when(attempt(min(2), false)).thenState({ failures: [min(2)], lockedUntil: null, revokedSessions: [] });
    });

    it('locks the account on the 5th failure within 15 minutes, until 15 minutes later', () => {
      spec
        .given(failures(4))
        .when(attempt(min(4), false))
        .then([failed(min(4)), locked(min(4), min(19), 5)]);
    });

    it('still only records the 4th failure', () => {
      spec.given(failures(3)).when(attempt(min(3), false)).then([failed(min(3))]);
    });

    it('counts a failure just inside the window and drops one exactly 15 minutes old', () => {
      // Failures at 10:00..10:03; the 5th at 10:14:59.999 is still within 15 minutes of the first.
      spec
        .given(failures(4))
        .when(attempt(justBefore(15), false))
        .then([failed(justBefore(15)), locked(justBefore(15), justBefore(30), 5)]);
      // At 10:15 the one at 10:00 has left the window: four recent failures, no lock.
      spec.given(failures(4)).when(attempt(min(15), false)).then([failed(min(15))]);
    });

    it('does not count failures older than the window', () => {
      const old = failures(4, 0);
      spec.given([...old, ...failures(3, 20)]).when(attempt(min(23), false)).then([failed(min(23))]);
      // The lock counts only the recent ones: five at 10:20..10:24.
      spec
        .given([...old, ...failures(4, 20)])
        .when(attempt(min(24), false))
        .then([failed(min(24)), locked(min(24), min(39), 5)]);
    });

    it('blocks every attempt during the lock, with the right password or a disabled account', () => {
      spec.given(lockedHistory()).when(attempt(min(5), false)).then([blocked(min(5), min(19))]);
      spec.given(lockedHistory()).when(attempt(min(5), true)).then([blocked(min(5), min(19))]);
      spec.given(lockedHistory()).when(attempt(justBefore(19), true, { accountDisabled: true })).then([blocked(justBefore(19), min(19))]);
    });

    it('does not extend the lock with blocked attempts', () => {
      const history = [...lockedHistory(), ...Array.from({ length: 10 }, (_, i) => blocked(min(5 + i), min(19)))];
      spec.given(history).when(attempt(min(19), true)).then([succeeded(min(19))]);
    });

    it('lets the user log in once the lock has expired', () => {
      spec.given(lockedHistory()).when(attempt(min(19), true)).then([succeeded(min(19))]);
    });

    it('starts counting from zero after a lock', () => {
      spec.given(lockedHistory()).when(attempt(min(19), false)).then([failed(min(19))]);
      spec.given([...lockedHistory(), ...failures(3, 19)]).when(attempt(min(22), false)).then([failed(min(22))]);
      spec
        .given([...lockedHistory(), ...failures(4, 19)])
        .when(attempt(min(23), false))
        .then([failed(min(23)), locked(min(23), min(38), 5)]);
    });

    it('resets the count on success', () => {
      spec.given([...failures(4), succeeded(min(4))]).when(attempt(min(5), false)).then([failed(min(5))]);
      spec.given(failures(4)).when(attempt(min(4), true)).thenState({ failures: [], lockedUntil: null, revokedSessions: [] });
    });

    it('follows the policy it is given', () => {
      const strict: LockoutPolicy = { maxFailures: 2, windowSeconds: 60, lockSeconds: 3600 };
      spec
        .given([failed(min(0))])
        .when(attempt(min(0.5), false, { policy: strict }))
        .then([failed(min(0.5)), locked(min(0.5), min(60.5), 2)]);
      spec.given([failed(min(0))]).when(attempt(min(1), false, { policy: strict })).then([failed(min(1))]);
    });

    it.each([
      ['a zero maxFailures', { maxFailures: 0, windowSeconds: 60, lockSeconds: 60 }],
      ['a fractional window', { maxFailures: 5, windowSeconds: 1.5, lockSeconds: 60 }],
      ['a negative lock', { maxFailures: 5, windowSeconds: 60, lockSeconds: -1 }],
      ['more failures than the state remembers', { maxFailures: 101, windowSeconds: 60, lockSeconds: 60 }],
    ])('refuses a policy with %s', (_label, policy) => {
      spec.given([]).when(attempt(min(0), false, { policy })).thenThrows(ValidationError, 'validation_failed');
    });

    it('remembers only the newest 100 failures, so a long-lived stream keeps a bounded state', () => {
      const history = Array.from({ length: 130 }, (_, i) => failed(min(i * 20)));
      const state = history.reduce(loginDecider.evolve, loginDecider.initialState());
      expect(state.failures).toHaveLength(100);
      expect(state.failures[99]).toBe(min(129 * 20));
    });

    it('refuses a missing time or a non-boolean password check', () => {
      spec.given([]).when(attempt('', true)).thenThrows(ValidationError, 'validation_failed');
      spec
        .given([])
        .when(attempt(min(0), 'yes' as unknown as boolean))
        .thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('RevokeSession', () => {
    it('ends a session once and then emits nothing', () => {
      spec.given([]).when(revokeSession('s-1')).then([sessionRevoked('s-1')]);
      spec.given([sessionRevoked('s-1')]).when(revokeSession('s-1')).thenNothing();
      spec.given([sessionRevoked('s-1', 'refresh_reuse')]).when(revokeSession('s-1')).thenNothing();
    });

    it('ends another session independently', () => {
      spec.given([sessionRevoked('s-1')]).when(revokeSession('s-2', { reason: 'refresh_reuse' })).then([sessionRevoked('s-2', 'refresh_reuse')]);
    });

    it('does not touch the failure count or the lock', () => {
      spec
        .given(lockedHistory())
        .when(revokeSession('s-1'))
        .thenState({ failures: [], lockedUntil: min(19), revokedSessions: ['s-1'] });
    });

    it('refuses an unknown reason or an empty session id', () => {
      spec
        .given([])
        .when(revokeSession('s-1', { reason: 'expired' as RevokeSession['data']['reason'] }))
        .thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(revokeSession('')).thenThrows(ValidationError, 'validation_failed');
    });
  });
});
