import { randomBytes, randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import { blindIndex, normalizeEmail, type PersonalDataCipher } from '@custodian/crypto';
import { emailClaimStreamId, userStreamId, type CreateUserRequest, type CreateUserResponse, type ServiceRequest } from '@custodian/identity/contracts';
import { requireUserAdmin } from '@custodian/identity/domain';
import { ValidationError } from '@custodian/kernel';
import { adminContext } from '../infra/admin-context';
import { sha256Hex, type AuthorityReader } from '../infra/authority';
import type { IdentityCommands } from '../infra/identity-store';
import type { PasswordHasher } from '../infra/password-hasher';

const IDS_FROM_KEY = '0d6c1f0e-8a4b-4f7e-9c2d-3b5a7e9f1c24';

/**
 * Creates a user (with a password) or invites one (without: a one-time activation token is
 * returned once, only its hash is stored). The email is claimed first, so a taken email is 409
 * `email_taken` before anything else is written. New users hold no access at all.
 * With an Idempotency-Key the user id derives from it and a retry completes or replays —
 * except the activation token, which is shown once: a replayed invite returns none.
 */
export class CreateUserHandler {
  constructor(
    private readonly commands: IdentityCommands,
    private readonly authority: AuthorityReader,
    private readonly cipher: PersonalDataCipher,
    private readonly passwords: PasswordHasher,
    private readonly masterKey: Buffer,
    private readonly activationTtlSeconds: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async handle({ meta, body }: ServiceRequest<CreateUserRequest>): Promise<CreateUserResponse> {
    validate(body);
    const admin = await adminContext(this.authority, meta, this.clock());
    requireUserAdmin(admin.authority, []);
    const { tenantId, ctx, now } = admin;
    const userId = meta.idempotencyKey ? uuidV5(`${tenantId}\u0000user\u0000${meta.idempotencyKey}`, IDS_FROM_KEY) : randomUUID();
    const email = normalizeEmail(body.email);
    const emailIndex = blindIndex(this.masterKey, 'email', tenantId, email);
    await this.commands.emailClaims.handle(emailClaimStreamId(tenantId, emailIndex), { type: 'ClaimEmail', data: { tenantId, userId, emailIndex } }, ctx);

    const [emailEncrypted, nameEncrypted] = await Promise.all([this.cipher.encrypt(tenantId, userId, email), this.cipher.encrypt(tenantId, userId, body.name.trim())]);
    if (body.password !== undefined) {
      const passwordHashEncrypted = await this.cipher.encrypt(tenantId, userId, await this.passwords.hash(body.password));
      await this.commands.users.handle(
        userStreamId(userId),
        { type: 'RegisterUser', data: { tenantId, userId, emailIndex, emailEncrypted, nameEncrypted, passwordHashEncrypted, isOwner: false, registeredAt: now.toISOString() } },
        ctx,
      );
      return { userId, status: 'active' };
    }
    const activationToken = `${userId}.${randomBytes(32).toString('base64url')}`;
    const activationExpiresAt = new Date(now.getTime() + this.activationTtlSeconds * 1000).toISOString();
    const outcome = await this.commands.users.handle(
      userStreamId(userId),
      { type: 'InviteUser', data: { tenantId, userId, emailIndex, emailEncrypted, nameEncrypted, activationTokenHash: sha256Hex(activationToken), activationExpiresAt, invitedAt: now.toISOString() } },
      ctx,
    );
    if (outcome.replayed) return { userId, status: 'invited' };
    return { userId, status: 'invited', activationToken, activationExpiresAt };
  }
}

function validate(body: CreateUserRequest): void {
  const problems: string[] = [];
  if (typeof body?.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(body.email) || body.email.length > 254) problems.push('email must be an email');
  if (typeof body?.name !== 'string' || body.name.trim().length === 0 || body.name.length > 200) problems.push('name must be 1-200 characters');
  if (body?.password !== undefined && (typeof body.password !== 'string' || body.password.length < 12 || body.password.length > 256)) problems.push('password must be 12-256 characters');
  if (problems.length) throw new ValidationError(problems.join('; '));
}
