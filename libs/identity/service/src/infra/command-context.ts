import type { CommandContext } from '@custodian/kernel';
import type { RequestMeta } from '@custodian/identity/contracts';

/** The kernel command context for a message: who, from where, which request, when. */
export function commandContext(meta: RequestMeta, tenantId: string, now: Date, actorId = meta.actor?.id ?? 'anonymous'): CommandContext {
  return {
    tenantId,
    now: now.toISOString(),
    idempotencyKey: meta.idempotencyKey,
    metadata: {
      actorId,
      actorIp: meta.actor?.ip ?? null,
      correlationId: meta.requestId,
      causationId: null,
      traceparent: meta.traceparent ?? null,
    },
  };
}
