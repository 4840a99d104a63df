import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { v5 as uuidV5 } from 'uuid';
import {
  WEBHOOK_DELIVERY_STATES,
  WEBHOOK_EVENT_TYPE_PATTERN,
  WEBHOOK_MAX_EVENT_TYPES,
  WEBHOOK_SECRET_MAX_LENGTH,
  WEBHOOK_SECRET_MIN_LENGTH,
  WEBHOOK_SECRET_PATTERN,
  WEBHOOK_URL_MAX_LENGTH,
  type CreateWebhookRequest,
  type ListWebhookDeliveriesRequest,
  type ListWebhookDeliveriesResponse,
  type ListWebhooksRequest,
  type ListWebhooksResponse,
  type ReplayWebhookRequest,
  type UpdateWebhookRequest,
  type WebhookAttemptView,
  type WebhookDeliveryState,
  type WebhookRef,
  type WebhookStatus,
  type WebhookView,
} from '@custodian/audit/contracts';
import type { PersonalDataCipher } from '@custodian/crypto';
import { ConflictError, IllegalStateError, NotFoundError, ValidationError, type RequestMeta, type ServiceRequest } from '@custodian/kernel';
import { decodeCursor, encodeCursor, ModuleCaller, pageLimit, uuidOrUndefined } from '@custodian/platform';
import { WEBHOOK_COLUMNS, webhookSecretSubject, webhookViewOf, type WebhookRow } from './webhook-rows';

const WEBHOOK_IDS = '0d5c3a4e-8f61-4b7e-a2d9-6c1f0e9b7a35';

/** Webhooks a tenant may have at once (each one is a worker polling the log). */
export const MAX_WEBHOOKS_PER_TENANT = 25;

/** Where the log's final prefix ends now: a new webhook starts there. */
export interface LogHead {
  safeHeadPosition(): Promise<number>;
}

/**
 * Webhooks of a tenant (module `exports`, on all locations): rows in audit.webhooks (see
 * webhooks.migrations.ts), delivered by the WebhookDispatcher.
 * - Create: the secret is encrypted under the webhook's own key and never returned; the
 *   webhook starts at the log's final head (no history unless replayed). With an
 *   Idempotency-Key a retried create returns the first webhook.
 * - Delete: the row stays (with its delivery log) but the webhook is gone for the API, its
 *   pending delivery is cancelled and its secret's key erased.
 * - Replay from position n (inclusive): the position goes back to n - 1; never forward past
 *   what is next to deliver (that would skip events: 422 replay_ahead_of_position). Pending
 *   deliveries are cancelled; re-delivered events are new deliveries with the same event id.
 * `onChange` tells the dispatcher to look again now (otherwise it notices within its poll).
 */
export class WebhooksHandler {
  constructor(
    private readonly pool: Pool,
    private readonly log: LogHead,
    private readonly cipher: PersonalDataCipher,
    private readonly onChange: (webhookId: string) => void = () => undefined,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create({ meta, body }: ServiceRequest<CreateWebhookRequest>): Promise<WebhookView> {
    const caller = manager(meta);
    const url = checkedUrl(body.url);
    const events = checkedEventTypes(body.events);
    const secret = checkedSecret(body.secret);
    const status = checkedStatus(body.status ?? 'active');
    const webhookId = meta.idempotencyKey ? uuidV5(`${caller.tenantId}\u0000${meta.idempotencyKey}`, WEBHOOK_IDS) : randomUUID();
    const first = await this.row(webhookId, true);
    if (first) {
      if (first.tenant_id !== caller.tenantId.toLowerCase() || first.deleted_at) throw new ConflictError('This Idempotency-Key created a webhook that was deleted since', 'idempotency_key_reused');
      return webhookViewOf(first);
    }
    const live = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.webhooks WHERE tenant_id = $1 AND deleted_at IS NULL', [caller.tenantId]);
    if (live.rows[0].n >= MAX_WEBHOOKS_PER_TENANT) throw new IllegalStateError(`A tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhooks`, 'webhook_limit_reached');
    const secretEncrypted = await this.cipher.encrypt(caller.tenantId, webhookSecretSubject(webhookId), secret);
    const position = await this.log.safeHeadPosition();
    const now = this.clock();
    await this.pool.query(
      `INSERT INTO audit.webhooks (webhook_id, tenant_id, url, event_types, secret_encrypted, status, position, created_at, created_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8) ON CONFLICT (webhook_id) DO NOTHING`,
      [webhookId, caller.tenantId, url, events, secretEncrypted, status, position, now, caller.actorId],
    );
    this.onChange(webhookId);
    return webhookViewOf(await this.existing(caller.tenantId, webhookId));
  }

  async list({ meta, body }: ServiceRequest<ListWebhooksRequest>): Promise<ListWebhooksResponse> {
    const caller = reader(meta);
    const limit = pageLimit(body.limit);
    const params: unknown[] = [caller.tenantId];
    let after = '';
    if (body.cursor !== undefined) {
      params.push(...decodeCursor(body.cursor));
      after = 'AND (created_at, webhook_id) < ($2::timestamptz, $3::uuid)';
    }
    params.push(limit + 1);
    const rows = await this.pool.query<WebhookRow>(
      `SELECT ${WEBHOOK_COLUMNS} FROM audit.webhooks WHERE tenant_id = $1 AND deleted_at IS NULL ${after} ORDER BY created_at DESC, webhook_id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(webhookViewOf), nextCursor: rows.rows.length > limit && last ? encodeCursor(last.created_at, last.webhook_id) : null };
  }

  async get({ meta, body }: ServiceRequest<WebhookRef>): Promise<WebhookView> {
    const caller = reader(meta);
    return webhookViewOf(await this.existing(caller.tenantId, body.webhookId));
  }

  /** Enable or disable. A disabled webhook keeps its position: enabled again, it goes on from there. */
  async update({ meta, body }: ServiceRequest<UpdateWebhookRequest>): Promise<WebhookView> {
    const caller = manager(meta);
    const status = checkedStatus(body.status);
    const hook = await this.existing(caller.tenantId, body.webhookId);
    if (hook.status === status) return webhookViewOf(hook);
    const res = await this.pool.query<WebhookRow>(`UPDATE audit.webhooks SET status = $2, updated_at = $3 WHERE webhook_id = $1 AND deleted_at IS NULL RETURNING ${WEBHOOK_COLUMNS}`, [hook.webhook_id, status, this.clock()]);
    if (!res.rows[0]) throw notFound();
    this.onChange(hook.webhook_id);
    return webhookViewOf(res.rows[0]);
  }

  async remove({ meta, body }: ServiceRequest<WebhookRef>): Promise<Record<string, never>> {
    const caller = manager(meta);
    const hook = await this.existing(caller.tenantId, body.webhookId);
    const now = this.clock();
    await inTransaction(this.pool, async (client) => {
      const res = await client.query(
        `UPDATE audit.webhooks SET deleted_at = $2, status = 'disabled', generation = generation + 1, updated_at = $2 WHERE webhook_id = $1 AND deleted_at IS NULL`,
        [hook.webhook_id, now],
      );
      if (res.rowCount !== 1) throw notFound();
      await cancelPending(client, hook.webhook_id, now);
    });
    await this.cipher.erase(caller.tenantId, webhookSecretSubject(hook.webhook_id));
    this.onChange(hook.webhook_id);
    return {};
  }

  async deliveries({ meta, body }: ServiceRequest<ListWebhookDeliveriesRequest>): Promise<ListWebhookDeliveriesResponse> {
    const caller = reader(meta);
    const hook = await this.existing(caller.tenantId, body.webhookId);
    const limit = pageLimit(body.limit);
    const where = ['webhook_id = $1'];
    const params: unknown[] = [hook.webhook_id];
    if (body.state !== undefined) {
      if (!WEBHOOK_DELIVERY_STATES.includes(body.state)) throw new ValidationError(`state must be one of ${WEBHOOK_DELIVERY_STATES.join(', ')}`, { field: 'state' });
      where.push(`state = $${params.push(body.state)}`);
    }
    if (body.cursor !== undefined) where.push(`seq < $${params.push(decodeSeqCursor(body.cursor))}`);
    params.push(limit + 1);
    const rows = await this.pool.query<DeliveryRow>(
      `SELECT delivery_id, seq, event_id::text, event_type, position, replay, state, created_at, updated_at FROM audit.webhook_deliveries
        WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.rows.slice(0, limit);
    const attempts = await this.pool.query<AttemptRow>(
      'SELECT delivery_id, attempt, at, status_code, error, duration_ms FROM audit.webhook_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY delivery_id, attempt',
      [page.map((d) => d.delivery_id)],
    );
    const byDelivery = new Map<string, WebhookAttemptView[]>();
    for (const a of attempts.rows) {
      const list = byDelivery.get(a.delivery_id) ?? [];
      list.push({ attempt: a.attempt, at: a.at.toISOString(), statusCode: a.status_code, error: a.error, durationMs: a.duration_ms });
      byDelivery.set(a.delivery_id, list);
    }
    const last = page[page.length - 1];
    return {
      items: page.map((d) => ({
        deliveryId: d.delivery_id,
        eventId: d.event_id,
        eventType: d.event_type,
        position: Number(d.position),
        replay: d.replay,
        state: d.state,
        attempts: byDelivery.get(d.delivery_id) ?? [],
        createdAt: d.created_at.toISOString(),
        updatedAt: d.updated_at.toISOString(),
      })),
      nextCursor: rows.rows.length > limit && last ? Buffer.from(JSON.stringify([Number(last.seq)])).toString('base64url') : null,
    };
  }

  async replay({ meta, body }: ServiceRequest<ReplayWebhookRequest>): Promise<WebhookView> {
    const caller = manager(meta);
    const from = body.fromPosition;
    if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 1) throw new ValidationError('fromPosition must be an integer of at least 1', { field: 'fromPosition' });
    const hook = await this.existing(caller.tenantId, body.webhookId);
    const now = this.clock();
    const updated = await inTransaction(this.pool, async (client) => {
      const locked = await client.query<{ position: number }>('SELECT position FROM audit.webhooks WHERE webhook_id = $1 AND deleted_at IS NULL FOR UPDATE', [hook.webhook_id]);
      const current = locked.rows[0];
      if (!current) throw notFound();
      const position = Number(current.position);
      if (from > position + 1) {
        throw new IllegalStateError(`The webhook has handled the log up to position ${position}: a replay starts at ${position + 1} or earlier`, 'replay_ahead_of_position', { position });
      }
      await cancelPending(client, hook.webhook_id, now);
      const res = await client.query<WebhookRow>(
        `UPDATE audit.webhooks SET position = $2, generation = generation + 1, replay_until = GREATEST(replay_until, position), updated_at = $3
          WHERE webhook_id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
        [hook.webhook_id, from - 1, now],
      );
      return res.rows[0];
    });
    this.onChange(hook.webhook_id);
    return webhookViewOf(updated);
  }

  /** The tenant's live webhook, or 404 webhook_not_found (absent, deleted, another tenant's, malformed id). */
  private async existing(tenantId: string, raw: unknown): Promise<WebhookRow> {
    const webhookId = uuidOrUndefined(raw);
    const row = webhookId ? await this.row(webhookId, false) : undefined;
    if (!row || row.tenant_id !== tenantId.toLowerCase()) throw notFound();
    return row;
  }

  private async row(webhookId: string, withDeleted: boolean): Promise<(WebhookRow & { deleted_at: Date | null }) | undefined> {
    const res = await this.pool.query<WebhookRow & { deleted_at: Date | null }>(
      `SELECT ${WEBHOOK_COLUMNS}, deleted_at FROM audit.webhooks WHERE webhook_id = $1 ${withDeleted ? '' : 'AND deleted_at IS NULL'}`,
      [webhookId],
    );
    return res.rows[0];
  }
}

type DeliveryRow = { delivery_id: string; seq: number; event_id: string; event_type: string; position: number; replay: boolean; state: WebhookDeliveryState; created_at: Date; updated_at: Date };
type AttemptRow = { delivery_id: string; attempt: number; at: Date; status_code: number | null; error: string | null; duration_ms: number };

/** The delivery log's cursor: the last `seq` seen, opaque to clients. */
function decodeSeqCursor(cursor: string): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 1 && Number.isSafeInteger(v[0]) && (v[0] as number) > 0) return v[0] as number;
  } catch {
    /* fall through */
  }
  throw new ValidationError('cursor is not a cursor this API returned', { field: 'cursor' }, 'invalid_cursor');
}

const notFound = () => new NotFoundError('Webhook not found', 'webhook_not_found');

function reader(meta: RequestMeta): ModuleCaller {
  const caller = ModuleCaller.of(meta, 'exports');
  caller.requireTenantWide('read');
  return caller;
}

function manager(meta: RequestMeta): ModuleCaller {
  const caller = ModuleCaller.of(meta, 'exports');
  caller.requireTenantWide('manage');
  return caller;
}

/** An absolute http(s) URL without credentials or fragment, normalised (WHATWG URL). */
export function checkedUrl(raw: unknown): string {
  const invalid = (why: string) => new ValidationError(`url ${why}`, { field: 'url' }, 'invalid_webhook_url');
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > WEBHOOK_URL_MAX_LENGTH) throw invalid(`must be 1-${WEBHOOK_URL_MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('must be an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('must use http or https');
  if (url.username || url.password) throw invalid('must not carry credentials (sign with the secret instead)');
  if (url.hash) throw invalid('must not have a fragment');
  return url.href;
}

/** 1-50 patterns (`*`, `context.Type`, `context.*`, `context.Prefix*`), duplicates dropped. */
export function checkedEventTypes(raw: unknown): string[] {
  const invalid = (why: string) => new ValidationError(`events ${why}`, { field: 'events' }, 'invalid_event_types');
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > WEBHOOK_MAX_EVENT_TYPES) throw invalid(`must list 1-${WEBHOOK_MAX_EVENT_TYPES} event types`);
  for (const t of raw) {
    if (typeof t !== 'string' || !WEBHOOK_EVENT_TYPE_PATTERN.test(t)) throw invalid(`must be "*", exact types like "records.RecordSealed" or prefixes like "records.*" (got ${JSON.stringify(t)})`);
  }
  return [...new Set(raw as string[])];
}

export function checkedSecret(raw: unknown): string {
  if (typeof raw !== 'string' || !WEBHOOK_SECRET_PATTERN.test(raw)) {
    throw new ValidationError(`secret must be ${WEBHOOK_SECRET_MIN_LENGTH}-${WEBHOOK_SECRET_MAX_LENGTH} printable ASCII characters without spaces`, { field: 'secret' }, 'invalid_webhook_secret');
  }
  return raw;
}

function checkedStatus(raw: unknown): WebhookStatus {
  if (raw !== 'active' && raw !== 'disabled') throw new ValidationError('status must be active or disabled', { field: 'status' });
  return raw;
}

async function cancelPending(client: PoolClient, webhookId: string, now: Date): Promise<void> {
  await client.query(`UPDATE audit.webhook_deliveries SET state = 'cancelled', updated_at = $2 WHERE webhook_id = $1 AND state = 'pending'`, [webhookId, now]);
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
