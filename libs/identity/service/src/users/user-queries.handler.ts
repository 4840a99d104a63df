import { grantOn, isModule, type ListUsersRequest, type ListUsersResponse, type ServiceRequest, type UserRef, type UserView, type GrantsResponse } from '@custodian/identity/contracts';
import { ForbiddenError, NotFoundError, ValidationError } from '@custodian/kernel';
import type { ProjectionRunner } from '@custodian/projections';
import { adminContext, type AdminContext } from '../infra/admin-context';
import { uuidOrUndefined } from '@custodian/platform';
import type { AuthorityReader } from '../infra/authority';
import type { UserDirectory } from './user-directory';
import { readModelAt } from '@custodian/projections';

const STATUSES = ['invited', 'active', 'disabled'];

/**
 * Reads of users and their grants (`users:read`), scoped to the caller's `users` locations.
 * Read-your-writes: waits until the read model has applied everything committed before the
 * request (bounded), so a user created a moment ago is listed.
 */
export class UserQueriesHandler {
  constructor(
    private readonly authority: AuthorityReader,
    private readonly directory: UserDirectory,
    private readonly projection: ProjectionRunner,
    private readonly committedHead: () => Promise<number>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list({ meta, body }: ServiceRequest<ListUsersRequest>): Promise<ListUsersResponse> {
    if (body.status !== undefined && !STATUSES.includes(body.status)) throw new ValidationError(`status must be one of ${STATUSES.join(', ')}`, { field: 'status' });
    if (body.module !== undefined && !isModule(body.module)) throw new ValidationError(`Unknown module ${String(body.module)}`, { field: 'module' }, 'unknown_module');
    const admin = await this.reader(meta);
    return this.directory.list(admin.tenantId, this.scopeOf(admin), body);
  }

  async get({ meta, body }: ServiceRequest<UserRef>): Promise<UserView> {
    const admin = await this.reader(meta);
    const userId = uuidOrUndefined(body.userId);
    const view = userId ? await this.directory.find(admin.tenantId, userId, this.scopeOf(admin)) : undefined;
    if (!view) throw new NotFoundError('User not found', 'user_not_found');
    return view;
  }

  async grants(request: ServiceRequest<UserRef>): Promise<GrantsResponse> {
    const view = await this.get(request);
    return { userId: view.userId, grants: view.grants };
  }

  private async reader(meta: ServiceRequest<unknown>['meta']): Promise<AdminContext> {
    const admin = await adminContext(this.authority, meta, this.clock());
    if (!grantOn(admin.authority.grants, 'users')) throw new ForbiddenError('users:read is required', 'insufficient_access');
    await readModelAt(this.projection, await this.committedHead());
    return admin;
  }

  private scopeOf(admin: AdminContext) {
    return grantOn(admin.authority.grants, 'users')?.locations ?? [];
  }
}
