import type { WebhookStatus, WebhookView } from '@custodian/audit/contracts';

/** A webhook's secret is encrypted under a key of its own: deleting the webhook erases that key. */
export const webhookSecretSubject = (webhookId: string) => `webhook-${webhookId}`;

export type WebhookRow = {
  webhook_id: string;
  tenant_id: string;
  url: string;
  event_types: string[];
  secret_encrypted: string;
  status: WebhookStatus;
  position: number;
  generation: number;
  created_at: Date;
  created_by: string;
  updated_at: Date;
};

export const WEBHOOK_COLUMNS = 'webhook_id, tenant_id, url, event_types, secret_encrypted, status, position, generation, created_at, created_by, updated_at';

export function webhookViewOf(r: WebhookRow): WebhookView {
  return {
    webhookId: r.webhook_id,
    url: r.url,
    events: r.event_types,
    status: r.status,
    position: Number(r.position),
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    updatedAt: r.updated_at.toISOString(),
  };
}
