import type { DataSource, EntityManager } from 'typeorm';
import { ACTIVITY_RESULTS, type ActivityEntry, type ActivityView, type ListActivityRequest, type ListActivityResponse, type RecordActivityResponse } from '@custodian/audit/contracts';
import { ValidationError, type ServiceRequest } from '@custodian/kernel';
import { decodeCursor, encodeCursor, ModuleCaller, uuidOrUndefined } from '@custodian/platform';

const MAX_BATCH = 5_000;
const MAX_PAGE = 1_000;

/**
 * The activity log: every API request as a gateway saw it (who, what, from where, result).
 * - Delivery is at-least-once from each gateway's durable spool; `activityId` makes a
 *   redelivered entry a no-op, so nothing is stored twice. The security monitor's signals are
 *   taken in the same transaction, so a failure there rolls the batch back and the gateway
 *   redelivers it whole (never stored without its signals).
 * - The runtime role may only INSERT and SELECT audit.activity.
 * - Reading needs audit:read on all locations; a tenant sees only its own requests (requests
 *   that named no tenant — a bad token, an unknown tenant — are kept for operators).
 */
export class ActivityLog {
  constructor(
    private readonly dataSource: DataSource,
    /** Runs in the same transaction as the insert: a batch is stored with its consequences or not at all. */
    private readonly onStored: (entries: ActivityEntry[], manager: EntityManager) => Promise<void> = async () => undefined,
    /** Runs once a batch with new entries has committed. */
    private readonly afterCommit: () => void = () => undefined,
  ) {}

  async record({ body }: ServiceRequest<{ entries: ActivityEntry[] }>): Promise<RecordActivityResponse> {
    const entries = Array.isArray(body?.entries) ? body.entries : undefined;
    if (!entries || entries.length > MAX_BATCH) throw new ValidationError(`entries must be an array of at most ${MAX_BATCH}`, { field: 'entries' });
    const valid = entries.filter(wellFormed);
    if (valid.length !== entries.length) throw new ValidationError(`${entries.length - valid.length} activity entries are malformed`, { field: 'entries' }, 'malformed_activity');
    if (valid.length === 0) return { stored: 0, duplicates: 0 };
    const result = await this.dataSource.transaction(async (manager): Promise<RecordActivityResponse> => {
    const rows: Array<{ activity_id: string }> = await manager.query(
      `INSERT INTO audit.activity (activity_id, tenant_id, at, request_id, actor_kind, user_id, api_key_id, action, operation, target_ids, status, result, error_code, ip, user_agent, duration_ms, gateway)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::int[], $12::text[], $13::text[], $14::text[], $15::text[], $16::int[], $17::text[])
       ON CONFLICT (activity_id) DO NOTHING RETURNING activity_id`,
      [
        valid.map((e) => e.activityId),
        valid.map((e) => uuidOrUndefined(e.tenantId) ?? null),
        valid.map((e) => e.at),
        valid.map((e) => e.requestId),
        valid.map((e) => e.actor.kind),
        valid.map((e) => (e.actor.kind === 'user' || e.actor.kind === 'api_key' ? e.actor.userId : null)),
        valid.map((e) => (e.actor.kind === 'api_key' ? e.actor.keyId : null)),
        valid.map((e) => e.action),
        valid.map((e) => e.operation),
        valid.map((e) => JSON.stringify(e.targetIds ?? {})),
        valid.map((e) => e.status),
        valid.map((e) => e.result),
        valid.map((e) => e.errorCode),
        valid.map((e) => e.ip),
        valid.map((e) => e.userAgent),
        valid.map((e) => Math.max(0, Math.round(e.durationMs))),
        valid.map((e) => e.gateway),
      ],
    );
    const fresh = new Set(rows.map((r) => r.activity_id));
    const stored = valid.filter((e) => fresh.has(e.activityId));
    if (stored.length > 0) await this.onStored(stored, manager);
    return { stored: stored.length, duplicates: valid.length - stored.length };
    });
    if (result.stored > 0) this.afterCommit();
    return result;
  }

  /** Newest first, keyset-paginated; filters combine with AND. */
  async list({ meta, body }: ServiceRequest<ListActivityRequest>): Promise<ListActivityResponse> {
    const caller = ModuleCaller.of(meta, 'audit');
    caller.requireTenantWide('read');
    const limit = body.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ValidationError(`limit must be 1-${MAX_PAGE}`, { field: 'limit' });
    const where = ['tenant_id = $1'];
    const params: unknown[] = [caller.tenantId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (body.userId !== undefined) add('user_id = ?', text(body.userId, 'userId', 200));
    if (body.action !== undefined) add('action = ?', text(body.action, 'action', 300));
    if (body.ip !== undefined) add('ip = ?', text(body.ip, 'ip', 64));
    if (body.result !== undefined) {
      if (!ACTIVITY_RESULTS.includes(body.result)) throw new ValidationError(`result must be one of ${ACTIVITY_RESULTS.join(', ')}`, { field: 'result' });
      add('result = ?', body.result);
    }
    if (body.from !== undefined) add('at >= ?', instant(body.from, 'from'));
    if (body.to !== undefined) add('at < ?', instant(body.to, 'to'));
    if (body.cursor !== undefined) {
      const [at, id] = decodeCursor(body.cursor);
      params.push(at, id);
      where.push(`(at, activity_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows: ActivityRow[] = await this.dataSource.query(
      `SELECT activity_id, at, request_id, actor_kind, user_id, api_key_id, action, operation, target_ids, status, result, error_code, ip, user_agent, duration_ms, gateway, received_at
       FROM audit.activity WHERE ${where.join(' AND ')} ORDER BY at DESC, activity_id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(viewOf), nextCursor: rows.length > limit && last ? encodeCursor(last.at, last.activity_id) : null };
  }
}

type ActivityRow = {
  activity_id: string;
  at: Date;
  request_id: string;
  actor_kind: ActivityEntry['actor']['kind'];
  user_id: string | null;
  api_key_id: string | null;
  action: string;
  operation: string;
  target_ids: Record<string, string>;
  status: number;
  result: ActivityEntry['result'];
  error_code: string | null;
  ip: string;
  user_agent: string | null;
  duration_ms: number;
  gateway: string;
  received_at: Date;
};

function viewOf(r: ActivityRow): ActivityView {
  const actor: ActivityEntry['actor'] =
    r.actor_kind === 'user'
      ? { kind: 'user', userId: r.user_id ?? '', sessionId: null }
      : r.actor_kind === 'api_key'
        ? { kind: 'api_key', keyId: r.api_key_id ?? '', userId: r.user_id ?? '' }
        : { kind: r.actor_kind };
  return {
    activityId: r.activity_id,
    at: r.at.toISOString(),
    requestId: r.request_id,
    actor,
    action: r.action,
    operation: r.operation,
    targetIds: r.target_ids,
    status: r.status,
    result: r.result,
    errorCode: r.error_code,
    ip: r.ip,
    userAgent: r.user_agent,
    durationMs: r.duration_ms,
    gateway: r.gateway,
    receivedAt: r.received_at.toISOString(),
  };
}

function wellFormed(e: ActivityEntry): boolean {
  return (
    !!e &&
    typeof e === 'object' &&
    !!uuidOrUndefined(e.activityId) &&
    typeof e.at === 'string' &&
    !Number.isNaN(Date.parse(e.at)) &&
    typeof e.requestId === 'string' &&
    (e.tenantId === null || typeof e.tenantId === 'string') &&
    !!e.actor &&
    ['user', 'api_key', 'bootstrap', 'anonymous'].includes(e.actor.kind) &&
    typeof e.action === 'string' &&
    typeof e.operation === 'string' &&
    Number.isInteger(e.status) &&
    ACTIVITY_RESULTS.includes(e.result) &&
    typeof e.ip === 'string' &&
    typeof e.durationMs === 'number' &&
    typeof e.gateway === 'string'
  );
}

function text(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new ValidationError(`${field} must be 1-${max} characters`, { field });
  return v;
}

function instant(v: unknown, field: string): string {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new ValidationError(`${field} must be an ISO-8601 instant`, { field });
  return new Date(v).toISOString();
}
