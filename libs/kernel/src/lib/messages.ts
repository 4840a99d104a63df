import type { CommandContext } from './decider';
import type { WireError } from './errors';

/*
 * The gateway ↔ service message envelope, the same for every context. Services are Nest TCP
 * microservices: the gateway sends `ServiceRequest<Req>` to a pattern and receives
 * `ServiceReply<Res>`. Failures travel as values (`ok: false` with a WireError), never as
 * transport exceptions, so the gateway rebuilds the typed error (`fromWireError`) and maps it once.
 */

/** Who a request acts as: a user's session, or an API key. */
export type PrincipalRef =
  | { kind: 'user'; tenantId: string; userId: string; sessionId: string }
  | { kind: 'api_key'; tenantId: string; keyId: string };

/** One module grant as the gateway authorized the caller with it. */
export type GrantRef = { module: string; access: 'read' | 'write' | 'manage'; locations: 'all' | string[] };

/** Who asks, for which request: carried by every message. */
export type RequestMeta = {
  /** W3C trace context of the gateway request. */
  traceparent?: string;
  /** The gateway's request id; echoed in error bodies and recorded as correlation id. */
  requestId: string;
  /**
   * Who calls. `id` is what events record as actor ("user:<id>", "apikey:<id>", "anonymous",
   * "operator:bootstrap"); `principal` names the authenticated user or API key. `grants` are the
   * caller's effective grants as the gateway authorized the request (kept fresh by the identity
   * access-change feed): services other than identity scope reads and writes by them. Identity
   * itself re-reads them from its streams before any decision.
   */
  actor?: { id: string; ip?: string; userAgent?: string; principal?: PrincipalRef; grants?: GrantRef[] };
  /** Client-supplied Idempotency-Key: a retried command returns the first result. */
  idempotencyKey?: string;
};

export type ServiceRequest<T> = { meta: RequestMeta; body: T };

export type ServiceReply<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The kernel command context for a message: who, from where, which request, when. */
export function commandContextOf(meta: RequestMeta, tenantId: string, now: Date, actorId = meta.actor?.id ?? 'anonymous'): CommandContext {
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
