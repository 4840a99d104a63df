import type { FastifyRequest } from 'fastify';
import type { RequestMeta } from '@custodian/identity/contracts';
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
  return {
    requestId: String(req.id),
    actor: { id: caller ? `user:${caller.userId}` : 'anonymous', ip: client.ip, userAgent: client.userAgent },
    ...(rawKey ? { idempotencyKey: rawKey } : {}),
  };
}
