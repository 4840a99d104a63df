import { randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import { ValidationError } from '@custodian/kernel';
import { blindIndex, normalizeEmail, type PersonalDataCipher } from '@custodian/crypto';
import {
  emailClaimStreamId,
  tenantNameKey,
  tenantNameStreamId,
  tenantStreamId,
  userStreamId,
  type CreateTenantRequest,
  type CreateTenantResponse,
  type ServiceRequest,
} from '@custodian/identity/contracts';
import { commandContextOf as commandContext } from '@custodian/kernel';
import type { IdentityCommands } from '../infra/identity-store';
import type { PasswordHasher } from '../infra/password-hasher';

const IDS_FROM_KEY = 'a4d0c1de-2c52-4c8e-8c43-6f0f1b0b9a77';

/**
 * Sign-up of a tenant and its owner, over four streams in this order: the platform-wide name
 * claim (the uniqueness check: a taken name is 409 before anything else is written), the
 * tenant, the owner's email claim, the owner user (with every module at manage).
 *
 * With an Idempotency-Key the ids are derived from the key and every step replays, so a retry
 * after a crash between steps completes the sign-up instead of failing on its own name claim.
 * Without a key such a crash leaves the name claimed by an unfinished tenant.
 */
export class CreateTenantHandler {
  constructor(
    private readonly commands: IdentityCommands,
    private readonly cipher: PersonalDataCipher,
    private readonly passwords: PasswordHasher,
    private readonly masterKey: Buffer,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async handle({ meta, body }: ServiceRequest<CreateTenantRequest>): Promise<CreateTenantResponse> {
    validate(body);
    const key = meta.idempotencyKey;
    const tenantId = key ? uuidV5(`tenant\u0000${key}`, IDS_FROM_KEY) : randomUUID();
    const ownerId = key ? uuidV5(`owner\u0000${key}`, IDS_FROM_KEY) : randomUUID();
    const now = this.clock();
    const ctx = commandContext(meta, tenantId, now, 'operator:bootstrap');
    const nameKey = tenantNameKey(body.name);

    await this.commands.tenantNames.handle(tenantNameStreamId(nameKey), { type: 'ClaimTenantName', data: { tenantId, nameKey } }, ctx);
    await this.commands.tenants.handle(tenantStreamId(tenantId), { type: 'CreateTenant', data: { tenantId, name: body.name.trim(), ownerId, now: now.toISOString() } }, ctx);

    const emailIndex = blindIndex(this.masterKey, 'email', tenantId, normalizeEmail(body.owner.email));
    await this.commands.emailClaims.handle(emailClaimStreamId(tenantId, emailIndex), { type: 'ClaimEmail', data: { tenantId, userId: ownerId, emailIndex } }, ctx);

    const history = await this.commands.store.readStream(userStreamId(ownerId), { limit: 1 });
    if (history.length === 0) {
      const [emailEncrypted, nameEncrypted, passwordHashEncrypted] = await Promise.all([
        this.cipher.encrypt(tenantId, ownerId, normalizeEmail(body.owner.email)),
        this.cipher.encrypt(tenantId, ownerId, body.owner.name.trim()),
        this.passwords.hash(body.owner.password).then((h) => this.cipher.encrypt(tenantId, ownerId, h)),
      ]);
      await this.commands.users.handle(
        userStreamId(ownerId),
        { type: 'RegisterUser', data: { tenantId, userId: ownerId, emailIndex, emailEncrypted, nameEncrypted, passwordHashEncrypted, isOwner: true, registeredAt: now.toISOString() } },
        ctx,
      );
    }
    return { tenantId, ownerId };
  }
}

function validate(body: CreateTenantRequest): void {
  const problems: string[] = [];
  if (typeof body?.name !== 'string' || body.name.trim().length === 0 || body.name.length > 200) problems.push('name must be 1-200 characters');
  const owner = body?.owner;
  if (!owner || typeof owner !== 'object') problems.push('owner is required');
  else {
    if (typeof owner.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(owner.email) || owner.email.length > 254) problems.push('owner.email must be an email');
    if (typeof owner.name !== 'string' || owner.name.trim().length === 0 || owner.name.length > 200) problems.push('owner.name must be 1-200 characters');
    if (typeof owner.password !== 'string' || owner.password.length < 12 || owner.password.length > 256) problems.push('owner.password must be 12-256 characters');
  }
  if (problems.length) throw new ValidationError(problems.join('; '));
}
