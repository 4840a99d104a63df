/**
 * Event shapes shared by every context and every store adapter (DESIGN.md "Event store").
 * Events are plain data: a stable namespaced `type` ("identity.TenantCreated"), a
 * `schemaVersion`, JSON `data`, and `metadata` saying who caused it, from where, and why.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface EventMetadata {
  /** The user, API key or system component that caused the event ("system:<name>" for rules). */
  actorId: string;
  actorIp?: string | null;
  /** Ties together everything one request caused. */
  correlationId: string;
  /** The event or request that directly caused this one. */
  causationId?: string | null;
  /** W3C trace context of the request, for joining traces to history. */
  traceparent?: string | null;
  /** Client-supplied Idempotency-Key of the command that produced the event, when given. */
  idempotencyKey?: string | null;
}

/** An event as a decider produces it, before the store gives it a place. */
export interface DomainEvent<TType extends string = string, TData extends JsonObject = JsonObject> {
  type: TType;
  schemaVersion: number;
  data: TData;
}

/** An event ready to append: the identity, tenant and metadata are fixed by the caller. */
export interface NewEvent<TType extends string = string, TData extends JsonObject = JsonObject>
  extends DomainEvent<TType, TData> {
  /** UUID. Appending an id that is already stored with the same content is a no-op. */
  eventId: string;
  tenantId: string;
  metadata: EventMetadata;
}

/** An event as stored: its place in its stream and in the global log, and its chain hash. */
export interface RecordedEvent<TType extends string = string, TData extends JsonObject = JsonObject>
  extends NewEvent<TType, TData> {
  streamId: string;
  /** 1-based: the first event of a stream has version 1. */
  version: number;
  /** Position in the store's global log; assigned by the store, not covered by the hash. */
  globalPosition: number;
  /** ISO-8601 UTC with milliseconds, set by the store's clock when appended. */
  recordedAt: string;
  /** Hex SHA-256 of the previous event of the stream, or GENESIS_HASH for version 1. */
  prevHash: string;
  /** Hex SHA-256 over prevHash and the canonical envelope (docs/verification.md). */
  hash: string;
}

/** The prevHash of the first event of every stream: 32 zero bytes, hex. */
export const GENESIS_HASH = '0'.repeat(64);
