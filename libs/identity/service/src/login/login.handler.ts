import { UnauthorizedError, ValidationError, foldEvents } from '@custodian/kernel';
import { blindIndex, normalizeEmail, type PersonalDataCipher } from '@custodian/crypto';
import { emailClaimStreamId, userStreamId, upcastIdentityEvent, type LoginRequest, type LoginResponse, type ServiceRequest, type UserEvent } from '@custodian/identity/contracts';
import { userDecider } from '@custodian/identity/domain';
import { commandContext } from '../infra/command-context';
import type { IdentityCommands } from '../infra/identity-store';
import type { PasswordHasher } from '../infra/password-hasher';
import type { TokenIssuer } from '../infra/token-issuer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Password login. Reads only the event store (the email claim stream, then the user stream),
 * so a user can log in the moment sign-up returns. An unknown email, a wrong password and a
 * disabled account give the same 401 after the same Argon2 work; attempts on a known account
 * are recorded as LoginSucceeded / LoginFailed with IP and user agent.
 */
export class LoginHandler {
  constructor(
    private readonly commands: IdentityCommands,
    private readonly cipher: PersonalDataCipher,
    private readonly passwords: PasswordHasher,
    private readonly tokens: TokenIssuer,
    private readonly masterKey: Buffer,
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
    const history = userId ? await this.commands.store.readStream(userStreamId(userId)) : [];
    const state = foldEvents(userDecider, history.map((e) => upcastIdentityEvent(e) as UserEvent));

    const storedHash = state.status === 'registered' ? await this.cipher.decrypt(tenantId, state.userId, state.passwordHashEncrypted) : null;
    const matched = await this.passwords.verifyOrBurn(storedHash ?? undefined, body.password);
    if (state.status !== 'registered') throw invalidCredentials();

    const now = this.clock();
    const ctx = commandContext({ ...meta, idempotencyKey: undefined }, tenantId, now, `user:${state.userId}`);
    const outcome = await this.commands.users.handle(
      userStreamId(state.userId),
      { type: 'RecordLogin', data: { tenantId, userId: state.userId, at: now.toISOString(), ip: body.ip ?? null, userAgent: body.userAgent ?? null, passwordMatched: matched && storedHash !== null } },
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
