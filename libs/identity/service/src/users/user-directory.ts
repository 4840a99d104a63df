import { blindIndex, normalizeEmail, type PersonalDataCipher } from '@custodian/crypto';
import { MODULES, reachOf, scopeCovers, type ListUsersRequest, type LocationScope, type ModuleGrant, type UserView } from '@custodian/identity/contracts';
import { decodeCursor, encodeCursor, pageLimit } from '@custodian/platform';
import type { DataSource } from 'typeorm';

type UserRow = {
  user_id: string;
  tenant_id: string;
  email_encrypted: string;
  name_encrypted: string;
  is_owner: boolean;
  status: 'invited' | 'active' | 'disabled';
  registered_at: Date;
  last_login_at: Date | null;
  locked_until: Date | null;
};

/**
 * Reads users of one tenant from the read model, only those inside the caller's `users` scope:
 * a user is inside when the scope covers every location the user's grants reach. Outside users
 * are indistinguishable from absent ones, and lists carry no totals (nothing leaks a count).
 */
export class UserDirectory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PersonalDataCipher,
    private readonly masterKey: Buffer,
  ) {}

  /** One user, or undefined when absent, in another tenant or outside `scope`. */
  async find(tenantId: string, userId: string, scope: LocationScope): Promise<UserView | undefined> {
    const rows = await this.dataSource.query(`SELECT * FROM identity_rm.users WHERE tenant_id = $1 AND user_id = $2`, [tenantId, userId]);
    const [view] = await this.toViews(rows as UserRow[]);
    return view && scopeCovers(scope, reachOf(view.grants)) ? view : undefined;
  }

  async list(tenantId: string, scope: LocationScope, filter: ListUsersRequest): Promise<{ items: UserView[]; nextCursor: string | null }> {
    const limit = pageLimit(filter.limit);
    const params: unknown[] = [tenantId];
    const where = ['u.tenant_id = $1'];
    const param = (v: unknown) => `$${params.push(v)}`;
    if (scope !== 'all') {
      where.push(`NOT EXISTS (SELECT 1 FROM identity_rm.grants g WHERE g.user_id = u.user_id AND (g.locations = '"all"'::jsonb OR NOT (g.locations <@ ${param(JSON.stringify(scope))}::jsonb)))`);
    }
    if (filter.status) where.push(`u.status = ${param(filter.status)}`);
    if (filter.email) where.push(`u.email_index = ${param(blindIndex(this.masterKey, 'email', tenantId, normalizeEmail(filter.email)))}`);
    if (filter.module) where.push(`EXISTS (SELECT 1 FROM identity_rm.grants g WHERE g.user_id = u.user_id AND g.module = ${param(filter.module)})`);
    if (filter.locationId) {
      where.push(`EXISTS (SELECT 1 FROM identity_rm.grants g WHERE g.user_id = u.user_id AND (g.locations = '"all"'::jsonb OR g.locations ? ${param(filter.locationId)}))`);
    }
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor);
      where.push(`(u.registered_at, u.user_id) > (${param(at)}::timestamptz, ${param(id)}::uuid)`);
    }
    const rows = (await this.dataSource.query(
      `SELECT u.* FROM identity_rm.users u WHERE ${where.join(' AND ')} ORDER BY u.registered_at, u.user_id LIMIT ${param(limit + 1)}`,
      params,
    )) as UserRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: await this.toViews(page), nextCursor: rows.length > limit && last ? encodeCursor(last.registered_at, last.user_id) : null };
  }

  private async toViews(rows: UserRow[]): Promise<UserView[]> {
    if (rows.length === 0) return [];
    const grantRows = (await this.dataSource.query(`SELECT user_id, module, access, locations FROM identity_rm.grants WHERE user_id = ANY($1::uuid[])`, [rows.map((r) => r.user_id)])) as Array<
      { user_id: string } & ModuleGrant
    >;
    return Promise.all(
      rows.map(async (r) => {
        const grants = grantRows
          .filter((g) => g.user_id === r.user_id)
          .map((g): ModuleGrant => ({ module: g.module, access: g.access, locations: g.locations }))
          .sort((a, b) => MODULES.indexOf(a.module) - MODULES.indexOf(b.module));
        const [email, name] = await Promise.all([this.cipher.decrypt(r.tenant_id, r.user_id, r.email_encrypted), this.cipher.decrypt(r.tenant_id, r.user_id, r.name_encrypted)]);
        const locked = r.locked_until && r.locked_until.getTime() > Date.now() ? r.locked_until.toISOString() : null;
        return {
          userId: r.user_id,
          email: email ?? '[erased]',
          name: name ?? '[erased]',
          status: r.status,
          isOwner: r.is_owner,
          registeredAt: r.registered_at.toISOString(),
          lastLoginAt: r.last_login_at ? r.last_login_at.toISOString() : null,
          lockedUntil: locked,
          grants,
        };
      }),
    );
  }
}
