import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { createPool, migrate } from '@custodian/platform';
import { startMokapi, testDatabaseUrl, waitFor, type MokapiHandle } from '@custodian/testing';
import { contractEvents } from '../../testing/bus.contract';
import { silentBusLogger } from '../logger';
import { topicFor } from '../topics';
import { startServiceRelay } from './service-relay';

const ASYNCAPI = join(__dirname, '../../../../../docs/asyncapi.yaml');

/**
 * What a service's main.ts does with the bus: nothing without KAFKA_BROKERS (the Postgres log is
 * the bus), and with it, migrate and relay the service's own context to its topic.
 */
describe('startServiceRelay', () => {
  const context = `svc${randomBytes(5).toString('hex')}`;
  let owner: Pool;
  let store: PostgresEventStore;
  let mokapi: MokapiHandle;

  beforeAll(async () => {
    owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 2 });
    await migrate(owner, eventStoreMigrations);
    store = new PostgresEventStore(owner);
    mokapi = await startMokapi({ asyncApiPath: ASYNCAPI, extraTopics: [topicFor(context)] });
  }, 60_000);
  afterAll(async () => {
    await mokapi?.close();
    await owner?.end();
  });

  it('starts nothing without KAFKA_BROKERS', async () => {
    expect(await startServiceRelay({ context, store, databaseUrl: testDatabaseUrl(), bus: {}, logger: silentBusLogger })).toBeUndefined();
    expect(await startServiceRelay({ context, store, databaseUrl: testDatabaseUrl(), bus: { kafkaBrokers: [] }, logger: silentBusLogger })).toBeUndefined();
  });

  it("with KAFKA_BROKERS relays the context's events to custodian.<context>.v1, in order, with CloudEvents headers", async () => {
    const stream = `${context}-thing-1`;
    const appended = (await store.append(stream, contractEvents(context, stream, 5), 'no_stream')).events;
    const relay = await startServiceRelay({ context, store, databaseUrl: testDatabaseUrl(), bus: { kafkaBrokers: mokapi.brokers }, logger: silentBusLogger });
    expect(relay).toBeDefined();
    const kafka = new Kafka({ clientId: 'service-relay-test', brokers: [...mokapi.brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `g-${context}` });
    const seen: Array<{ id: string; type: string; subject: string; tenant: string }> = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: topicFor(context), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const h = (name: string) => message.headers?.[name]?.toString() ?? '';
          seen.push({ id: h('ce_id'), type: h('ce_type'), subject: h('ce_subject'), tenant: h('custodian_tenant') });
        },
      });
      await waitFor(async () => (seen.length >= 5 ? true : undefined), 20_000, 50, 'the relayed events');
      expect(seen).toEqual(appended.map((e) => ({ id: e.eventId, type: e.type, subject: stream, tenant: e.tenantId })));
    } finally {
      await consumer.disconnect();
      await relay?.stop();
    }
  }, 60_000);
});
