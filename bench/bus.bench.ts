/**
 * Bus benchmark: `npm run bench:bus`.
 *
 * Runs the relay and the two bus adapters against a fresh PostgreSQL database (lib/bench-database.ts)
 * and a local mokapi (npm go-mokapi: an in-memory Kafka-protocol server, the only Kafka here)
 * started from docs/asyncapi.yaml plus schema-free bench topics, and measures:
 *   relay_publish_1kb            relay draining a backlog of ~1 KB events to Kafka, acks=all,
 *                                batches of 500 (events/s)
 *   mokapi_raw_producer_1kb      a bare producer re-sending ready-made batches: mokapi's ceiling (information)
 *   relay_publish_1kb_idempotent the relay with the idempotent producer and one-event batches
 *                                (what mokapi 0.52 accepts from an idempotent producer; information)
 *   kafka_lag_p50_ms / _p99_ms   append → Kafka consumer handler, appends paced at 1,000 events/s
 *   pglog_lag_p50_ms / _p99_ms   append → Postgres-log consumer handler, same load
 * Lag is measured from just before `append` is called to the handler's call, in this process
 * (the targets apply to it); the same from the append's return is recorded for information.
 * Prints a table and writes bench/results/bus.json (lib/results.ts).
 *
 * Exit status: 0 whenever the run completes, targets met or not; non-zero on an error or a failed
 * correctness check (an event missing or out of order per key). Every phase is bounded in count
 * and time; the whole run stays around a minute on 2 cores.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import type { JsonObject, NewEvent } from '@custodian/kernel';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { createKafkaClient, KafkaBus, KafkaPublisher, messagingMigrations, PostgresLogBus, Relay, topicFor, type BusMessage, type KafkaProducerSettings, type MessageBus } from '@custodian/messaging';
import { createPool, migrate } from '@custodian/platform';
import { startMokapi, type MokapiHandle } from '@custodian/testing';
import { openBenchDatabase } from './lib/bench-database';
import { cpuShare, formatCpuShare, sampleCpu, type CpuShare } from './lib/cpu';
import { formatBenchTable, writeBenchResults, type BenchMetrics } from './lib/results';

const EVENT_BYTES = 1_024;
const BACKLOG_EVENTS = 100_000;
const BACKLOG_CHUNK = 1_000;
const BACKLOG_STREAMS = 50;
const PUBLISH_MAX_MS = 30_000;
const RELAY_BATCH = 500;
const IDEMPOTENT_EVENTS = 5_000;
const RAW_MS = 5_000;
const IDEMPOTENT_MAX_MS = 15_000;
const LAG_RATE_PER_S = 1_000;
const LAG_MS = 10_000;
const LAG_WARMUP_MS = 1_500;
const LAG_STREAMS = 20;
const DRAIN_MAX_MS = 30_000;

const TARGETS = { relay_publish_1kb: 20_000, kafka_lag_p99_ms: 200, pglog_lag_p99_ms: 100 } as const;
const ASYNCAPI = join(__dirname, '..', 'docs', 'asyncapi.yaml');
const log = (message: string) => process.stderr.write(`[bench:bus] ${message}\n`);
const newContext = () => `bench${randomBytes(5).toString('hex')}`;
const now = () => performance.timeOrigin + performance.now();

/** Event data of about EVENT_BYTES bytes of JSON. */
function eventData(stream: string, n: number, sentAt: number): JsonObject {
  const base = { stream, n, sentAt, siteId: 'site-0d8c6f3e', area: 'floor-3/restrooms', checklist: ['mop', 'bins', 'soap', 'mirrors'], notesEncrypted: '' };
  const pad = EVENT_BYTES - JSON.stringify({ ...base, sentAt: 1e15, n: 1e6 }).length;
  return { ...base, notesEncrypted: `v1.k-bench.${'x'.repeat(Math.max(0, pad - 12))}` };
}

function newEvent(context: string, stream: string, n: number, sentAt: number): NewEvent {
  return { eventId: randomUUID(), type: `${context}.TaskCompleted`, schemaVersion: 1, tenantId: 'bench-tenant', data: eventData(stream, n, sentAt), metadata: { actorId: 'user:bench', correlationId: randomUUID() } };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const round2 = (v: number) => Math.round(v * 100) / 100;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function appendBacklog(store: PostgresEventStore, context: string, total: number): Promise<number> {
  const versions = new Map<string, number>();
  let last = 0;
  for (let written = 0; written < total; written += BACKLOG_CHUNK) {
    const stream = `backlog-${context}-${(written / BACKLOG_CHUNK) % BACKLOG_STREAMS}`;
    const from = versions.get(stream) ?? 0;
    const count = Math.min(BACKLOG_CHUNK, total - written);
    const events = Array.from({ length: count }, (_, i) => newEvent(context, stream, from + i, 0));
    last = (await store.append(stream, events, from)).lastGlobalPosition;
    versions.set(stream, from + count);
  }
  return last;
}

interface PublishOutcome {
  events: number;
  elapsedMs: number;
  complete: boolean;
  cpu: CpuShare;
}

/** Starts a relay on a backlog and times it until it has published everything (or the bound). */
async function timeRelay(store: PostgresEventStore, pool: Pool, mokapi: MokapiHandle, context: string, last: number, total: number, producer: KafkaProducerSettings, batchSize: number, maxMs: number): Promise<PublishOutcome> {
  const publisher = new KafkaPublisher(createKafkaClient({ brokers: mokapi.brokers, clientId: `bench-relay-${context}` }), producer);
  const relay = new Relay({ store, pool, publisher, context, batchSize, idleMs: 5, logger: { debug: () => undefined, info: () => undefined, warn: (_f, m) => log(`relay: ${m}`), error: (_f, m) => log(`relay: ${m}`) } });
  const cpuFrom = sampleCpu(null);
  const started = performance.now();
  await relay.start();
  let complete = true;
  try {
    await relay.caughtUpTo(last, maxMs);
  } catch {
    complete = false;
  }
  const elapsedMs = performance.now() - started;
  const cpu = cpuShare(cpuFrom, sampleCpu(null));
  const events = relay.publishedCount;
  await relay.stop();
  await publisher.close();
  if (complete && events < total) throw new Error(`relay reported caught up after publishing ${events} of ${total} events`);
  return { events, elapsedMs, complete, cpu };
}

/** A bare producer sending ready-made batches of 500 ~1 KB records for RAW_MS: mokapi's ceiling here, for reference. */
async function rawProducerRate(mokapi: MokapiHandle, topic: string): Promise<{ events: number; elapsedMs: number }> {
  const publisher = new KafkaPublisher(createKafkaClient({ brokers: mokapi.brokers, clientId: 'bench-raw' }), { idempotent: false });
  const value = JSON.stringify(eventData('raw', 0, 0));
  const records = Array.from({ length: RELAY_BATCH }, (_, i) => ({ key: `raw-${i % BACKLOG_STREAMS}`, value, headers: { ce_id: randomUUID() }, timestamp: String(Date.now()) }));
  let events = 0;
  const started = performance.now();
  while (performance.now() - started < RAW_MS) {
    await publisher.publish(topic, records);
    events += records.length;
  }
  const elapsedMs = performance.now() - started;
  await publisher.close();
  return { events, elapsedMs };
}

interface LagOutcome {
  /** Lag from just before the append call, sorted. */
  sorted: number[];
  /** Lag from the append call's return, sorted. */
  fromCommit: number[];
  appended: number;
  elapsedMs: number;
  achievedRate: number;
  cpu: CpuShare;
}

/**
 * Appends LAG_RATE_PER_S events/s (one event per append, LAG_STREAMS streams, one writer each) for
 * LAG_WARMUP_MS + LAG_MS; the consumer records handler time − append start. Only events appended
 * after the warm-up count. Checks every event arrived once, in order per stream.
 */
async function measureLag(store: PostgresEventStore, bus: MessageBus, topic: string, context: string): Promise<LagOutcome> {
  const received: BusMessage[] = [];
  const lags: Array<{ id: string; n: number; stream: string; at: number; lag: number; measured: boolean }> = [];
  const committedAt = new Map<string, number>();
  let measureFrom = Number.POSITIVE_INFINITY;
  const consumer = await bus.subscribe({
    topic,
    group: `bench-${randomUUID()}`,
    handler: async (m) => {
      const at = now();
      received.push(m);
      const sentAt = Number(m.data['sentAt']);
      lags.push({ id: m.id, n: Number(m.data['n']), stream: m.subject, at, lag: at - sentAt, measured: sentAt >= measureFrom });
    },
  });
  // Settle before the clock starts: a Kafka group's first join takes ~3 s on mokapi, and a new
  // Postgres-log group (like the lag relay) first steps over the backlog of other contexts.
  await new Promise((r) => setTimeout(r, 4_000));

  // One lane per stream, each appending its events in order at its share of the rate.
  const streams = Array.from({ length: LAG_STREAMS }, (_, i) => `lag-${context}-${i}`);
  const perStream = Math.round(((LAG_WARMUP_MS + LAG_MS) / 1000) * (LAG_RATE_PER_S / LAG_STREAMS));
  const total = perStream * LAG_STREAMS;
  const intervalMs = 1000 / LAG_RATE_PER_S;
  const started = now();
  measureFrom = started + LAG_WARMUP_MS;
  const cpuFrom = sampleCpu(null);
  await Promise.all(
    streams.map(async (s, lane) => {
      for (let n = 0; n < perStream; n++) {
        const wait = started + (n * LAG_STREAMS + lane) * intervalMs - now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const event = newEvent(context, s, n, now());
        await store.append(s, [event], n);
        committedAt.set(event.eventId, now());
      }
    }),
  );
  const elapsedMs = now() - started;
  const drainDeadline = Date.now() + DRAIN_MAX_MS;
  while (received.length < total && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
  const cpu = cpuShare(cpuFrom, sampleCpu(null));
  await consumer.stop();

  if (received.length < total) throw new Error(`${bus.kind}: ${received.length} of ${total} events arrived within ${DRAIN_MAX_MS} ms of the last append`);
  if (new Set(received.map((m) => m.id)).size !== total) throw new Error(`${bus.kind}: an event arrived twice at the handler`);
  for (const s of streams) {
    const ns = lags.filter((l) => l.stream === s).map((l) => l.n);
    if (ns.some((n, i) => n !== i)) throw new Error(`${bus.kind}: events of ${s} arrived out of order`);
  }
  const measured = lags.filter((l) => l.measured);
  // From the append's return (committed; visible to readers once older transactions end); the
  // handler may run a moment before the append call has returned: then 0.
  const fromCommit = measured.map((l) => Math.max(0, l.at - (committedAt.get(l.id) ?? l.at))).sort((a, b) => a - b);
  return { sorted: measured.map((l) => l.lag).sort((a, b) => a - b), fromCommit, appended: total, elapsedMs, achievedRate: Math.round((total / elapsedMs) * 1000), cpu };
}

async function main(): Promise<void> {
  log(`machine: ${cpus().length} cpus, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const db = await openBenchDatabase({ log, prefix: 'custodian_bench_bus' });
  log(`PostgreSQL: ${db.source}; database ${db.name}`);
  const owner = createPool({ connectionString: db.url, max: 2, runtimeRole: false, applicationName: 'custodian-bench-owner' });
  const pool = createPool({ connectionString: db.url, max: 24, applicationName: 'custodian-bench' });
  for (const p of [owner, pool]) {
    p.on('connect', (client) => client.on('error', () => undefined));
    db.onCleanup(() => p.end());
  }
  const contexts = { publish: newContext(), idempotent: newContext(), kafkaLag: newContext(), pgLag: newContext(), raw: newContext() };
  let mokapi: MokapiHandle | undefined;
  try {
    await migrate(owner, [...eventStoreMigrations, ...messagingMigrations]);
    mokapi = await startMokapi({ asyncApiPath: ASYNCAPI, extraTopics: [contexts.publish, contexts.idempotent, contexts.kafkaLag, contexts.raw].map(topicFor) });
    const running = mokapi;
    db.onCleanup(() => running.close());
    log(`mokapi on ${mokapi.brokers.join(',')} (${mokapi.topics.length} topics)`);
    const store = new PostgresEventStore(pool);

    log(`appending a backlog of ${BACKLOG_EVENTS} events of ~${EVENT_BYTES} B (setup)`);
    const backlogLast = await appendBacklog(store, contexts.publish, BACKLOG_EVENTS);
    const idempotentLast = await appendBacklog(store, contexts.idempotent, IDEMPOTENT_EVENTS);

    log('relay_publish_1kb: relay draining the backlog (batches of 500, acks=all, producer not idempotent)');
    const publish = await timeRelay(store, pool, mokapi, contexts.publish, backlogLast, BACKLOG_EVENTS, { idempotent: false }, RELAY_BATCH, PUBLISH_MAX_MS);
    log(`  ${Math.round((publish.events / publish.elapsedMs) * 1000)} events/s (${publish.events} in ${seconds(publish.elapsedMs)}${publish.complete ? '' : ', stopped at the bound'}); ${formatCpuShare(publish.cpu)}`);

    log('mokapi_raw_producer_1kb: a bare producer sending ready-made batches (reference)');
    const raw = await rawProducerRate(mokapi, topicFor(contexts.raw));
    log(`  ${Math.round((raw.events / raw.elapsedMs) * 1000)} events/s`);

    log('relay_publish_1kb_idempotent: idempotent producer, one-event batches');
    const idempotent = await timeRelay(store, pool, mokapi, contexts.idempotent, idempotentLast, IDEMPOTENT_EVENTS, {}, 1, IDEMPOTENT_MAX_MS);
    log(`  ${Math.round((idempotent.events / idempotent.elapsedMs) * 1000)} events/s (${idempotent.events} in ${seconds(idempotent.elapsedMs)}); ${formatCpuShare(idempotent.cpu)}`);

    log(`kafka lag: appends at ${LAG_RATE_PER_S}/s for ${seconds(LAG_WARMUP_MS + LAG_MS)} (first ${seconds(LAG_WARMUP_MS)} not counted); relay (default settings) → mokapi → KafkaBus consumer`);
    // Not idempotent: at this rate a page holds several events, a batch mokapi refuses from an idempotent producer.
    const kafkaPublisher = new KafkaPublisher(createKafkaClient({ brokers: mokapi.brokers, clientId: 'bench-lag-relay' }), { idempotent: false });
    const lagRelay = new Relay({ store, pool, publisher: kafkaPublisher, context: contexts.kafkaLag });
    await lagRelay.start();
    const kafkaBus = new KafkaBus({ kafka: { brokers: mokapi.brokers, clientId: 'bench-lag-consumer' }, pool });
    const kafkaLag = await measureLag(store, kafkaBus, topicFor(contexts.kafkaLag), contexts.kafkaLag);
    await kafkaBus.close();
    await lagRelay.stop();
    await kafkaPublisher.close();
    log(`  p50 ${round2(percentile(kafkaLag.sorted, 0.5))} ms, p99 ${round2(percentile(kafkaLag.sorted, 0.99))} ms (from commit: p99 ${round2(percentile(kafkaLag.fromCommit, 0.99))} ms) over ${kafkaLag.sorted.length} events; appended ${kafkaLag.achievedRate}/s; ${formatCpuShare(kafkaLag.cpu)}`);

    log('postgres-log lag: same load, PostgresLogBus consumer (default settings)');
    const pgBus = new PostgresLogBus(store, pool);
    const pgLag = await measureLag(store, pgBus, topicFor(contexts.pgLag), contexts.pgLag);
    await pgBus.close();
    log(`  p50 ${round2(percentile(pgLag.sorted, 0.5))} ms, p99 ${round2(percentile(pgLag.sorted, 0.99))} ms (from commit: p99 ${round2(percentile(pgLag.fromCommit, 0.99))} ms) over ${pgLag.sorted.length} events; appended ${pgLag.achievedRate}/s; ${formatCpuShare(pgLag.cpu)}`);

    const lagNote = (o: LagOutcome, path: string) =>
      `${path}; ${o.sorted.length} events measured after a ${seconds(LAG_WARMUP_MS)} warm-up, appended one per call at ${o.achievedRate}/s (${LAG_STREAMS} streams, one writer each), ~${EVENT_BYTES} B each; every event arrived once, in order per stream; ${formatCpuShare(o.cpu)}`;
    const metrics: BenchMetrics = {
      relay_publish_1kb: {
        value: Math.round((publish.events / publish.elapsedMs) * 1000),
        unit: 'events/s',
        target: TARGETS.relay_publish_1kb,
        note: `relay draining a backlog of ${BACKLOG_EVENTS} events (~${EVENT_BYTES} B data), batches of ${RELAY_BATCH}, acks=all, one request in flight, to a 3-partition schema-free topic on mokapi 0.52 (in-memory, validation off for that topic); producer NOT idempotent: mokapi refuses an idempotent producer's multi-record batches; ${publish.events} events in ${seconds(publish.elapsedMs)}${publish.complete ? '' : ' (stopped at the bound)'}; ${formatCpuShare(publish.cpu)}`,
      },
      mokapi_raw_producer_1kb: {
        value: Math.round((raw.events / raw.elapsedMs) * 1000),
        unit: 'events/s',
        target: null,
        note: `reference: one kafkajs producer (not idempotent, acks=all, one request in flight) re-sending a ready-made batch of ${RELAY_BATCH} ~${EVENT_BYTES} B records for ${seconds(RAW_MS)}, no store and no relay: what this mokapi accepts on this machine`,
      },
      relay_publish_1kb_idempotent: {
        value: Math.round((idempotent.events / idempotent.elapsedMs) * 1000),
        unit: 'events/s',
        target: null,
        note: `same with the production producer settings (idempotent) and one-event batches; ${idempotent.events} events in ${seconds(idempotent.elapsedMs)}; ${formatCpuShare(idempotent.cpu)}`,
      },
      kafka_lag_p50_ms: { value: round2(percentile(kafkaLag.sorted, 0.5)), unit: 'ms', target: null, note: lagNote(kafkaLag, 'append → relay (default batch 500 and poll 20 ms; producer acks=all, not idempotent: mokapi limit) → mokapi → KafkaBus consumer (default settings; inbox check and offset commit per record)') },
      kafka_lag_p99_ms: { value: round2(percentile(kafkaLag.sorted, 0.99)), unit: 'ms', target: TARGETS.kafka_lag_p99_ms, note: lagNote(kafkaLag, 'as kafka_lag_p50_ms') },
      kafka_lag_from_commit_p99_ms: { value: round2(percentile(kafkaLag.fromCommit, 0.99)), unit: 'ms', target: null, note: `from the append call's return instead of its start (p50 ${round2(percentile(kafkaLag.fromCommit, 0.5))} ms)` },
      pglog_lag_p50_ms: { value: round2(percentile(pgLag.sorted, 0.5)), unit: 'ms', target: null, note: lagNote(pgLag, 'append → PostgresLogBus consumer (default settings: readAll pages of 500, poll 20 ms when idle, inbox + checkpoint write per event)') },
      pglog_lag_p99_ms: { value: round2(percentile(pgLag.sorted, 0.99)), unit: 'ms', target: TARGETS.pglog_lag_p99_ms, note: lagNote(pgLag, 'as pglog_lag_p50_ms') },
      pglog_lag_from_commit_p99_ms: { value: round2(percentile(pgLag.fromCommit, 0.99)), unit: 'ms', target: null, note: `from the append call's return instead of its start (p50 ${round2(percentile(pgLag.fromCommit, 0.5))} ms)` },
    };
    const path = writeBenchResults('bus', metrics, undefined, { postgres: db.source });
    process.stdout.write(`\nBus benchmark — PostgreSQL: ${db.source}; Kafka: mokapi ${mokapi.brokers.join(',')}\n\n${formatBenchTable(metrics)}\n\nwritten ${path}\n`);
  } catch (error) {
    if (!db.interrupted) throw error;
  } finally {
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:bus] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
