import { AUDIT_PRIVATE_FIELDS, signWebhook, WEBHOOK_HEADERS, type WebhookEventPayload } from '@custodian/audit/contracts';
import { IDENTITY_PRIVATE_FIELDS } from '@custodian/identity/contracts';
import { publicPayloadOf, type PrivateFields, type RecordedEvent } from '@custodian/kernel';

/** Every context's private fields (the same rules the relay applies to public topics). */
const PRIVATE_FIELDS: PrivateFields = { ...IDENTITY_PRIVATE_FIELDS, ...AUDIT_PRIVATE_FIELDS };

/**
 * The body of one event's delivery. `data` is the event's public payload: the stored data with
 * its context's private fields removed (client IPs, credential hashes); personal fields stay the
 * encrypted envelopes they are in the log, nothing is decrypted. Metadata (actor, IP address,
 * correlation) is not sent. The body of a delivery is the same on every attempt.
 */
export function webhookPayloadOf(event: RecordedEvent): WebhookEventPayload {
  const context = event.type.split('.')[0];
  return {
    kind: 'custodian.webhook-event/v1',
    id: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    dataschema: `urn:custodian:event:${event.type}:v${event.schemaVersion}`,
    source: `/custodian/${context}`,
    subject: event.streamId,
    time: event.recordedAt,
    tenantId: event.tenantId,
    position: event.globalPosition,
    data: publicPayloadOf(PRIVATE_FIELDS, event.type, event.data),
  };
}

/** The headers of one attempt, signed at `timestamp` (unix seconds). */
export function webhookHeadersOf(input: { secret: string; deliveryId: string; eventId: string; timestamp: number; body: string }): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Custodian-Webhooks/1',
    [WEBHOOK_HEADERS.id]: input.deliveryId,
    [WEBHOOK_HEADERS.timestamp]: String(input.timestamp),
    [WEBHOOK_HEADERS.signature]: signWebhook(input.secret, input.timestamp, input.body),
    [WEBHOOK_HEADERS.eventId]: input.eventId,
  };
}

export interface RetrySchedule {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

/** Wait after failed attempt `attempt` (1-based): initial · 2^(attempt-1), capped, ±20 % jitter. */
export function webhookBackoffMs(attempt: number, schedule: Pick<RetrySchedule, 'initialBackoffMs' | 'maxBackoffMs'>, random: () => number = Math.random): number {
  const base = Math.min(schedule.maxBackoffMs, schedule.initialBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(base * (0.8 + 0.4 * random())));
}

/**
 * The store-side type filter for a webhook's patterns (undefined: read every type). Exact types
 * become prefixes too — the exact comparison is made again on each event read.
 */
export function typePrefixesOf(patterns: readonly string[]): string[] | undefined {
  if (patterns.includes('*')) return undefined;
  return [...new Set(patterns.map((p) => (p.endsWith('*') ? p.slice(0, -1) : p)))];
}
