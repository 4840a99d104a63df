import { userStreamId, type ServiceRequest, type TransferOwnershipRequest, type TransferOwnershipResponse } from '@custodian/identity/contracts';
import { ForbiddenError, NotFoundError } from '@custodian/kernel';
import { adminContext } from '../infra/admin-context';
import { uuidOrUndefined } from '@custodian/platform';
import type { AuthorityReader } from '../infra/authority';
import type { IdentityCommands } from '../infra/identity-store';

/**
 * The owner hands ownership to an active user of the tenant: first the new owner receives it
 * (with manage on every module everywhere), then the old owner relinquishes it. A crash between
 * the steps leaves two owners, never none; retrying (same Idempotency-Key or not) completes it.
 */
export class TransferOwnershipHandler {
  constructor(
    private readonly commands: IdentityCommands,
    private readonly authority: AuthorityReader,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async handle({ meta, body }: ServiceRequest<TransferOwnershipRequest>): Promise<TransferOwnershipResponse> {
    const admin = await adminContext(this.authority, meta, this.clock());
    const toUserId = uuidOrUndefined(body.toUserId);
    if (!toUserId) throw new NotFoundError('User not found', 'user_not_found');
    const fromUserId = admin.authority.userId;
    const at = admin.now.toISOString();
    if (!admin.authority.isOwner || !admin.authority.id.startsWith('user:')) throw new ForbiddenError('Only the owner can transfer ownership', 'owner_only');
    if (toUserId === fromUserId) return { ownerId: fromUserId, previousOwnerId: fromUserId };
    await this.commands.users.handle(userStreamId(toUserId), { type: 'ReceiveOwnership', data: { tenantId: admin.tenantId, userId: toUserId, fromUserId, at, actor: admin.authority } }, admin.ctx);
    await this.commands.users.handle(userStreamId(fromUserId), { type: 'RelinquishOwnership', data: { tenantId: admin.tenantId, userId: fromUserId, toUserId, at, actor: admin.authority } }, admin.ctx);
    return { ownerId: toUserId, previousOwnerId: fromUserId };
  }
}
