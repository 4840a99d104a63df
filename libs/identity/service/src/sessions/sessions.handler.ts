import { UnauthorizedError, ValidationError } from '@custodian/kernel';
import type { PersonalDataCipher } from '@custodian/crypto';
import {
  loginStreamId,
  userStreamId,
  type ActivateRequest,
  type ActivateResponse,
  type LogoutRequest,
  type LogoutResponse,
  type RefreshRequest,
  type RefreshResponse,
  type RequestMeta,
  type ServiceRequest,
} from '@custodian/identity/contracts';
import { activeUser, sha256Hex, type AuthorityReader } from '../infra/authority';
import { uuidOrUndefined } from '@custodian/platform';
import { commandContextOf as commandContext } from '@custodian/kernel';
import type { IdentityCommands } from '../infra/identity-store';
import type { PasswordHasher } from '../infra/password-hasher';
import type { TokenIssuer } from '../infra/token-issuer';

/**
 * Invite activation, refresh-token rotation and logout.
 * - refresh: one exchange per refresh token; a spent token presented again revokes its whole
 *   session (SessionRevoked `refresh_reuse`) and is 401. A refresh for a disabled user is 401.
 * - logout: ends the session of the presented refresh token (SessionRevoked `logout`); an
 *   unknown token is accepted silently (logout is idempotent and reveals nothing).
 * Every failure is 401 with one code per operation, never saying which check failed.
 */
export class SessionsHandler {
  constructor(
    private readonly commands: IdentityCommands,
    private readonly authority: AuthorityReader,
    private readonly tokens: TokenIssuer,
    private readonly cipher: PersonalDataCipher,
    private readonly passwords: PasswordHasher,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async activate({ meta, body }: ServiceRequest<ActivateRequest>): Promise<ActivateResponse> {
    if (typeof body?.token !== 'string' || typeof body.password !== 'string') throw new ValidationError('token and password are required');
    if (body.password.length < 12 || body.password.length > 256) throw new ValidationError('password must be 12-256 characters', { field: 'password' });
    const userId = uuidOrUndefined(body.token.split('.')[0]);
    const state = userId ? await this.authority.user(userId) : undefined;
    if (!state || state.status !== 'registered') throw invalidActivation();
    const now = this.clock();
    const passwordHashEncrypted = await this.cipher.encrypt(state.tenantId, state.userId, await this.passwords.hash(body.password));
    await this.commands.users.handle(
      userStreamId(state.userId),
      { type: 'ActivateUser', data: { tenantId: state.tenantId, userId: state.userId, tokenHash: sha256Hex(body.token), passwordHashEncrypted, at: now.toISOString() } },
      commandContext({ ...meta, idempotencyKey: undefined }, state.tenantId, now, `user:${state.userId}`),
    );
    return { tenantId: state.tenantId, userId: state.userId };
  }

  async refresh({ meta, body }: ServiceRequest<RefreshRequest>): Promise<RefreshResponse> {
    if (typeof body?.refreshToken !== 'string' || body.refreshToken.length === 0) throw new ValidationError('refreshToken is required');
    const outcome = await this.tokens.refresh(body.refreshToken);
    if (outcome.kind === 'invalid') throw invalidRefresh();
    if (outcome.kind === 'reused') {
      await this.recordRevocation(meta, outcome, 'refresh_reuse');
      throw invalidRefresh();
    }
    // Disabled since login: the new pair must not work (the principal check would refuse it anyway).
    if (!activeUser(await this.authority.user(outcome.userId), outcome.tenantId)) throw invalidRefresh();
    return outcome.tokens;
  }

  async logout({ meta, body }: ServiceRequest<LogoutRequest>): Promise<LogoutResponse> {
    if (typeof body?.refreshToken !== 'string' || body.refreshToken.length === 0) throw new ValidationError('refreshToken is required');
    const session = await this.tokens.revokeByRefreshToken(body.refreshToken, 'logout');
    if (session) await this.recordRevocation(meta, session, 'logout');
    return {};
  }

  /** The session table is already updated (fail safe); this is the record, and what tells every gateway. */
  private async recordRevocation(meta: RequestMeta, s: { userId: string; tenantId: string; sessionId: string }, reason: 'logout' | 'refresh_reuse'): Promise<void> {
    const now = this.clock();
    await this.commands.logins.handle(
      loginStreamId(s.userId),
      { type: 'RevokeSession', data: { tenantId: s.tenantId, userId: s.userId, sessionId: s.sessionId, reason, at: now.toISOString() } },
      commandContext({ ...meta, idempotencyKey: undefined }, s.tenantId, now, `user:${s.userId}`),
    );
  }
}

function invalidActivation(): UnauthorizedError {
  return new UnauthorizedError('The activation token is invalid, used or expired', 'invalid_activation_token');
}

function invalidRefresh(): UnauthorizedError {
  return new UnauthorizedError('The refresh token is invalid, expired or revoked', 'invalid_refresh_token');
}
