import { publicPayloadOf, ValidationError, type JsonObject, type PrivateFields, type RecordedEvent } from '@custodian/kernel';
import type { BusMessage } from './bus.port';
import { sourceFor } from './topics';

/**
 * CloudEvents 1.0, Kafka protocol binding, binary content mode: the event's attributes travel
 * as `ce_*` headers, its data is the record value, `content-type` names the data's media type.
 * Names of every header the bus writes live here and nowhere else.
 */
export const CE_SPECVERSION = '1.0';
export const Headers = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  subject: 'ce_subject',
  dataschema: 'ce_dataschema',
  contentType: 'content-type',
  /** Not a CloudEvents attribute: the tenant, for routing and filtering without parsing data. */
  tenant: 'custodian_tenant',
  /** W3C trace context of the request that caused the event (present when the event had one). */
  traceparent: 'traceparent',
} as const;

/** Headers a dead-lettered Kafka record carries besides the original ones. */
export const DeadLetterHeaders = {
  error: 'custodian_dlq_error',
  attempts: 'custodian_dlq_attempts',
  group: 'custodian_dlq_group',
  topic: 'custodian_dlq_topic',
  partition: 'custodian_dlq_partition',
  offset: 'custodian_dlq_offset',
  failedAt: 'custodian_dlq_failed_at',
} as const;

export const JSON_CONTENT_TYPE = 'application/json';

/** `urn:custodian:event:<type>:v<version>`: the `$id` of the event's JSON Schema in its context's contracts. */
export function dataSchemaUrn(type: string, schemaVersion: number): string {
  return `urn:custodian:event:${type}:v${schemaVersion}`;
}

const DATASCHEMA = /^urn:custodian:event:([^:]+):v(\d+)$/;

/** A record as the Kafka producer takes it (kafkajs `Message`, strings only). */
export interface OutgoingRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
  /** Kafka CreateTime: the event's recordedAt, in ms since the epoch, as a string. */
  timestamp: string;
}

/**
 * The record the relay publishes for a stored event: key = stream id, value = the event's public
 * payload — the data as stored (encrypted personal fields stay encrypted: nothing is decrypted)
 * without the fields its context declares private (`privateFields`: client IPs, credential hashes).
 */
export function toKafkaRecord(event: RecordedEvent, context: string, privateFields: PrivateFields = {}): OutgoingRecord {
  const headers: Record<string, string> = {
    [Headers.specversion]: CE_SPECVERSION,
    [Headers.id]: event.eventId,
    [Headers.type]: event.type,
    [Headers.source]: sourceFor(context),
    [Headers.time]: event.recordedAt,
    [Headers.subject]: event.streamId,
    [Headers.dataschema]: dataSchemaUrn(event.type, event.schemaVersion),
    [Headers.contentType]: JSON_CONTENT_TYPE,
    [Headers.tenant]: event.tenantId,
  };
  const traceparent = event.metadata?.traceparent;
  if (typeof traceparent === 'string' && traceparent !== '') headers[Headers.traceparent] = traceparent;
  return { key: event.streamId, value: JSON.stringify(publicPayloadOf(privateFields, event.type, event.data)), headers, timestamp: String(Date.parse(event.recordedAt)) };
}

/** The message a Postgres-log consumer sees for a stored event: the same fields the Kafka record carries. */
export function fromRecordedEvent(event: RecordedEvent, topic: string, context: string): BusMessage {
  const traceparent = event.metadata?.traceparent;
  return {
    topic,
    id: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    source: sourceFor(context),
    subject: event.streamId,
    time: event.recordedAt,
    tenantId: event.tenantId,
    traceparent: typeof traceparent === 'string' && traceparent !== '' ? traceparent : null,
    data: event.data,
  };
}

type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** One header as text (the first value when repeated), or undefined. */
export function headerText(headers: RawHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** Reads a consumed Kafka record back into a BusMessage; a record that is not one of ours is a ValidationError. */
export function fromKafkaRecord(topic: string, record: { key: Buffer | null; value: Buffer | null; headers?: RawHeaders }): BusMessage {
  const h = (name: string): string => {
    const v = headerText(record.headers, name);
    if (v === undefined || v === '') throw new ValidationError(`record on ${topic} has no ${name} header`, undefined, 'malformed_message');
    return v;
  };
  if (h(Headers.specversion) !== CE_SPECVERSION) throw new ValidationError(`record on ${topic} is not CloudEvents ${CE_SPECVERSION}`, undefined, 'malformed_message');
  const type = h(Headers.type);
  const schema = DATASCHEMA.exec(h(Headers.dataschema));
  if (!schema || schema[1] !== type) throw new ValidationError(`record on ${topic} has a ${Headers.dataschema} that does not name its type`, undefined, 'malformed_message');
  let data: unknown;
  try {
    data = JSON.parse(record.value?.toString('utf8') ?? '');
  } catch {
    throw new ValidationError(`record on ${topic} has a value that is not JSON`, undefined, 'malformed_message');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ValidationError(`record on ${topic} has a value that is not a JSON object`, undefined, 'malformed_message');
  return {
    topic,
    id: h(Headers.id),
    type,
    schemaVersion: Number(schema[2]),
    source: h(Headers.source),
    subject: h(Headers.subject),
    time: h(Headers.time),
    tenantId: h(Headers.tenant),
    traceparent: headerText(record.headers, Headers.traceparent) ?? null,
    data: data as JsonObject,
  };
}
