import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import type { NewEvent, RecordedEvent } from '@custodian/kernel';
import { createPool, migrate } from '@custodian/platform';
import { startMokapi, testDatabaseUrl, waitFor, type MokapiHandle } from '@custodian/testing';
import { contractEvents } from '../../testing/bus.contract';
import type { OutgoingRecord } from '../cloudevents';
import { createKafkaClient } from '../kafka/kafka-client';
import { KafkaPublisher, type RecordPublisher } from '../kafka/kafka-publisher';
import type { BusLogger } from '../logger';
import { messagingMigrations } from '../migrations';
import { topicFor } from '../topics';
import { Relay } from './relay';

const ASYNCAPI = join(__dirname, '../../../../../docs/asyncapi.yaml');
const newContext = () => `r${randomBytes(6).toString('hex')}`;

/** A publisher the test steers: records every batch, can fail or hold calls. */
class FakePublisher implements RecordPublisher {
  readonly batches: Array<{ topic: string; records: readonly OutgoingRecord[] }> = [];
  failing = false;
  private held: Array<() => void> | undefined;
  calls = 0;

  hold(): void {
    this.held = [];
  }
  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    waiting.forEach((go) => go());
  }
  get waiting(): number {
    return this.held?.length ?? 0;
  }
  async publish(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    this.calls++;
    if (this.held) await new Promise<void>((go) => this.held?.push(go));
    if (this.failing) throw new Error('broker down (fake)');
    this.batches.push({ topic, records });
  }
  async close(): Promise<void> {
    this.held = undefined;
  }
  ids(): string[] {
    return this.batches.flatMap((b) => b.records.map((r) => r.headers['ce_id']));
  }
}

/** Captures log lines as `level message`. */
function captureLog(): BusLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (_fields: object, message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('Relay', () => {
  let owner: Pool;
  let pool: Pool;
  let store: PostgresEventStore;
  const relays: Relay[] = [];
  const track = (relay: Relay) => {
    relays.push(relay);
    return relay;
  };

  beforeAll(async () => {
    owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 2 });
    await migrate(owner, [...eventStoreMigrations, ...messagingMigrations]);
    pool = createPool({ connectionString: testDatabaseUrl(), max: 12 });
    store = new PostgresEventStore(pool);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await pool.end();
    await owner.end();
  });

  const append = async (stream: string, events: NewEvent[]) => (await store.append(stream, events, 'any')).events;
  const checkpointOf = async (name: string) => {
    const res = await owner.query<{ position: number }>('SELECT position FROM messaging.relay_checkpoints WHERE relay = $1', [name]);
    return res.rows.length ? Number(res.rows[0].position) : 0;
  };

  it('publishes only its context, in global order, in batches of at most batchSize, to custodian.<context>.v1', async () => {
    const context = newContext();
    const other = newContext();
    const streams = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    const ours: RecordedEvent[] = [];
    for (let i = 0; i < 6; i++) {
      ours.push(...(await append(streams[i % 2], contractEvents(context, streams[i % 2], 7, i * 7))));
      await append(`o-${randomUUID()}`, contractEvents(other, 'o', 2));
    }
    const publisher = new FakePublisher();
    const relay = track(new Relay({ store, pool, publisher, context, batchSize: 10, idleMs: 5 }));
    await relay.start();
    await relay.caughtUpTo(ours[ours.length - 1].globalPosition);
    expect(publisher.ids()).toEqual(ours.map((e) => e.eventId));
    expect(publisher.batches.every((b) => b.topic === topicFor(context) && b.records.length <= 10)).toBe(true);
    expect(publisher.batches.length).toBeGreaterThanOrEqual(5);
    expect(await checkpointOf(relay.name)).toBeGreaterThanOrEqual(ours[ours.length - 1].globalPosition);
  });

  it('moves its checkpoint only after the broker acknowledged the batch', async () => {
    const context = newContext();
    const publisher = new FakePublisher();
    const relay = track(new Relay({ store, pool, publisher, context, idleMs: 5 }));
    await relay.start();
    const first = await append(`s-${randomUUID()}`, contractEvents(context, 's', 3));
    await relay.caughtUpTo(first[2].globalPosition);

    publisher.hold();
    const second = await append(`s-${randomUUID()}`, contractEvents(context, 's', 3));
    await waitFor(() => (publisher.waiting > 0 ? true : undefined), 5_000, 5, 'a publish in flight');
    await new Promise((r) => setTimeout(r, 100));
    // Other tests' events may be stepped over, never the unacknowledged batch.
    expect(relay.position).toBeGreaterThanOrEqual(first[2].globalPosition);
    expect(relay.position).toBeLessThan(second[0].globalPosition);
    expect(await checkpointOf(relay.name)).toBeLessThan(second[0].globalPosition);

    publisher.release();
    await relay.caughtUpTo(second[2].globalPosition);
    expect(await checkpointOf(relay.name)).toBeGreaterThanOrEqual(second[2].globalPosition);
  });

  it('resumes after a restart from its checkpoint: nothing acknowledged is published again, nothing is skipped', async () => {
    const context = newContext();
    const name = `spec-${randomUUID()}`;
    const p1 = new FakePublisher();
    const r1 = track(new Relay({ store, pool, publisher: p1, context, name, idleMs: 5 }));
    await r1.start();
    const before = await append(`s-${randomUUID()}`, contractEvents(context, 's', 4));
    await r1.caughtUpTo(before[3].globalPosition);
    await r1.stop();
    const during = await append(`s-${randomUUID()}`, contractEvents(context, 's', 4));
    const p2 = new FakePublisher();
    const r2 = track(new Relay({ store, pool, publisher: p2, context, name, idleMs: 5 }));
    await r2.start();
    await r2.caughtUpTo(during[3].globalPosition);
    expect(p1.ids()).toEqual(before.map((e) => e.eventId));
    expect(p2.ids()).toEqual(during.map((e) => e.eventId));
  });

  it('pauses while the broker fails (logging it once), never skips, and logs when it resumes', async () => {
    const context = newContext();
    const publisher = new FakePublisher();
    const log = captureLog();
    const relay = track(new Relay({ store, pool, publisher, context, idleMs: 5, initialBackoffMs: 20, maxBackoffMs: 40, logger: log }));
    await relay.start();
    publisher.failing = true;
    const events = await append(`s-${randomUUID()}`, contractEvents(context, 's', 5));
    await waitFor(() => (publisher.calls >= 5 ? true : undefined), 5_000, 5, 'five failed attempts');
    expect(relay.paused).toBe(true);
    expect(relay.position).toBeLessThan(events[0].globalPosition);
    expect(log.lines.filter((l) => l.includes('relay paused'))).toEqual(['warn broker unavailable: relay paused, the batch will be published again']);

    publisher.failing = false;
    await relay.caughtUpTo(events[4].globalPosition);
    expect(relay.paused).toBe(false);
    expect(publisher.ids()).toEqual(events.map((e) => e.eventId));
    expect(log.lines).toContain('info broker reachable again: relay resumed');
  });

  it('runs one relay per name: a second one stands by and takes over when the first stops', async () => {
    const context = newContext();
    const name = `spec-${randomUUID()}`;
    const p1 = new FakePublisher();
    const p2 = new FakePublisher();
    const r1 = track(new Relay({ store, pool, publisher: p1, context, name, idleMs: 5 }));
    await r1.start();
    const first = await append(`s-${randomUUID()}`, contractEvents(context, 's', 3));
    await r1.caughtUpTo(first[2].globalPosition);
    const r2 = track(new Relay({ store, pool, publisher: p2, context, name, idleMs: 5, standbyPollMs: 50 }));
    await r2.start();
    const second = await append(`s-${randomUUID()}`, contractEvents(context, 's', 3));
    await r1.caughtUpTo(second[2].globalPosition);
    await new Promise((r) => setTimeout(r, 200));
    expect(p2.calls).toBe(0);
    await r1.stop();
    const third = await append(`s-${randomUUID()}`, contractEvents(context, 's', 3));
    await r2.caughtUpTo(third[2].globalPosition);
    expect(p1.ids()).toEqual([...first, ...second].map((e) => e.eventId));
    expect(p2.ids()).toEqual(third.map((e) => e.eventId));
  });

  describe('on Kafka (mokapi)', () => {
    let mokapi: MokapiHandle;
    const contexts = [newContext(), newContext()];
    beforeAll(async () => {
      mokapi = await startMokapi({ asyncApiPath: ASYNCAPI, extraTopics: contexts.map(topicFor) });
    }, 60_000);
    afterAll(async () => {
      await mokapi?.close();
    });

    async function readTopic(topic: string, count: number): Promise<KafkaMessage[]> {
      const kafka = new Kafka({ clientId: 'relay-spec-reader', brokers: mokapi.brokers, logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 50 });
      const seen: KafkaMessage[] = [];
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
        await waitFor(() => (seen.length >= count ? true : undefined), 20_000, 20, `${count} records on ${topic}`);
        return seen;
      } finally {
        await consumer.disconnect();
      }
    }

    it('writes CloudEvents binary-mode records: ce_* headers, tenant, traceparent, key = stream id, value = the data as stored', async () => {
      const context = contexts[0];
      const stream = `rec-${randomUUID()}`;
      const withTrace = contractEvents(context, stream, 2, 0, (i) => ({ notesEncrypted: `v1.k-1.iv${i}.ct.tag` }));
      const withoutTrace = contractEvents(context, stream, 1, 2).map((e) => ({ ...e, metadata: { actorId: 'user:x', correlationId: randomUUID() } }));
      const events = await append(stream, [...withTrace, ...withoutTrace]);
      const publisher = new KafkaPublisher(createKafkaClient({ brokers: mokapi.brokers, clientId: 'relay-spec' }), { idempotent: false });
      const relay = track(new Relay({ store, pool, publisher, context, idleMs: 5 }));
      try {
        await relay.start();
        await relay.caughtUpTo(events[2].globalPosition);
        const records = await readTopic(topicFor(context), 3);
        const byId = new Map(records.map((r) => [r.headers?.['ce_id']?.toString(), r]));
        for (const e of events) {
          const r = byId.get(e.eventId);
          expect(r?.key?.toString()).toBe(stream);
          expect(JSON.parse(r?.value?.toString() ?? 'null')).toEqual(e.data);
          const headers = Object.fromEntries(Object.entries(r?.headers ?? {}).map(([k, v]) => [k, String(v)]));
          expect(headers).toEqual({
            ce_specversion: '1.0',
            ce_id: e.eventId,
            ce_type: e.type,
            ce_source: `/custodian/${context}`,
            ce_time: e.recordedAt,
            ce_subject: stream,
            ce_dataschema: `urn:custodian:event:${e.type}:v1`,
            'content-type': 'application/json',
            custodian_tenant: e.tenantId,
            ...(e.metadata.traceparent ? { traceparent: e.metadata.traceparent } : {}),
          });
        }
        // The encrypted envelope travels as stored: nothing is decrypted or re-encoded.
        expect(JSON.parse(byId.get(events[0].eventId)?.value?.toString() ?? '{}')['notesEncrypted']).toBe('v1.k-1.iv0.ct.tag');
      } finally {
        await relay.stop();
        await publisher.close();
      }
    });

    it('publishes a backlog in batches in order per key, with acks=all, to a 3-partition topic', async () => {
      const context = contexts[1];
      const streams = Array.from({ length: 5 }, () => `b-${randomUUID()}`);
      const events: RecordedEvent[] = [];
      for (let round = 0; round < 8; round++) for (const s of streams) events.push(...(await append(s, contractEvents(context, s, 5, round * 5))));
      const publisher = new KafkaPublisher(createKafkaClient({ brokers: mokapi.brokers, clientId: 'relay-spec-batches' }), { idempotent: false });
      const relay = track(new Relay({ store, pool, publisher, context, batchSize: 64, idleMs: 5 }));
      try {
        await relay.start();
        await relay.caughtUpTo(events[events.length - 1].globalPosition);
        const records = await readTopic(topicFor(context), events.length);
        expect(records).toHaveLength(events.length);
        for (const s of streams) {
          expect(records.filter((r) => r.key?.toString() === s).map((r) => JSON.parse(r.value?.toString() ?? '{}')['n'])).toEqual(Array.from({ length: 40 }, (_, i) => i));
        }
      } finally {
        await relay.stop();
        await publisher.close();
      }
    });
  });
});
