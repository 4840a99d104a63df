import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import type { RecordedEvent } from '@custodian/kernel';
import { createPool, migrate } from '@custodian/platform';
import { startMokapi, testDatabaseUrl, waitFor, type MokapiHandle } from '@custodian/testing';
import { contractEvents } from '../../testing/bus.contract';
import type { BusConsumer, BusMessage } from '../bus.port';
import type { OutgoingRecord } from '../cloudevents';
import { KafkaBus } from '../kafka/kafka-bus';
import { createKafkaClient } from '../kafka/kafka-client';
import { KafkaPublisher, type KafkaProducerSettings, type RecordPublisher } from '../kafka/kafka-publisher';
import type { BusLogger } from '../logger';
import { messagingMigrations } from '../migrations';
import { topicFor } from '../topics';
import { Relay } from './relay';

const ASYNCAPI = join(__dirname, '../../../../../docs/asyncapi.yaml');
const STREAMS = 6;
const APPEND_EVERY_MS = 8;
const MAX_EVENTS = 3_000;

/** Lets the test freeze publishing between two batches (see the outage test's steps). */
class GatedPublisher implements RecordPublisher {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  blocked = false;
  constructor(private readonly inner: RecordPublisher) {}
  close(): Promise<void> {
    return this.inner.close();
  }
  hold(): void {
    this.gate = new Promise<void>((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open?.();
    this.gate = undefined;
  }
  async publish(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (this.gate) {
      this.blocked = true;
      await this.gate;
      this.blocked = false;
    }
    await this.inner.publish(topic, records);
  }
}

/** Appends one event every few ms to one of STREAMS streams, round robin, until stopped. */
class Writer {
  readonly appended: RecordedEvent[] = [];
  private running = true;
  private readonly done: Promise<void>;
  constructor(store: PostgresEventStore, context: string) {
    const streams = Array.from({ length: STREAMS }, () => `outage-${randomUUID()}`);
    const next = new Map(streams.map((s) => [s, 0]));
    this.done = (async () => {
      for (let i = 0; this.running && i < MAX_EVENTS; i++) {
        const stream = streams[i % STREAMS];
        const n = next.get(stream) ?? 0;
        next.set(stream, n + 1);
        this.appended.push(...(await store.append(stream, contractEvents(context, stream, 1, n), n)).events);
        await new Promise((r) => setTimeout(r, APPEND_EVERY_MS));
      }
    })();
  }
  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

function captureLog(): BusLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (_fields: object, message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: () => undefined, info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * The broker goes away while events keep being appended, and comes back empty (mokapi keeps
 * nothing across a restart). Every event must still arrive, in order per key.
 *
 * Steps: a consumer group A reads the topic before the outage. The publisher is frozen between
 * two batches and A is let catch up with everything the first broker acknowledged (an in-memory
 * broker loses what it acknowledged but nobody read yet — a real broker keeps it; that loss is
 * not the relay's to prevent). Then the broker is killed, publishing unfrozen: the relay's next
 * batch fails and it pauses, while appends go on. The broker restarts empty; the relay resumes
 * from its checkpoint, and a group B started after the restart reads everything from there.
 * Asserted: A ∪ B = every appended event (nothing lost), each group saw every key in order, and
 * the checkpoint never moved while the broker was down.
 */
describe.each<[string, KafkaProducerSettings, number]>([
  ['production producer settings (idempotent), one-event batches', {}, 1],
  ['batches of 50 (producer not idempotent: mokapi 0.52 refuses multi-record idempotent batches)', { idempotent: false }, 50],
])('Relay through a broker outage: %s', (_name, producerSettings, batchSize) => {
  const context = `o${randomBytes(6).toString('hex')}`;
  const topic = topicFor(context);
  let mokapi: MokapiHandle;
  let owner: Pool;
  let pool: Pool;
  let store: PostgresEventStore;
  let publisher: GatedPublisher;
  let relay: Relay | undefined;
  let bus: KafkaBus | undefined;
  let writer: Writer | undefined;
  const consumers: BusConsumer[] = [];

  beforeAll(async () => {
    owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 2 });
    await migrate(owner, [...eventStoreMigrations, ...messagingMigrations]);
    pool = createPool({ connectionString: testDatabaseUrl(), max: 12 });
    store = new PostgresEventStore(pool);
    mokapi = await startMokapi({ asyncApiPath: ASYNCAPI, extraTopics: [topic] });
  }, 60_000);
  afterAll(async () => {
    publisher?.release();
    await writer?.stop();
    await Promise.all(consumers.map((c) => c.stop()));
    await bus?.close();
    await relay?.stop();
    await publisher?.close();
    await mokapi?.close();
    await pool?.end();
    await owner?.end();
  });

  it('loses no event and reorders none within a key; the relay pauses, logs, and resumes', async () => {
    const kafka = { brokers: mokapi.brokers, clientId: 'outage-spec', connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000 };
    publisher = new GatedPublisher(new KafkaPublisher(createKafkaClient(kafka), { ...producerSettings, retries: 2, maxRetryTimeMs: 500 }));
    const log = captureLog();
    relay = new Relay({ store, pool, publisher, context, batchSize, idleMs: 5, initialBackoffMs: 100, maxBackoffMs: 1_000, logger: log });
    bus = new KafkaBus({ kafka, pool, consumer: { maxWaitTimeMs: 50, heartbeatIntervalMs: 500, sessionTimeoutMs: 10_000 } });
    const seenA: BusMessage[] = [];
    const seenB: BusMessage[] = [];

    // Before the outage: A reads while the writer appends and the relay publishes.
    const consumerA = await bus.subscribe({ topic, group: `outage-a-${randomUUID()}`, handler: async (m) => void seenA.push(m) });
    consumers.push(consumerA);
    await relay.start();
    writer = new Writer(store, context);
    await waitFor(() => (seenA.length >= 100 ? true : undefined), 20_000, 20, 'A reading before the outage');

    // Freeze publishing between two batches; let A read all the first broker acknowledged.
    publisher.hold();
    await waitFor(() => (publisher.blocked ? true : undefined), 10_000, 5, 'the relay waiting to publish');
    const acknowledged = relay.position;
    const expectedA = writer.appended.filter((e) => e.globalPosition <= acknowledged).length;
    await waitFor(() => (seenA.length >= expectedA ? true : undefined), 10_000, 10, `A reading ${expectedA} acknowledged events`);
    await consumerA.stop();

    // The outage: the broker dies, appends go on, the relay's next batch fails and it pauses.
    await mokapi.stop();
    publisher.release();
    await waitFor(() => (relay?.paused ? true : undefined), 20_000, 20, 'the relay to pause');
    const appendedAtPause = writer.appended.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(relay.paused).toBe(true);
    expect(relay.position).toBe(acknowledged);
    expect(writer.appended.length).toBeGreaterThan(appendedAtPause);

    // The broker is back, empty: the relay resumes from its checkpoint; B reads from there.
    await mokapi.restart();
    consumers.push(await bus.subscribe({ topic, group: `outage-b-${randomUUID()}`, handler: async (m) => void seenB.push(m) }));
    await new Promise((r) => setTimeout(r, 500));
    await writer.stop();
    const all = writer.appended;
    await relay.caughtUpTo(all[all.length - 1].globalPosition, 30_000);
    const missing = () => all.filter((e) => e.globalPosition > acknowledged).length;
    await waitFor(() => (seenB.length >= missing() ? true : undefined), 30_000, 20, 'B reading everything after the outage');

    // Nothing lost: every appended event reached A or B, and nothing else did.
    const ids = new Set([...seenA, ...seenB].map((m) => m.id));
    expect(all.filter((e) => !ids.has(e.eventId)).map((e) => e.globalPosition)).toEqual([]);
    expect(ids.size).toBe(all.length);
    // A: exactly what the first broker acknowledged; B: exactly the rest (each group dedupes by id).
    expect(seenA.map((m) => m.id).sort()).toEqual(all.filter((e) => e.globalPosition <= acknowledged).map((e) => e.eventId).sort());
    expect(seenB.map((m) => m.id).sort()).toEqual(all.filter((e) => e.globalPosition > acknowledged).map((e) => e.eventId).sort());
    // No reordering within a key: per stream, A's then B's versions count up by one from 0.
    for (const stream of new Set(all.map((e) => e.streamId))) {
      const nA = seenA.filter((m) => m.subject === stream).map((m) => Number(m.data['n']));
      const nB = seenB.filter((m) => m.subject === stream).map((m) => Number(m.data['n']));
      expect([...nA, ...nB]).toEqual(Array.from({ length: nA.length + nB.length }, (_, i) => i));
    }
    expect(log.lines.filter((l) => l.startsWith('warn broker unavailable'))).toHaveLength(1);
    expect(log.lines).toContain('info broker reachable again: relay resumed');
    expect(relay.paused).toBe(false);
  }, 90_000);
});
