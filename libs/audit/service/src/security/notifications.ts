import type { Pool } from 'pg';
import type { ListNotificationsRequest, ListNotificationsResponse } from '@custodian/audit/contracts';
import type { ServiceRequest } from '@custodian/kernel';
import { decodeCursor, encodeCursor, ModuleCaller, pageLimit } from '@custodian/platform';

/**
 * The security monitor's notices to a tenant's admins (security:read on all locations): what a
 * rule did to their accounts and keys and why. This is the in-product channel; there is no
 * e-mail or SMS delivery in the platform.
 */
export async function listNotifications(pool: Pool, { meta, body }: ServiceRequest<ListNotificationsRequest>): Promise<ListNotificationsResponse> {
  const caller = ModuleCaller.of(meta, 'security');
  caller.requireTenantWide('read');
  const limit = pageLimit(body.limit);
  const params: unknown[] = [caller.tenantId];
  let after = '';
  if (body.cursor !== undefined) {
    const [at, id] = decodeCursor(body.cursor);
    params.push(at, id);
    after = 'AND (at, notification_id) < ($2::timestamptz, $3::uuid)';
  }
  params.push(limit + 1);
  const rows = await pool.query<{ notification_id: string; at: Date; audience: 'account_admins'; kind: string; text: string; incident_id: string | null }>(
    `SELECT notification_id, at, audience, kind, text, incident_id FROM audit.notifications WHERE tenant_id = $1 ${after} ORDER BY at DESC, notification_id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ notificationId: r.notification_id, at: r.at.toISOString(), audience: r.audience, kind: r.kind, text: r.text, incidentId: r.incident_id })),
    nextCursor: rows.rows.length > limit && last ? encodeCursor(last.at, last.notification_id) : null,
  };
}
