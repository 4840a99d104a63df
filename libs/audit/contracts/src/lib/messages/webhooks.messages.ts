import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Webhooks (module `exports`, on all locations), served by the audit service.
 *
 * 1. The gateway ↔ audit message contract (envelope: the kernel's ServiceRequest/Reply): webhook
 *    writes (create, status, delete, replay) need exports:manage, reads exports:read, both on all
 *    locations. Another tenant's webhook, a deleted one and a malformed id are all 404
 *    `webhook_not_found`.
 * 2. The delivery contract with integrators (docs/webhooks.md): one event per HTTP POST, its
 *    JSON body `WebhookEventPayload`, signed HMAC-SHA256 over "<timestamp>.<raw body>".
 *    `signWebhook` is what the dispatcher does; `verifyWebhookSignature` what a receiver does.
 */
export const WEBHOOK_PATTERNS = {
  create: 'audit.webhooks.create',
  list: 'audit.webhooks.list',
  get: 'audit.webhooks.get',
  update: 'audit.webhooks.update',
  remove: 'audit.webhooks.delete',
  deliveries: 'audit.webhooks.deliveries',
  replay: 'audit.webhooks.replay',
} as const;

/** Shortest secret accepted (characters of printable ASCII, no spaces). */
export const WEBHOOK_SECRET_MIN_LENGTH = 32;
export const WEBHOOK_SECRET_MAX_LENGTH = 256;
/** Printable ASCII without space: the secret's UTF-8 bytes are the HMAC key, the same in every language. */
export const WEBHOOK_SECRET_PATTERN = /^[\x21-\x7e]{32,256}$/;
export const WEBHOOK_URL_MAX_LENGTH = 2_048;
export const WEBHOOK_MAX_EVENT_TYPES = 50;

/**
 * What a webhook subscribes to: `*` (every event of the tenant), an exact type
 * (`records.RecordSealed`), or a prefix ending in `*` (`records.*`, `audit.Incident*`).
 */
export const WEBHOOK_EVENT_TYPE_PATTERN = /^(\*|[a-z][a-z0-9-]{0,62}\.(\*|[A-Z][A-Za-z0-9]{0,127}\*?))$/;

/** True when `type` is one of `patterns` (exact) or starts with one of them (a pattern ending in `*`). */
export function webhookEventTypeMatches(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : type === p));
}

export type WebhookStatus = 'active' | 'disabled';

/** A webhook as the API shows it. The secret is never shown after creation, nor stored in clear. */
export type WebhookView = {
  webhookId: string;
  url: string;
  events: string[];
  status: WebhookStatus;
  /**
   * The global log position up to which this webhook has handled the log: every matching event
   * at or below it was delivered or given up on. A new webhook starts at the log's head.
   */
  position: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
};

export type CreateWebhookRequest = { url: string; events: string[]; secret: string; status?: WebhookStatus };
export type ListWebhooksRequest = { limit?: number; cursor?: string };
export type ListWebhooksResponse = { items: WebhookView[]; nextCursor: string | null };
export type WebhookRef = { webhookId: string };
export type UpdateWebhookRequest = { webhookId: string; status: WebhookStatus };
/** Re-deliver the tenant's matching events from `fromPosition` (inclusive) on. */
export type ReplayWebhookRequest = { webhookId: string; fromPosition: number };

/**
 * `pending`: being attempted (or waiting for the next attempt); `delivered`: a 2xx answered;
 * `failed`: every attempt failed, the webhook went on; `cancelled`: dropped by a replay or
 * the webhook's deletion before it ended.
 */
export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed' | 'cancelled';
export const WEBHOOK_DELIVERY_STATES: readonly WebhookDeliveryState[] = ['pending', 'delivered', 'failed', 'cancelled'];

/** One HTTP request of a delivery: the receiver's status, or why there was none (timeout, refused…). */
export type WebhookAttemptView = { attempt: number; at: string; statusCode: number | null; error: string | null; durationMs: number };

export type WebhookDeliveryView = {
  /** The `webhook-id` header: the same on every attempt of this delivery. */
  deliveryId: string;
  eventId: string;
  eventType: string;
  position: number;
  /** True when the event was re-delivered because of a replay. */
  replay: boolean;
  state: WebhookDeliveryState;
  attempts: WebhookAttemptView[];
  createdAt: string;
  updatedAt: string;
};

export type ListWebhookDeliveriesRequest = { webhookId: string; state?: WebhookDeliveryState; limit?: number; cursor?: string };
export type ListWebhookDeliveriesResponse = { items: WebhookDeliveryView[]; nextCursor: string | null };

export type WebhookMessages = {
  [WEBHOOK_PATTERNS.create]: { request: CreateWebhookRequest; response: WebhookView };
  [WEBHOOK_PATTERNS.list]: { request: ListWebhooksRequest; response: ListWebhooksResponse };
  [WEBHOOK_PATTERNS.get]: { request: WebhookRef; response: WebhookView };
  [WEBHOOK_PATTERNS.update]: { request: UpdateWebhookRequest; response: WebhookView };
  [WEBHOOK_PATTERNS.remove]: { request: WebhookRef; response: Record<string, never> };
  [WEBHOOK_PATTERNS.deliveries]: { request: ListWebhookDeliveriesRequest; response: ListWebhookDeliveriesResponse };
  [WEBHOOK_PATTERNS.replay]: { request: ReplayWebhookRequest; response: WebhookView };
};

// ---------------------------------------------------------------------------------------------
// Delivery: what an integrator receives.
// ---------------------------------------------------------------------------------------------

/** Header names of a delivery (lowercase, as Node presents them). */
export const WEBHOOK_HEADERS = {
  /** The delivery id: the same on every retry of one delivery; a replay is a new delivery. */
  id: 'webhook-id',
  /** Unix seconds when this attempt was signed. */
  timestamp: 'webhook-timestamp',
  /** `v1=<hex>`; several space-separated values may be sent (key rotation): any one may match. */
  signature: 'webhook-signature',
  /** The event's id: the same on every delivery of the event (retries and replays): dedupe on it. */
  eventId: 'custodian-event-id',
} as const;

/**
 * The body of a delivery (JSON, CloudEvents-like): one stored event, its data exactly as stored
 * — personal fields stay the encrypted envelopes (`pd:v1:…`) they are in the log.
 */
export type WebhookEventPayload = {
  /** Names this envelope's layout; a new layout gets a new name. */
  kind: 'custodian.webhook-event/v1';
  /** The event id (dedupe on it). */
  id: string;
  type: string;
  /** The version of `data`'s schema for this type (`dataschema` names it). */
  schemaVersion: number;
  dataschema: string;
  /** `/custodian/<context>`, the context that recorded the event (as on the bus). */
  source: string;
  /** The stream the event belongs to. */
  subject: string;
  /** When the store recorded it (ISO-8601 UTC). */
  time: string;
  tenantId: string;
  /** Its global log position: strictly increasing across one webhook's deliveries, except after a replay. */
  position: number;
  data: Record<string, unknown>;
};

export const WEBHOOK_SIGNATURE_VERSION = 'v1';

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
  return `${WEBHOOK_SIGNATURE_VERSION}=${mac}`;
}

export type WebhookVerification = { ok: true } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * Receiver side: true (`ok`) when one of the `webhook-signature` values is the v1 HMAC of
 * "<timestamp>.<rawBody>" under `secret` and the timestamp is within `toleranceSeconds` of
 * `nowSeconds` (default five minutes either way: replayed captures are refused). `rawBody`
 * must be the bytes as received, decoded as UTF-8 — never a re-serialised parse.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
  nowSeconds?: number;
  toleranceSeconds?: number;
}): WebhookVerification {
  const { secret, rawBody } = input;
  if (!input.timestamp || !/^\d{1,15}$/.test(input.timestamp) || !input.signature) return { ok: false, reason: 'malformed' };
  const timestamp = Number(input.timestamp);
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody), 'utf8');
  const candidates = input.signature.split(' ').filter((s) => s.startsWith(`${WEBHOOK_SIGNATURE_VERSION}=`));
  if (candidates.length === 0) return { ok: false, reason: 'malformed' };
  const match = candidates.some((c) => {
    const given = Buffer.from(c, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'mismatch' };
}
