import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { createPool, migrate } from '@custodian/platform';
import { startMokapi, testDatabaseUrl, type MokapiHandle } from '@custodian/testing';
import { runBusContract, type BusContractFactory } from '../../testing/bus.contract';
import { readKafkaDeadLetters } from '../../testing/kafka-dead-letters';
import { toKafkaRecord } from '../cloudevents';
import { messagingMigrations } from '../migrations';
import { Relay } from '../relay/relay';
import { contextOf, topicFor } from '../topics';
import { KafkaBus } from './kafka-bus';
import { createKafkaClient } from './kafka-client';
import { KafkaPublisher } from './kafka-publisher';

const ASYNCAPI = join(__dirname, '../../../../../docs/asyncapi.yaml');

/**
 * The bus contract on Kafka: mokapi (started here from the project's AsyncAPI document, plus one
 * schema-free topic per test) and kafkajs. Events reach each test's topic the production way:
 * appended to the event store, published by a relay (production producer settings: idempotent,
 * acks=all, one request in flight; one-event batches, see the mokapi harness notes).
 */
describe('KafkaBus', () => {
  const topics = Array.from({ length: 10 }, () => topicFor(`k${randomBytes(6).toString('hex')}`));
  let next = 0;
  let mokapi: MokapiHandle;
  let owner: Pool;
  let pool: Pool;
  let store: PostgresEventStore;
  let bus: KafkaBus;
  let relayPublisher: KafkaPublisher;
  let redeliverer: KafkaPublisher;
  const relays: Relay[] = [];

  beforeAll(async () => {
    owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 2 });
    await migrate(owner, [...eventStoreMigrations, ...messagingMigrations]);
    pool = createPool({ connectionString: testDatabaseUrl(), max: 16 });
    store = new PostgresEventStore(pool);
    mokapi = await startMokapi({ asyncApiPath: ASYNCAPI, extraTopics: topics });
    const kafka = { brokers: mokapi.brokers, clientId: 'kafka-bus-spec' };
    relayPublisher = new KafkaPublisher(createKafkaClient(kafka));
    redeliverer = new KafkaPublisher(createKafkaClient(kafka), { idempotent: false });
    bus = new KafkaBus({ kafka, pool, consumer: { maxWaitTimeMs: 50, heartbeatIntervalMs: 500, sessionTimeoutMs: 10_000 } });
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await Promise.all(relays.map((r) => r.stop()));
    await relayPublisher?.close();
    await redeliverer?.close();
    await mokapi?.close();
    await pool?.end();
    await owner?.end();
  });

  const factory: BusContractFactory = {
    get bus() {
      return bus;
    },
    deliveryTimeoutMs: 20_000,
    async channel() {
      const topic = topics[next++];
      const context = contextOf(topic);
      const relay = new Relay({ store, pool, publisher: relayPublisher, context, batchSize: 1, idleMs: 10 });
      await relay.start();
      relays.push(relay);
      return {
        topic,
        context,
        append: async (streamId, events) => (await store.append(streamId, events, 'any')).events,
        // A lost acknowledgement: the same records are on the topic twice.
        redeliver: (_group, events) => redeliverer.publish(topic, events.map((e) => toKafkaRecord(e, context))),
        deadLetters: (group, count) => readKafkaDeadLetters(createKafkaClient({ brokers: mokapi.brokers, clientId: 'dlq-reader' }), topic, group, count),
      };
    },
  };

  runBusContract('Kafka (kafkajs on mokapi)', () => factory);
});
