import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject, RecordedEvent } from '@custodian/kernel';
import { toKafkaRecord } from '@custodian/messaging';
import { checkCloudEvent, type IncomingRecord } from './cloud-event';
import { formatSummary, PayrollConsumer } from './payroll-consumer';

const tenantId = randomUUID();
const cleanerId = 'cleaner-1';
let offset = 0;

/** A record exactly as the relay writes it (its own header builder), for an event of the records context. */
function record(type: string, data: JsonObject, change: (r: IncomingRecord) => IncomingRecord = (r) => r): IncomingRecord {
  const event: RecordedEvent = {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    tenantId,
    data: { tenantId, ...data },
    metadata: { actorId: 'user:x', correlationId: randomUUID() },
    streamId: `records-record-${String(data['recordId'])}`,
    version: 1,
    globalPosition: ++offset,
    recordedAt: new Date().toISOString(),
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
  };
  const out = toKafkaRecord(event, 'records');
  return change({ topic: 'custodian.records.v1', partition: 0, offset: String(offset), key: Buffer.from(out.key), value: Buffer.from(out.value), headers: { ...out.headers } });
}
const clock = (at: string) => ({ at, method: 'qr', scanCode: null, areaId: null, geo: null });
const started = (recordId: string, at: string) => record('records.CleaningStarted', { recordId, cleanerId, clockIn: clock(at), flags: [] });
const clockedOut = (recordId: string, at: string) => record('records.ClockedOut', { recordId, clockOut: clock(at), flags: [] });
const corrected = (recordId: string, field: string, value: string, correctedAt: string) =>
  record('records.RecordCorrected', { recordId, correctionId: randomUUID(), target: { version: 1, field }, value, reasonEncrypted: 'x', correctedBy: 'sup', afterSeal: false, correctedAt });

describe('checkCloudEvent', () => {
  const good = () => clockedOut('r1', '2026-03-02T10:00:00.000Z');

  it('accepts what the relay writes', () => {
    const result = checkCloudEvent(good());
    expect(result).toMatchObject({ ok: true, event: { type: 'records.ClockedOut', schemaVersion: 1, source: '/custodian/records', subject: 'records-record-r1', tenantId } });
  });

  it.each<[string, (r: IncomingRecord) => void, string]>([
    ['no ce_type', (r) => delete r.headers?.['ce_type'], 'missing header ce_type'],
    ['an empty custodian_tenant', (r) => r.headers && (r.headers['custodian_tenant'] = ''), 'missing header custodian_tenant'],
    ['another spec version', (r) => r.headers && (r.headers['ce_specversion'] = Buffer.from('0.3')), 'ce_specversion is "0.3", expected "1.0"'],
    ['a non-UUID id', (r) => r.headers && (r.headers['ce_id'] = 'abc'), 'ce_id "abc" is not a UUID'],
    ['a bad time', (r) => r.headers && (r.headers['ce_time'] = 'yesterday'), 'ce_time "yesterday" is not an RFC 3339 timestamp'],
    ['another source', (r) => r.headers && (r.headers['ce_source'] = '/custodian/audit'), 'ce_source is "/custodian/audit", expected /custodian/records'],
    ['a dataschema of another type', (r) => r.headers && (r.headers['ce_dataschema'] = 'urn:custodian:event:records.TaskCompleted:v1'), 'ce_dataschema does not name the event type records.ClockedOut'],
    ['a JSON array value', (r) => (r.value = Buffer.from('[]')), 'value is not a JSON object'],
    ['data of another tenant', (r) => (r.value = Buffer.from(JSON.stringify({ tenantId: 'other' }))), 'data.tenantId does not match custodian_tenant'],
  ])('refuses a record with %s', (_what, breakIt, reason) => {
    const r = good();
    breakIt(r);
    expect(checkCloudEvent(r)).toEqual({ ok: false, reason });
  });

  it('accepts a content-type with parameters', () => {
    const r = good();
    if (r.headers) r.headers['content-type'] = 'application/json; charset=utf-8';
    expect(checkCloudEvent(r).ok).toBe(true);
  });
});

describe('PayrollConsumer.handle (no Kafka)', () => {
  it('does not depend on arrival order and flags records payroll cannot count', () => {
    const consumer = new PayrollConsumer({ brokers: [], groupId: 'g' });
    const messages = [
      corrected('r1', 'clockOut.at', '2026-03-02T17:00:00.000Z', '2026-03-03T09:00:00.000Z'),
      clockedOut('r1', '2026-03-02T18:00:00.000Z'),
      started('r1', '2026-03-02T09:00:00.000Z'),
      clockedOut('r2', '2026-03-02T18:00:00.000Z'),
      started('r3', '2026-03-02T18:00:00.000Z'),
      clockedOut('r3', '2026-03-02T17:00:00.000Z'),
      corrected('r1', 'score', '42', '2026-03-03T09:00:00.000Z'),
      record('records.ClockedOut', { recordId: 'r4', flags: [] }),
      record('records.RecordSealed', { recordId: 'r1', sealedBy: 'sup', sealedAt: '2026-03-03T08:00:00.000Z' }, (r) => {
        if (r.headers) r.headers['ce_dataschema'] = 'urn:custodian:event:records.RecordSealed:v2';
        return r;
      }),
    ];
    for (const m of messages) consumer.handle(m);
    consumer.handle(messages[0]);
    const { payroll, messages: stats } = consumer.report();
    expect(payroll.tenants).toEqual([
      {
        tenantId,
        cleaners: [{ cleanerId, shifts: 1, hours: 8, sealedShifts: 0, correctedShifts: 1 }],
        shifts: 1,
        hours: 8,
        openRecords: 0,
        needsReview: [
          { recordId: 'r2', reason: 'clock-out without a clock-in seen' },
          { recordId: 'r3', reason: 'clock-out 2026-03-02T17:00:00.000Z is not after clock-in 2026-03-02T18:00:00.000Z' },
        ],
      },
    ]);
    expect(stats).toMatchObject({ received: 10, applied: 7, duplicates: 1, invalid: 1, skipped: { 'records.RecordSealed v2': 1 } });
    expect(stats.invalidMessages.map((m) => m.reason)).toEqual(['records.ClockedOut: data.clockOut.at missing']);
  });

  it('formats an empty report, and aligns the table', () => {
    const consumer = new PayrollConsumer({ brokers: [], groupId: 'g' });
    expect(formatSummary(consumer.report())).toContain('No records seen.');
    consumer.handle(started('r1', '2026-03-02T09:00:00.000Z'));
    consumer.handle(clockedOut('r1', '2026-03-02T13:20:00.000Z'));
    const lines = formatSummary(consumer.report()).split('\n');
    const header = lines.findIndex((l) => l.trimStart().startsWith('cleaner'));
    expect(lines[header + 1]).toBe(`  ${cleanerId}  ${'1'.padStart(6)}  ${'4.33'.padStart(8)}  ${'0'.padStart(6)}  ${'0'.padStart(9)}`);
    for (const column of ['shifts', 'hours', 'sealed', 'corrected']) {
      const end = lines[header].indexOf(column) + column.length;
      expect(lines[header + 1][end - 1]).not.toBe(' ');
    }
  });
});

describe('example integrator sources', () => {
  // Lint lets a type:infra project use other infrastructure libraries; an integrator must not:
  // it stands for a program outside this repository, which has only the public contracts.
  it('import only kafkajs, Node built-ins, public contracts and each other (tests excepted)', () => {
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    const imports = sources.flatMap((f) => [...readFileSync(join(__dirname, f), 'utf8').matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]));
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !(i === 'kafkajs' || i.startsWith('node:') || i.startsWith('./') || /^@custodian\/[a-z-]+\/contracts$/.test(i)))).toEqual([]);
  });
});
