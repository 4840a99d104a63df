/*
 * Reading a Custodian integration event off Kafka. Custodian publishes CloudEvents 1.0 in the
 * Kafka protocol binding's *binary* content mode (docs/messaging.md, docs/asyncapi.yaml): the
 * event's attributes are `ce_*` headers, the record value is the event data as JSON, and the
 * record key is the stream id (order is kept per key).
 *
 * A plain Kafka topic checks nothing: whatever a producer writes arrives. So an integrator
 * checks every record before trusting it, and says why it refused one.
 */

/** The records context's topic. */
export const RECORDS_TOPIC = 'custodian.records.v1';
/** `ce_source` of the records context's events. */
export const RECORDS_SOURCE = '/custodian/records';

/** Header names, as Custodian writes them. */
export const CE = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  subject: 'ce_subject',
  dataschema: 'ce_dataschema',
  contentType: 'content-type',
  /** Not a CloudEvents attribute: Custodian's tenant id, for routing without parsing the data. */
  tenant: 'custodian_tenant',
} as const;

/** Headers every Custodian event carries (docs/asyncapi.yaml lists them as required). */
const REQUIRED = [CE.specversion, CE.id, CE.type, CE.source, CE.time, CE.subject, CE.dataschema, CE.contentType, CE.tenant] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `urn:custodian:event:<type>:v<schema version>`: the `$id` of the event's JSON Schema. */
const DATASCHEMA = /^urn:custodian:event:([^:]+):v(\d+)$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** A consumed Kafka record (the parts of kafkajs's `KafkaMessage` this needs, plus where it came from). */
export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, HeaderValue>;
}

/** A record that passed the checks. */
export interface CloudEvent {
  id: string;
  type: string;
  schemaVersion: number;
  source: string;
  /** The stream id, e.g. `records-record-<recordId>`. */
  subject: string;
  time: string;
  tenantId: string;
  data: Record<string, unknown>;
}

export type CheckResult = { ok: true; event: CloudEvent } | { ok: false; reason: string };

function text(headers: IncomingRecord['headers'], name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/**
 * Checks one record against Custodian's CloudEvents mapping: spec version 1.0, every required
 * header present and non-empty, `content-type: application/json`, a UUID `ce_id`, an RFC 3339
 * `ce_time`, the records context as `ce_source`, a `ce_dataschema` naming `ce_type`, and a value
 * that is a JSON object whose `tenantId` is the `custodian_tenant` header.
 */
export function checkCloudEvent(record: IncomingRecord): CheckResult {
  const fail = (reason: string): CheckResult => ({ ok: false, reason });
  const h = (name: string) => text(record.headers, name);

  const missing = REQUIRED.filter((name) => !h(name));
  if (missing.length > 0) return fail(`missing header ${missing.join(', ')}`);
  const specversion = h(CE.specversion);
  if (specversion !== '1.0') return fail(`${CE.specversion} is ${JSON.stringify(specversion)}, expected "1.0"`);
  const contentType = h(CE.contentType) ?? '';
  if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json') return fail(`${CE.contentType} is ${JSON.stringify(contentType)}, expected application/json`);
  const id = h(CE.id) ?? '';
  if (!UUID.test(id)) return fail(`${CE.id} ${JSON.stringify(id)} is not a UUID`);
  const time = h(CE.time) ?? '';
  if (!RFC3339.test(time) || Number.isNaN(Date.parse(time))) return fail(`${CE.time} ${JSON.stringify(time)} is not an RFC 3339 timestamp`);
  const source = h(CE.source);
  if (source !== RECORDS_SOURCE) return fail(`${CE.source} is ${JSON.stringify(source)}, expected ${RECORDS_SOURCE}`);
  const type = h(CE.type) ?? '';
  const schema = DATASCHEMA.exec(h(CE.dataschema) ?? '');
  if (!schema || schema[1] !== type) return fail(`${CE.dataschema} does not name the event type ${type}`);

  let data: unknown;
  try {
    data = JSON.parse(record.value?.toString('utf8') ?? '');
  } catch {
    return fail('value is not JSON');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return fail('value is not a JSON object');
  const tenantId = h(CE.tenant) ?? '';
  if ((data as Record<string, unknown>)['tenantId'] !== tenantId) return fail(`data.tenantId does not match ${CE.tenant}`);

  return {
    ok: true,
    event: { id, type, schemaVersion: Number(schema[2]), source, subject: h(CE.subject) ?? '', time, tenantId, data: data as Record<string, unknown> },
  };
}
