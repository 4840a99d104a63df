import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { publicPayloadOf, type NewEvent, type RecordedEvent } from '@custodian/kernel';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { BUS_CONTEXTS, createKafkaClient, Headers, KafkaBus, KafkaPublisher, messagingMigrations, startRelay, toKafkaRecord, topicFor, type BusMessage, type RunningRelays } from '@custodian/messaging';
import { createPool, migrate } from '@custodian/platform';
import { createDatabase, dropDatabase, startMokapi, testAdminUrl, waitFor, type MokapiHandle } from '@custodian/testing';
import { ASYNCAPI_PATH, PRIVATE_FIELDS } from './generate-asyncapi';

const ROOT = join(__dirname, '..', '..');
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

interface Fixture {
  file: string;
  context: string;
  type: string;
  schemaVersion: number;
  data: NewEvent['data'];
}

function fixtures(): Fixture[] {
  return BUS_CONTEXTS.flatMap((context) => {
    const dir = join(ROOT, 'libs', context, 'contracts', 'src', 'fixtures');
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((file) => {
        const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { type: string; schemaVersion: number; data: NewEvent['data'] };
        return { file, context, type: json.type, schemaVersion: json.schemaVersion, data: json.data };
      });
  });
}

/**
 * mokapi loads the generated docs/asyncapi.yaml and holds the relay's output to it: every
 * context's fixture, published by the relay as CloudEvents, is accepted on its topic (mokapi
 * validates headers and value against the channel's messages) and read back unchanged; a record
 * that breaks its schema is refused.
 */
describe('docs/asyncapi.yaml served by mokapi', () => {
  const dbName = `custodian_asyncapi_${Date.now()}_${process.pid}`;
  let mokapi: MokapiHandle;
  let owner: Pool;
  let pool: Pool;
  let store: PostgresEventStore;
  let relays: RunningRelays | undefined;
  let bus: KafkaBus | undefined;

  beforeAll(async () => {
    // A database of its own: the relay publishes every event of a context from position 0.
    const url = await createDatabase(testAdminUrl(), dbName);
    owner = createPool({ connectionString: url, runtimeRole: false, max: 2 });
    await migrate(owner, [...eventStoreMigrations, ...messagingMigrations]);
    pool = createPool({ connectionString: url, max: 8 });
    store = new PostgresEventStore(pool);
    mokapi = await startMokapi({ asyncApiPath: ASYNCAPI_PATH });
  });
  afterAll(async () => {
    await bus?.close();
    await relays?.stop();
    await mokapi?.close();
    await pool?.end();
    await owner?.end();
    await dropDatabase(testAdminUrl(), dbName);
  });

  it('serves a topic and a dead-letter topic per context', () => {
    expect(mokapi.topics).toEqual(BUS_CONTEXTS.flatMap((c) => [topicFor(c), `${topicFor(c)}.dlq`]));
  });

  it('accepts every fixture as the relay publishes it, and consumers read it back as stored', async () => {
    const all = fixtures();
    expect(all.length).toBeGreaterThan(40);
    const appended: RecordedEvent[] = [];
    for (const f of all) {
      const event: NewEvent = {
        eventId: randomUUID(),
        type: f.type,
        schemaVersion: f.schemaVersion,
        tenantId: randomUUID(),
        data: f.data,
        metadata: { actorId: 'user:asyncapi', correlationId: randomUUID(), traceparent: TRACEPARENT },
      };
      appended.push(...(await store.append(`${f.type}-${randomUUID()}`, [event], 'no_stream')).events);
    }
    // Production producer settings (idempotent) with one-event batches: see the mokapi harness notes.
    relays = await startRelay({ store, pool, kafka: { brokers: mokapi.brokers, clientId: 'asyncapi-spec' }, relay: { batchSize: 1, idleMs: 10 }, privateFields: PRIVATE_FIELDS });
    const last = appended[appended.length - 1].globalPosition;
    for (const relay of relays.relays) await relay.caughtUpTo(last, 30_000);
    expect(relays.relays.every((r) => !r.paused)).toBe(true);

    const seen: BusMessage[] = [];
    bus = new KafkaBus({ kafka: { brokers: mokapi.brokers, clientId: 'asyncapi-spec-consumer' }, pool, consumer: { maxWaitTimeMs: 50 } });
    for (const context of BUS_CONTEXTS) {
      await bus.subscribe({ topic: topicFor(context), group: `asyncapi-${randomUUID()}`, handler: async (m) => void seen.push(m) });
    }
    await waitFor(() => (seen.length >= appended.length ? true : undefined), 30_000, 50, `${appended.length} messages`);
    const byId = new Map(seen.map((m) => [m.id, m]));
    for (const e of appended) {
      expect(byId.get(e.eventId)).toMatchObject({ type: e.type, schemaVersion: e.schemaVersion, subject: e.streamId, tenantId: e.tenantId, traceparent: TRACEPARENT, data: publicPayloadOf(PRIVATE_FIELDS, e.type, e.data) });
    }
    // What a context declares private never leaves: a failed login arrives without address or agent.
    const login = appended.find((e) => e.type === 'identity.LoginFailed');
    expect(login?.data).toHaveProperty('ip');
    expect(byId.get(login?.eventId ?? '')?.data).not.toHaveProperty('ip');
    expect(byId.get(login?.eventId ?? '')?.data).not.toHaveProperty('userAgent');
  });

  it('refuses a record whose data breaks its schema, and one without the CloudEvents headers', async () => {
    const kafka = createKafkaClient({ brokers: mokapi.brokers, clientId: 'asyncapi-negative', clientLogLevel: 'nothing' });
    const publisher = new KafkaPublisher(kafka, { retries: 1 });
    try {
      const [f] = fixtures().filter((x) => x.context === 'records');
      const good = toKafkaRecord(
        { eventId: randomUUID(), type: f.type, schemaVersion: f.schemaVersion, tenantId: randomUUID(), data: f.data, metadata: { actorId: 'a', correlationId: 'c' }, streamId: 's-1', version: 1, globalPosition: 1, recordedAt: new Date().toISOString(), prevHash: '0'.repeat(64), hash: '0'.repeat(64) },
        'records',
      );
      await expect(publisher.publish(topicFor('records'), [good])).resolves.toBeUndefined();
      const broken = { ...good, value: JSON.stringify({ ...f.data, unexpected: true }) };
      await expect(publisher.publish(topicFor('records'), [broken])).rejects.toThrow(/validation/i);
      const bare = { ...good, headers: { [Headers.contentType]: 'application/json' } };
      await expect(publisher.publish(topicFor('records'), [bare])).rejects.toThrow(/validation/i);
      await expect(publisher.publish(`${topicFor('records')}.dlq`, [{ ...good, headers: { ...good.headers, custodian_dlq_error: 'x', custodian_dlq_attempts: '1', custodian_dlq_group: 'g', custodian_dlq_topic: topicFor('records'), custodian_dlq_partition: '0', custodian_dlq_offset: '0', custodian_dlq_failed_at: new Date().toISOString() } }])).resolves.toBeUndefined();
    } finally {
      await publisher.close();
    }
  });

  it('knows no topic outside the document (mokapi cannot create topics)', async () => {
    const kafka = new Kafka({ clientId: 'asyncapi-unknown', brokers: mokapi.brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await expect(admin.fetchTopicMetadata({ topics: ['custodian.unknown.v1'] })).rejects.toThrow();
    } finally {
      await admin.disconnect();
    }
  });
});
