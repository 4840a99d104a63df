import { userStreamId, type AccessLevel, type Module, type DeleteGrantRequest, type GrantsResponse, type PutGrantRequest, type ServiceRequest, type UserRef, type UserStatusResponse } from '@custodian/identity/contracts';
import { grantsOf, userStatusOf, type RegisteredUser, type UserCommand, type UserState } from '@custodian/identity/domain';
import { NotFoundError } from '@custodian/kernel';
import { adminContext, type AdminContext } from '../infra/admin-context';
import { uuidOrUndefined } from '@custodian/platform';
import type { AuthorityReader } from '../infra/authority';
import type { IdentityCommands } from '../infra/identity-store';

/**
 * Administrative changes to one user: grants, disable/enable. The decider judges with the
 * actor's authority re-read for this request (users:manage over the target, and never more
 * than the actor holds). Module and access arrive as strings and are validated by the decider
 * (400 for anything else). Answers come from the stream just written, not the read model.
 */
export class UserAdminHandler {
  constructor(
    private readonly commands: IdentityCommands,
    private readonly authority: AuthorityReader,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async putGrant({ meta, body }: ServiceRequest<PutGrantRequest>): Promise<GrantsResponse> {
    return this.run(meta, body.userId, (admin, userId) => ({
      type: 'GrantModuleAccess',
      data: { tenantId: admin.tenantId, userId, module: body.module as Module, access: body.access as AccessLevel, locations: body.locations, grantedAt: admin.now.toISOString(), actor: admin.authority },
    })).then(grantsResponse);
  }

  /** Idempotent: revoking a module the user does not hold answers the current grants and records nothing. */
  async deleteGrant({ meta, body }: ServiceRequest<DeleteGrantRequest>): Promise<GrantsResponse> {
    return this.run(meta, body.userId, (admin, userId) => ({
      type: 'RevokeModuleAccess',
      data: { tenantId: admin.tenantId, userId, module: body.module as Module, revokedAt: admin.now.toISOString(), actor: admin.authority },
    })).then(grantsResponse);
  }

  async disable({ meta, body }: ServiceRequest<UserRef>): Promise<UserStatusResponse> {
    return this.run(meta, body.userId, (admin, userId) => ({ type: 'DisableUser', data: { tenantId: admin.tenantId, userId, at: admin.now.toISOString(), actor: admin.authority } })).then(statusResponse);
  }

  async enable({ meta, body }: ServiceRequest<UserRef>): Promise<UserStatusResponse> {
    return this.run(meta, body.userId, (admin, userId) => ({ type: 'EnableUser', data: { tenantId: admin.tenantId, userId, at: admin.now.toISOString(), actor: admin.authority } })).then(statusResponse);
  }

  private async run(meta: ServiceRequest<unknown>['meta'], rawUserId: string, command: (admin: AdminContext, userId: string) => UserCommand): Promise<RegisteredUser> {
    const admin = await adminContext(this.authority, meta, this.clock());
    const userId = uuidOrUndefined(rawUserId);
    if (!userId) throw new NotFoundError('User not found', 'user_not_found');
    const outcome = await this.commands.users.handle(userStreamId(userId), command(admin, userId), admin.ctx);
    return registered(outcome.state);
  }
}

function registered(state: UserState): RegisteredUser {
  if (state.status !== 'registered') throw new NotFoundError('User not found', 'user_not_found');
  return state;
}

function grantsResponse(user: RegisteredUser): GrantsResponse {
  return { userId: user.userId, grants: grantsOf(user) };
}

function statusResponse(user: RegisteredUser): UserStatusResponse {
  return { userId: user.userId, status: userStatusOf(user) };
}
