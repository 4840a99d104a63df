import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import type { NewEvent, RecordedEvent } from '@custodian/kernel';
import { createKafkaClient, KafkaPublisher, messagingMigrations, startRelay, toKafkaRecord, topicFor, type OutgoingRecord, type RunningRelays } from '@custodian/messaging';
import { createPool, migrate } from '@custodian/platform';
import { recordStreamId, type CleaningStarted, type ClockedOut, type RecordCorrected, type RecordSealed, type TaskCompleted } from '@custodian/records/contracts';
import { createDatabase, dropDatabase, startMokapi, testAdminUrl, waitFor, type MokapiHandle } from '@custodian/testing';
import { logLevel } from 'kafkajs';
import { formatSummary, PayrollConsumer } from './payroll-consumer';

const ASYNCAPI = join(__dirname, '../../../docs/asyncapi.yaml');
/**
 * mokapi holds custodian.records.v1 to docs/asyncapi.yaml and refuses a record that breaks it;
 * a real Kafka topic checks nothing. The malformed records go to this schema-free topic, which
 * the consumer under test reads as well.
 */
const UNCHECKED_TOPIC = 'integrator-test.unchecked';
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const tenantA = randomUUID();
const tenantB = randomUUID();
const [ana, ben, cho] = [randomUUID(), randomUUID(), randomUUID()].sort();
const supervisor = randomUUID();

type RecordsData = CleaningStarted['data'] | ClockedOut['data'] | RecordSealed['data'] | RecordCorrected['data'] | TaskCompleted['data'];

/** One cleaning record's events, as the records service would store them (data shapes from the contracts). */
function cleaningRecord(tenantId: string, cleanerId: string, clockIn: string, clockOut: string | null, extra: (recordId: string) => NewEvent[] = () => []) {
  const recordId = randomUUID();
  const event = (type: string, data: RecordsData): NewEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    tenantId,
    data,
    metadata: { actorId: `user:${cleanerId}`, correlationId: randomUUID(), traceparent: TRACEPARENT },
  });
  const evidence = (at: string) => ({ at, method: 'qr' as const, scanCode: '9F86D081884C7D659A2FEAA0C55AD015', areaId: randomUUID(), geo: { lat: 51.50125, lon: -0.14189, accuracyMeters: 12 } });
  const events: NewEvent[] = [
    event('records.CleaningStarted', { tenantId, recordId, shiftId: randomUUID(), locationId: randomUUID(), cleanerId, checklist: { checklistId: randomUUID(), version: 2 }, clockIn: evidence(clockIn), flags: [] }),
    event('records.TaskCompleted', { tenantId, recordId, taskId: 'task-mop-floor', areaId: randomUUID(), completedAt: clockIn.replace(/:00\.000Z$/, ':40.000Z'), notesEncrypted: null, photoSha256: null, flags: [] }),
  ];
  if (clockOut) events.push(event('records.ClockedOut', { tenantId, recordId, clockOut: evidence(clockOut), flags: [] }));
  events.push(...extra(recordId).map((e) => ({ ...e, tenantId, metadata: { actorId: `user:${supervisor}`, correlationId: randomUUID() } })));
  return { recordId, streamId: recordStreamId(recordId), events };
}

const sealed = (tenantId: string, sealedAt: string) => (recordId: string): NewEvent[] => [
  { eventId: randomUUID(), type: 'records.RecordSealed', schemaVersion: 1, tenantId, data: { tenantId, recordId, sealedBy: supervisor, sealedAt }, metadata: { actorId: '', correlationId: '' } },
];
const corrected = (tenantId: string, version: number, field: 'clockIn.at' | 'clockOut.at', value: string, correctedAt: string, afterSeal = false) => (recordId: string): NewEvent[] => [
  {
    eventId: randomUUID(),
    type: 'records.RecordCorrected',
    schemaVersion: 1,
    tenantId,
    data: { tenantId, recordId, correctionId: randomUUID(), target: { version, field }, value, reasonEncrypted: 'v1.k-7b3e1d0c.Gh2Ij4Kl6Mn8Op0Qr2St4U.Rm9yZ290IHRvIHNjYW4.dGFnLXJlYXNvbg', correctedBy: supervisor, afterSeal, correctedAt },
    metadata: { actorId: '', correlationId: '' },
  },
];

/**
 * The example integrator against mokapi serving docs/asyncapi.yaml: records events appended to
 * the event store are published by the real relay (CloudEvents binary mode, production producer
 * settings) and the consumer's payroll summary is checked; a duplicate delivery and malformed
 * records are added with a plain producer.
 */
describe('example integrator: payroll consumer on mokapi', () => {
  const dbName = `custodian_integrator_${Date.now()}_${process.pid}`;
  let mokapi: MokapiHandle | undefined;
  let owner: Pool | undefined;
  let pool: Pool | undefined;
  let relays: RunningRelays | undefined;
  let publisher: KafkaPublisher | undefined;
  let consumer: PayrollConsumer | undefined;

  // Ana: two shifts in tenant A — 8.5 h (sealed) and 9.25 h corrected to 8 h (clock-out 06:15 → 05:00).
  // Ben: one shift in tenant A — 4.75 h, clock-in corrected after the seal to 30 min earlier (5.25 h); and one open record.
  // Cho: one shift in tenant B — 4 h.
  const records = [
    cleaningRecord(tenantA, ana, '2026-03-02T21:00:00.000Z', '2026-03-03T05:30:00.000Z', sealed(tenantA, '2026-03-03T08:00:00.000Z')),
    cleaningRecord(tenantA, ana, '2026-03-03T21:00:00.000Z', '2026-03-04T06:15:00.000Z', corrected(tenantA, 3, 'clockOut.at', '2026-03-04T05:00:00.000Z', '2026-03-04T09:00:00.000Z')),
    cleaningRecord(tenantA, ben, '2026-03-02T18:00:00.000Z', '2026-03-02T22:45:00.000Z', (id) => [
      ...sealed(tenantA, '2026-03-03T07:00:00.000Z')(id),
      ...corrected(tenantA, 1, 'clockIn.at', '2026-03-02T17:45:00.000Z', '2026-03-03T09:00:00.000Z', true)(id),
      // A later correction of the same time wins.
      ...corrected(tenantA, 1, 'clockIn.at', '2026-03-02T17:30:00.000Z', '2026-03-03T10:00:00.000Z', true)(id),
    ]),
    cleaningRecord(tenantA, ben, '2026-03-04T18:00:00.000Z', null),
    cleaningRecord(tenantB, cho, '2026-03-02T08:00:00.000Z', '2026-03-02T12:00:00.000Z'),
  ];
  const eventCount = records.reduce((n, r) => n + r.events.length, 0);
  const appended: RecordedEvent[] = [];

  beforeAll(async () => {
    // A database of its own: the relay publishes every records event from position 0, and only ours.
    const url = await createDatabase(testAdminUrl(), dbName);
    owner = createPool({ connectionString: url, runtimeRole: false, max: 2 });
    await migrate(owner, [...eventStoreMigrations, ...messagingMigrations]);
    pool = createPool({ connectionString: url, max: 4 });
    mokapi = await startMokapi({ asyncApiPath: ASYNCAPI, extraTopics: [UNCHECKED_TOPIC], extraTopicPartitions: 1 });
  }, 60_000);

  afterAll(async () => {
    await consumer?.stop().catch(() => undefined);
    await relays?.stop().catch(() => undefined);
    await publisher?.close().catch(() => undefined);
    await mokapi?.close();
    await pool?.end();
    await owner?.end();
    await dropDatabase(testAdminUrl(), dbName);
  }, 30_000);

  it('prints hours and shifts per cleaner, counts a duplicate ce_id once, and reports malformed records', async () => {
    if (!mokapi || !pool) throw new Error('setup failed');
    const store = new PostgresEventStore(pool);
    for (const r of records) appended.push(...(await store.append(r.streamId, r.events, 'no_stream')).events);

    // The real relay, production producer settings (idempotent) with one-event batches (a mokapi limit, see the harness).
    relays = await startRelay({ store, pool, kafka: { brokers: mokapi.brokers, clientId: 'integrator-spec-relay' }, contexts: ['records'], relay: { batchSize: 1, idleMs: 10 } });
    await relays.relays[0].caughtUpTo(appended[appended.length - 1].globalPosition, 30_000);
    expect(relays.relays[0].paused).toBe(false);

    // At-least-once delivery: the relay's record for Ana's clock-out, published a second time.
    publisher = new KafkaPublisher(createKafkaClient({ brokers: mokapi.brokers, clientId: 'integrator-spec-producer', clientLogLevel: 'nothing' }), { idempotent: false, retries: 1 });
    const clockOut = appended.find((e) => e.type === 'records.ClockedOut' && e.data['recordId'] === records[0].recordId);
    if (!clockOut) throw new Error('no clock-out appended');
    const duplicate = toKafkaRecord(clockOut, 'records');
    await publisher.publish(topicFor('records'), [duplicate]);

    // Records a plain Kafka topic would accept and the consumer must refuse: copies of a clock-out, each broken one way.
    const stray = (change: (r: OutgoingRecord) => OutgoingRecord): OutgoingRecord => {
      const copy = toKafkaRecord({ ...clockOut, eventId: randomUUID(), streamId: recordStreamId(randomUUID()) }, 'records');
      return change({ ...copy, headers: { ...copy.headers } });
    };
    const broken = [
      stray((r) => ({ ...r, headers: { ...r.headers, ce_specversion: '0.3' } })),
      stray((r) => {
        delete r.headers['ce_id'];
        return r;
      }),
      stray((r) => ({ ...r, headers: { ...r.headers, ce_id: 'clock-out-42' } })),
      stray((r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } })),
      stray((r) => ({ ...r, value: '{"tenantId": ' })),
    ];
    // A well-formed event of a type this consumer does not know: skipped, and counted as such.
    const unknown = stray((r) => ({ ...r, headers: { ...r.headers, ce_type: 'records.ShiftPaid', ce_dataschema: 'urn:custodian:event:records.ShiftPaid:v1' } }));
    for (const r of [...broken, unknown]) await publisher.publish(UNCHECKED_TOPIC, [r]);

    consumer = new PayrollConsumer({ brokers: mokapi.brokers, groupId: `payroll-${randomUUID()}`, topics: [topicFor('records'), UNCHECKED_TOPIC], maxWaitTimeMs: 50, kafkaLogLevel: logLevel.NOTHING });
    await consumer.start();
    const expected = eventCount + 1 + broken.length + 1;
    await waitFor(() => (consumer && consumer.report().messages.received >= expected ? true : undefined), 30_000, 50, `${expected} records consumed`);
    await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
    const report = consumer.report();

    expect(report.payroll.tenants).toEqual(
      [
        {
          tenantId: tenantA,
          cleaners: [
            { cleanerId: ana, shifts: 2, hours: 16.5, sealedShifts: 1, correctedShifts: 1 },
            { cleanerId: ben, shifts: 1, hours: 5.25, sealedShifts: 1, correctedShifts: 1 },
          ].sort((a, b) => (a.cleanerId < b.cleanerId ? -1 : 1)),
          shifts: 3,
          hours: 21.75,
          openRecords: 1,
          needsReview: [],
        },
        { tenantId: tenantB, cleaners: [{ cleanerId: cho, shifts: 1, hours: 4, sealedShifts: 0, correctedShifts: 0 }], shifts: 1, hours: 4, openRecords: 0, needsReview: [] },
      ].sort((a, b) => (a.tenantId < b.tenantId ? -1 : 1)),
    );
    const taskEvents = records.length;
    expect(report.messages).toMatchObject({ received: expected, applied: eventCount - taskEvents, ignored: taskEvents, duplicates: 1, invalid: broken.length, skipped: { 'records.ShiftPaid v1': 1 } });
    expect(report.messages.invalidMessages.map((m) => [m.topic, m.reason])).toEqual([
      [UNCHECKED_TOPIC, 'ce_specversion is "0.3", expected "1.0"'],
      [UNCHECKED_TOPIC, 'missing header ce_id'],
      [UNCHECKED_TOPIC, 'ce_id "clock-out-42" is not a UUID'],
      [UNCHECKED_TOPIC, 'content-type is "text/plain", expected application/json'],
      [UNCHECKED_TOPIC, 'value is not JSON'],
    ]);

    const text = formatSummary(report);
    expect(text).toContain(`Tenant ${tenantA}: 3 shifts, 21.75 h, 1 open record`);
    expect(text).toMatch(new RegExp(`${ana}\\s+2\\s+16\\.50\\s+1\\s+1`));
    expect(text).toContain('1 duplicate (ce_id seen before), 5 invalid, 1 skipped (unknown type or version: records.ShiftPaid v1 ×1)');
    expect(text).toContain(`${UNCHECKED_TOPIC}[0]@2: ce_id "clock-out-42" is not a UUID`);
  }, 90_000);
});
