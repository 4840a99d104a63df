import { randomUUID } from 'node:crypto';
import { UnauthorizedError, ValidationError } from '@custodian/kernel';
import { blindIndex, normalizeEmail, type PersonalDataCipher } from '@custodian/crypto';
import { emailClaimStreamId, loginStreamId, tenantStreamId, unknownLoginStreamId, type LoginRequest, type LoginResponse, type ServiceRequest } from '@custodian/identity/contracts';
import type { LockoutPolicy } from '@custodian/identity/domain';
import type { AuthorityReader } from '../infra/authority';
import { commandContextOf as commandContext } from '@custodian/kernel';
import type { IdentityCommands } from '../infra/identity-store';
import type { PasswordHasher } from '../infra/password-hasher';
import type { TokenIssuer } from '../infra/token-issuer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Password login. Reads only the event store (the email claim, the user stream, the login
 * stream), so a user can log in the moment sign-up returns.
 * - An unknown email, a wrong password, a disabled, invited-only or locked account all give the
 *   same 401 `invalid_credentials` after the same Argon2 work (a locked account's password is
 *   not checked, but the work is still spent), so nobody learns whether an account exists or is
 *   locked. Admins see locks on the user (`lockedUntil`).
 * - Every attempt is an event with IP and user agent: on the account's login stream, or, for an
 *   email that is no account of an existing tenant, UnknownAccountLoginFailed on the tenant's
 *   stream of unknown-account attempts (a tenant id that does not exist records nothing).
 */
export class LoginHandler {
  constructor(
    private readonly commands: IdentityCommands,
    private readonly authority: AuthorityReader,
    private readonly cipher: PersonalDataCipher,
    private readonly passwords: PasswordHasher,
    private readonly tokens: TokenIssuer,
    private readonly masterKey: Buffer,
    private readonly lockout: LockoutPolicy,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async handle({ meta, body }: ServiceRequest<LoginRequest>): Promise<LoginResponse> {
    if (typeof body?.tenantId !== 'string' || !UUID.test(body.tenantId) || typeof body.email !== 'string' || typeof body.password !== 'string') {
      throw new ValidationError('tenantId (UUID), email and password are required');
    }
    const tenantId = body.tenantId.toLowerCase();
    const emailIndex = blindIndex(this.masterKey, 'email', tenantId, normalizeEmail(body.email));
    const claim = await this.commands.store.readStream(emailClaimStreamId(tenantId, emailIndex), { limit: 1 });
    const userId = claim[0] && claim[0].tenantId === tenantId ? String(claim[0].data['userId']) : undefined;
    const state = userId ? await this.authority.user(userId) : ({ status: 'unregistered' } as const);
    const ip = body.ip ?? null;
    const userAgent = body.userAgent ?? null;
    const now = this.clock();
    const ctx = commandContext({ ...meta, idempotencyKey: undefined }, tenantId, now, userId ? `user:${userId}` : 'anonymous');

    if (state.status !== 'registered' || state.tenantId !== tenantId) {
      await this.passwords.verifyOrBurn(undefined, body.password);
      const tenant = await this.commands.store.readStream(tenantStreamId(tenantId), { limit: 1 });
      if (tenant.length > 0) {
        await this.commands.store.append(
          unknownLoginStreamId(tenantId),
          [{ eventId: randomUUID(), type: 'identity.UnknownAccountLoginFailed', schemaVersion: 1, tenantId, metadata: ctx.metadata, data: { tenantId, emailIndex, at: now.toISOString(), ip, userAgent } }],
          'any',
        );
      }
      throw invalidCredentials();
    }

    const storedHash = state.passwordHashEncrypted ? await this.cipher.decrypt(tenantId, state.userId, state.passwordHashEncrypted) : null;
    const matched = await this.passwords.verifyOrBurn(storedHash ?? undefined, body.password);
    const outcome = await this.commands.logins.handle(
      loginStreamId(state.userId),
      {
        type: 'RecordLoginAttempt',
        // An invite not yet activated has no password and cannot log in: recorded as `disabled`
        // (LoginFailed v1 has no reason of its own for it), so it never counts toward a lock.
        data: { tenantId, userId: state.userId, at: now.toISOString(), ip, userAgent, passwordMatched: matched && storedHash !== null, accountDisabled: state.disabled || state.invited, policy: this.lockout },
      },
      ctx,
    );
    if (!outcome.events.some((e) => e.type === 'identity.LoginSucceeded')) throw invalidCredentials();
    const issued = await this.tokens.issue(state.userId, tenantId);
    return { accessToken: issued.accessToken, refreshToken: issued.refreshToken, expiresIn: issued.expiresIn };
  }
}

function invalidCredentials(): UnauthorizedError {
  return new UnauthorizedError('Invalid email or password', 'invalid_credentials');
}
