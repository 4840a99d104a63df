import type { FastifyRequest } from 'fastify';
import type { PrincipalRef, RequestMeta } from '@custodian/identity/contracts';
import { ValidationError } from '@custodian/kernel';
import type { CustodianRequest } from '../auth/caller';
import { clientOf } from '../auth/caller';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/** What a service needs to know about the HTTP request behind a message. */
export function requestMeta(req: FastifyRequest): RequestMeta {
  const client = clientOf(req);
  const caller = (req as CustodianRequest).caller;
  const rawKey = req.headers['idempotency-key'];
  if (rawKey !== undefined && (typeof rawKey !== 'string' || !IDEMPOTENCY_KEY.test(rawKey))) {
    throw new ValidationError('Idempotency-Key must be 8-128 characters of letters, digits and . _ : -', undefined, 'invalid_idempotency_key');
  }
  const p = caller?.principal;
  const principal: PrincipalRef | undefined = !p
    ? undefined
    : p.kind === 'user'
      ? { kind: 'user', tenantId: p.tenantId, userId: p.userId, sessionId: p.sessionId ?? '' }
      : { kind: 'api_key', tenantId: p.tenantId, keyId: p.keyId ?? '' };
  const id = !p ? 'anonymous' : p.kind === 'user' ? `user:${p.userId}` : `apikey:${p.keyId}`;
  return {
    requestId: String(req.id),
    actor: { id, ip: client.ip, userAgent: client.userAgent, ...(principal ? { principal, grants: p?.grants ?? [] } : {}) },
    ...(rawKey ? { idempotencyKey: rawKey } : {}),
  };
}
