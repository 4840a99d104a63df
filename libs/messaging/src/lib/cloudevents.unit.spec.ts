import type { RecordedEvent } from '@custodian/kernel';
import { fromKafkaRecord, fromRecordedEvent, toKafkaRecord } from './cloudevents';
import { categoryOf, contextOf, deadLetterTopicFor, topicFor } from './topics';

const event: RecordedEvent = {
  eventId: '5f0c6f7e-2b1d-4c3a-9e8f-7a6b5c4d3e2f',
  type: 'records.TaskCompleted',
  schemaVersion: 1,
  streamId: 'record-42',
  version: 3,
  globalPosition: 1001,
  recordedAt: '2027-03-21T22:41:00.123Z',
  tenantId: 'tenant-1',
  data: { recordId: 'record-42', notesEncrypted: 'v1.k-7.iv.ct.tag', flags: [] },
  metadata: { actorId: 'user:1', correlationId: 'c-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
};

describe('CloudEvents mapping (Kafka binary mode)', () => {
  it('maps a stored event to a record: ce_* headers, tenant, traceparent, key = stream id, value = data as stored', () => {
    const record = toKafkaRecord(event, 'records');
    expect(record).toEqual({
      key: 'record-42',
      value: JSON.stringify(event.data),
      timestamp: String(Date.parse('2027-03-21T22:41:00.123Z')),
      headers: {
        ce_specversion: '1.0',
        ce_id: event.eventId,
        ce_type: 'records.TaskCompleted',
        ce_source: '/custodian/records',
        ce_time: '2027-03-21T22:41:00.123Z',
        ce_subject: 'record-42',
        ce_dataschema: 'urn:custodian:event:records.TaskCompleted:v1',
        'content-type': 'application/json',
        custodian_tenant: 'tenant-1',
        traceparent: event.metadata.traceparent,
      },
    });
  });

  it('leaves traceparent out when the event has none', () => {
    const record = toKafkaRecord({ ...event, metadata: { actorId: 'a', correlationId: 'c', traceparent: null } }, 'records');
    expect(record.headers).not.toHaveProperty('traceparent');
  });

  it('reads a record back into the same message a Postgres-log consumer gets', () => {
    const record = toKafkaRecord(event, 'records');
    const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]));
    const fromKafka = fromKafkaRecord('custodian.records.v1', { key: Buffer.from(record.key), value: Buffer.from(record.value), headers });
    expect(fromKafka).toEqual(fromRecordedEvent(event, 'custodian.records.v1', 'records'));
    expect(fromKafka).toMatchObject({ id: event.eventId, schemaVersion: 1, subject: 'record-42', tenantId: 'tenant-1', data: event.data });
  });

  it.each([
    ['without ce_id', (h: Record<string, string>) => ({ ...h, ce_id: '' })],
    ['of another spec version', (h: Record<string, string>) => ({ ...h, ce_specversion: '0.3' })],
    ['whose dataschema names another type', (h: Record<string, string>) => ({ ...h, ce_dataschema: 'urn:custodian:event:records.Other:v1' })],
  ])('refuses a record %s', (_what, change) => {
    const record = toKafkaRecord(event, 'records');
    expect(() => fromKafkaRecord('custodian.records.v1', { key: null, value: Buffer.from(record.value), headers: change(record.headers) })).toThrow(/custodian\.records\.v1/);
  });

  it('refuses a value that is not a JSON object', () => {
    const { headers } = toKafkaRecord(event, 'records');
    expect(() => fromKafkaRecord('t', { key: null, value: Buffer.from('[1]'), headers })).toThrow(/not a JSON object/);
    expect(() => fromKafkaRecord('t', { key: null, value: Buffer.from('{'), headers })).toThrow(/not JSON/);
  });
});

describe('topics', () => {
  it('names a context topic, its dead-letter topic and its category', () => {
    expect(topicFor('records')).toBe('custodian.records.v1');
    expect(deadLetterTopicFor('custodian.records.v1')).toBe('custodian.records.v1.dlq');
    expect(contextOf('custodian.records.v1')).toBe('records');
    expect(categoryOf('custodian.audit.v1')).toBe('audit.');
  });

  it.each(['records.v1', 'custodian.Records.v1', 'custodian.records.v1.dlq', 'custodian..v1'])('refuses %s as an event topic', (topic) => {
    expect(() => contextOf(topic)).toThrow(/not a custodian event topic/);
  });
});
