import { randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';

const IDS_FROM_KEY = '3f6a9c1e-5b2d-4e8f-a7c0-9d1b3e5f7a24';

/**
 * A new id, or — with an Idempotency-Key — one derived from (tenant, purpose, key), so a retried
 * request addresses the same streams and the command handler replays instead of writing twice.
 */
export function newId(tenantId: string, purpose: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? uuidV5(`${tenantId}\u0000${purpose}\u0000${idempotencyKey}`, IDS_FROM_KEY) : randomUUID();
}
