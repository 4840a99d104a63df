import { Readable } from 'node:stream';
import {
  BACKWARDS,
  END,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type AppendToStreamOptions,
  type EventData,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
} from '@eventstore/db-client';
import { runEventStoreContract } from '@custodian/event-store/testing';
import { EventStoreDbEventStore, type EsdbClientLike } from './eventstoredb-event-store';

interface FakeRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: true;
  data: unknown;
  metadata: unknown;
  created: Date;
  position: Position;
}

/**
 * An in-memory stand-in for EventStoreDB with the behaviours the adapter relies on: exact
 * expected revisions, ESDB's idempotent answer to a repeated write of the same ids at the same
 * revision, StreamNotFoundError, $all positions that are byte-like offsets with gaps, and
 * InvalidPosition for a read starting inside a record. It checks the adapter's logic only; the
 * real server is exercised by eventstoredb-event-store.int.spec.ts when EVENTSTORE_URL is set.
 */
class FakeEsdb {
  private readonly log: FakeRecord[] = [];
  private readonly streams = new Map<string, FakeRecord[]>();
  private next = 1000;

  async appendToStream(streamName: string, events: EventData | EventData[], options: AppendToStreamOptions = {}) {
    await new Promise((r) => setImmediate(r)); // let concurrent writers interleave
    const batch = Array.isArray(events) ? events : [events];
    const expected: AppendExpectedRevision = options.expectedRevision ?? 'any';
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length === 0 ? NO_STREAM : BigInt(stream.length - 1);
    if (expected !== 'any' && expected !== STREAM_EXISTS) {
      const start = expected === NO_STREAM ? 0 : Number(expected) + 1;
      if (stream.length >= start + batch.length && batch.every((e, i) => stream[start + i].id === e.id)) {
        return { success: true, nextExpectedRevision: BigInt(start + batch.length - 1), position: stream[start + batch.length - 1].position };
      }
    }
    const ok = expected === 'any' || (expected === STREAM_EXISTS ? stream.length > 0 : expected === current);
    if (!ok) throw new WrongExpectedVersionError(undefined, { streamName, expected, current });
    for (const e of batch) {
      const position = { commit: BigInt(this.next), prepare: BigInt(this.next) };
      this.next += 100 + Math.floor(Math.random() * 50);
      const record: FakeRecord = {
        streamId: streamName,
        id: e.id,
        revision: BigInt(stream.length),
        type: e.type,
        isJson: true,
        data: JSON.parse(JSON.stringify(e.data)),
        metadata: e.metadata === undefined ? undefined : JSON.parse(JSON.stringify(e.metadata)),
        created: new Date(),
        position,
      };
      stream.push(record);
      this.log.push(record);
      if (Math.random() < 0.3) this.system();
    }
    this.streams.set(streamName, stream);
    return { success: true, nextExpectedRevision: BigInt(stream.length - 1), position: stream[stream.length - 1].position };
  }

  readStream(streamName: string, options: ReadStreamOptions = {}) {
    const stream = this.streams.get(streamName);
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    return Readable.from(
      (async function* () {
        if (!stream) throw new StreamNotFoundError(undefined, streamName);
        let out: FakeRecord[];
        if (options.direction === BACKWARDS) {
          const from = options.fromRevision === END || options.fromRevision === undefined ? stream.length - 1 : Number(options.fromRevision);
          out = stream.slice(0, from + 1).reverse();
        } else {
          const from = options.fromRevision === START || options.fromRevision === undefined ? 0 : Number(options.fromRevision);
          out = stream.slice(from);
        }
        for (const r of out.slice(0, max)) yield { event: r };
      })(),
      { objectMode: true },
    );
  }

  readAll(options: ReadAllOptions = {}) {
    const log = this.log;
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    return Readable.from(
      (async function* () {
        const from = options.fromPosition ?? START;
        if (typeof from === 'object' && from.commit !== 0n && !log.some((r) => r.position.commit === from.commit)) {
          throw new Error('InvalidPosition: the read appears to be at an invalid position');
        }
        let out: FakeRecord[];
        if (options.direction === BACKWARDS) {
          out = (from === END || from === START ? log : log.filter((r) => typeof from === 'object' && r.position.commit < from.commit)).slice().reverse();
        } else {
          out = from === START ? log : from === END ? [] : log.filter((r) => r.position.commit >= from.commit);
        }
        for (const r of out.slice(0, max)) yield { event: r, commitPosition: r.position.commit };
      })(),
      { objectMode: true },
    );
  }

  async dispose(): Promise<void> {
    this.streams.clear();
  }

  /** A system event in $all between ours (as ESDB's own $stats and $$metadata events are). */
  private system(): void {
    const position = { commit: BigInt(this.next), prepare: BigInt(this.next) };
    this.next += 77;
    this.log.push({ streamId: '$stats-127.0.0.1:2113', id: crypto.randomUUID(), revision: 0n, type: '$statsCollected', isJson: true, data: {}, metadata: {}, created: new Date(), position });
  }
}

runEventStoreContract('EventStoreDB adapter over an in-memory fake client', async () => {
  const store = new EventStoreDbEventStore(new FakeEsdb() as unknown as EsdbClientLike);
  return { store, teardown: () => store.close() };
});

describe('EventStoreDbEventStore (fake client) specifics', () => {
  it('reads after a position that is not a record boundary (falls back to a known one)', async () => {
    const store = new EventStoreDbEventStore(new FakeEsdb() as unknown as EsdbClientLike);
    await store.append('s-1', [ev('00000000-0000-4000-8000-000000000001'), ev('00000000-0000-4000-8000-000000000002')], 'no_stream');
    const [first, second] = await store.readAll();
    const fresh = new EventStoreDbEventStore((store as unknown as { client: EsdbClientLike }).client);
    expect((await fresh.readAll({ after: second.globalPosition - 1 })).map((e) => e.eventId)).toEqual([second.eventId]);
    expect((await fresh.readAll({ after: first.globalPosition })).map((e) => e.eventId)).toEqual([second.eventId]);
    expect(await fresh.headPosition()).toBe(second.globalPosition);
  });
});

function ev(eventId: string) {
  return { eventId, type: 'test.Happened', schemaVersion: 1, tenantId: 't-1', data: { n: 1 }, metadata: { actorId: 'user:1', correlationId: 'c-1' } };
}
