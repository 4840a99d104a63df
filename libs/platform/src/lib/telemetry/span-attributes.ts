/**
 * Span attribute and span names Custodian sets (STYLE.md habit 9: names live in one place).
 * Standard names (`service.name`, `rpc.*`, `db.*`) come from
 * `@opentelemetry/semantic-conventions`; ours are namespaced `custodian.*`.
 * Attributes carry ids and counts only — never personal data or secrets.
 */
export const SpanAttributes = {
  tenantId: 'custodian.tenant_id',
  actorId: 'custodian.actor_id',
  streamId: 'custodian.stream_id',
  /** Version the append expected (number or `no_stream` / `any` / `stream_exists`). */
  expectedVersion: 'custodian.expected_version',
  /** Number of events in one append or one published batch. */
  eventCount: 'custodian.event_count',
  /** Namespaced event type, e.g. `records.TaskCompleted`. */
  eventType: 'custodian.event_type',
  eventId: 'custodian.event_id',
  globalPosition: 'custodian.global_position',
  /** Command name handled by a service, e.g. `identity.InviteUser`. */
  command: 'custodian.command',
  /** Nest microservice message pattern on the gateway → service hop. */
  messagePattern: 'custodian.message_pattern',
  correlationId: 'custodian.correlation_id',
  idempotencyKey: 'custodian.idempotency_key',
  projection: 'custodian.projection',
} as const;

/** The payload field that carries a W3C `traceparent` over a non-HTTP transport. */
export const TRACEPARENT_FIELD = 'traceparent';
