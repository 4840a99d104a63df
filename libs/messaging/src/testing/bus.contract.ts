import { randomUUID } from 'node:crypto';
import type { JsonObject, NewEvent, RecordedEvent } from '@custodian/kernel';
import { waitFor } from '@custodian/testing';
import type { BusConsumer, BusMessage, DeadLetter, MessageBus, SubscribeOptions } from '../lib/bus.port';

/** One test's own topic on the adapter under test. */
export interface BusChannel {
  /** `custodian.<context>.v1`, used by this test only. */
  readonly topic: string;
  /** The context (event types are `<context>.<Name>`). */
  readonly context: string;
  /** Appends events to the store in the topic's category; the adapter carries them to the bus. */
  append(streamId: string, events: NewEvent[]): Promise<RecordedEvent[]>;
  /**
   * Makes these already-delivered events reach `group` again, as after a lost acknowledgement
   * (Kafka: the records are published again) or a lost checkpoint (Postgres log: the group's
   * checkpoint is moved back before them). Called while no member of the group runs.
   */
  redeliver(group: string, events: RecordedEvent[]): Promise<void>;
  /** The dead letters `group` left on this topic, once at least `count` are visible (bounded wait). */
  deadLetters(group: string, count: number): Promise<DeadLetter[]>;
}

export interface BusContractFactory {
  readonly bus: MessageBus;
  channel(): Promise<BusChannel>;
  /** Bound on waiting for a delivery (Kafka group joins take about 3 s on mokapi). */
  readonly deliveryTimeoutMs: number;
}

const TENANT = '0b7a4c1e-7d64-4f51-9a57-1f0d3f6a2c10';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** `count` events of `<context>.ThingHappened` whose data carries the stream and its index. */
export function contractEvents(context: string, stream: string, count: number, from = 0, extra: (i: number) => JsonObject = () => ({})): NewEvent[] {
  return Array.from({ length: count }, (_, k) => ({
    eventId: randomUUID(),
    type: `${context}.ThingHappened`,
    schemaVersion: 1,
    tenantId: TENANT,
    data: { stream, n: from + k, ...extra(from + k) },
    metadata: { actorId: 'user:contract', correlationId: randomUUID(), traceparent: TRACEPARENT },
  }));
}

const group = (what: string) => `contract-${what}-${randomUUID().slice(0, 8)}`;

/** Records what a handler was given; optionally fails for chosen event ids. */
class Recorder {
  readonly calls: BusMessage[] = [];
  readonly callTimes = new Map<string, number[]>();
  constructor(private readonly behaviour: (message: BusMessage, attempt: number) => Promise<void> = async () => undefined) {}
  readonly handler = async (message: BusMessage): Promise<void> => {
    const times = this.callTimes.get(message.id) ?? [];
    times.push(Date.now());
    this.callTimes.set(message.id, times);
    await this.behaviour(message, times.length);
    this.calls.push(message);
  };
  handledIds(): string[] {
    return this.calls.map((m) => m.id);
  }
  attempts(id: string): number {
    return this.callTimes.get(id)?.length ?? 0;
  }
}

/**
 * The behaviour every MessageBus adapter must show (libs/messaging bus.port.ts), run against
 * each adapter: the Postgres log and Kafka. `factory()` is read inside the tests, after the
 * caller's beforeAll prepared it. Each test uses its own topic and group ids.
 */
export function runBusContract(adapter: string, factory: () => BusContractFactory): void {
  describe(`MessageBus contract: ${adapter}`, () => {
    const consumers: BusConsumer[] = [];
    const subscribe = async (options: SubscribeOptions) => {
      const c = await factory().bus.subscribe(options);
      consumers.push(c);
      return c;
    };
    const until = <T>(what: string, probe: () => T | undefined) => waitFor(probe, factory().deliveryTimeoutMs, 20, what);
    afterEach(async () => {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    });

    it('delivers every message of its topic to a group, in order per subject, as CloudEvents attributes', async () => {
      const channel = await factory().channel();
      const streams = [`s1-${randomUUID()}`, `s2-${randomUUID()}`, `s3-${randomUUID()}`];
      const appended: RecordedEvent[] = [];
      for (let round = 0; round < 4; round++) {
        for (const s of streams) appended.push(...(await channel.append(s, contractEvents(channel.context, s, 2, round * 2))));
      }
      const recorder = new Recorder();
      await subscribe({ topic: channel.topic, group: group('order'), handler: recorder.handler });
      await until('24 deliveries', () => (recorder.calls.length >= appended.length ? true : undefined));

      expect(new Set(recorder.handledIds())).toEqual(new Set(appended.map((e) => e.eventId)));
      expect(recorder.calls).toHaveLength(appended.length);
      for (const s of streams) {
        expect(recorder.calls.filter((m) => m.subject === s).map((m) => m.data['n'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      }
      const first = appended[0];
      expect(recorder.calls.find((m) => m.id === first.eventId)).toEqual({
        topic: channel.topic,
        id: first.eventId,
        type: first.type,
        schemaVersion: 1,
        source: `/custodian/${channel.context}`,
        subject: first.streamId,
        time: first.recordedAt,
        tenantId: TENANT,
        traceparent: TRACEPARENT,
        data: first.data,
      });
    });

    it('gives every group every message, independently of the others', async () => {
      const channel = await factory().channel();
      const stream = `s-${randomUUID()}`;
      const appended = await channel.append(stream, contractEvents(channel.context, stream, 6));
      const a = new Recorder();
      const b = new Recorder(async (m) => {
        if (m.data['n'] === 2) throw new Error('group b refuses n=2');
      });
      await Promise.all([
        subscribe({ topic: channel.topic, group: group('a'), handler: a.handler }),
        subscribe({ topic: channel.topic, group: group('b'), handler: b.handler, retry: { maxAttempts: 1 } }),
      ]);
      await until('both groups', () => (a.calls.length >= 6 && b.calls.length >= 5 ? true : undefined));
      expect(a.handledIds()).toEqual(appended.map((e) => e.eventId));
      expect(b.handledIds()).toEqual(appended.filter((e) => e.data['n'] !== 2).map((e) => e.eventId));
    });

    it('does not hand an event id the group already handled to the handler again', async () => {
      const channel = await factory().channel();
      const stream = `s-${randomUUID()}`;
      const g = group('dedupe');
      const first = await channel.append(stream, contractEvents(channel.context, stream, 5));
      const recorder = new Recorder();
      const c1 = await subscribe({ topic: channel.topic, group: g, handler: recorder.handler });
      await until('first five', () => (recorder.calls.length >= 5 ? true : undefined));
      await c1.stop();

      await channel.redeliver(g, first);
      const later = await channel.append(stream, contractEvents(channel.context, stream, 1, 5));
      await subscribe({ topic: channel.topic, group: g, handler: recorder.handler });
      await until('the sixth', () => (recorder.handledIds().includes(later[0].eventId) ? true : undefined));
      expect(recorder.handledIds()).toEqual([...first, ...later].map((e) => e.eventId));
      expect([...recorder.callTimes.values()].every((t) => t.length === 1)).toBe(true);
    });

    it('moves the group past a message only after its handler succeeded', async () => {
      const channel = await factory().channel();
      const stream = `s-${randomUUID()}`;
      const g = group('commit');
      const events = await channel.append(stream, contractEvents(channel.context, stream, 4));
      const stuck = events[2].eventId;
      const failing = new Recorder(async (m) => {
        if (m.id === stuck) throw new Error('not now');
      });
      const c1 = await subscribe({ topic: channel.topic, group: g, handler: failing.handler, retry: { maxAttempts: 100, initialBackoffMs: 50, maxBackoffMs: 100 } });
      await until('the stuck message tried twice', () => (failing.attempts(stuck) >= 2 ? true : undefined));
      await c1.stop(); // stopped while retrying: neither handled nor dead-lettered

      const healthy = new Recorder();
      await subscribe({ topic: channel.topic, group: g, handler: healthy.handler });
      await until('the rest', () => (healthy.calls.length >= 2 ? true : undefined));
      expect(failing.handledIds()).toEqual([events[0].eventId, events[1].eventId]);
      expect(healthy.handledIds()).toEqual([events[2].eventId, events[3].eventId]);
    });

    it('retries a failing handler with growing waits and needs no dead letter when it recovers', async () => {
      const channel = await factory().channel();
      const stream = `s-${randomUUID()}`;
      const g = group('retry');
      const events = await channel.append(stream, contractEvents(channel.context, stream, 2));
      const recorder = new Recorder(async (m, attempt) => {
        if (m.id === events[0].eventId && attempt < 3) throw new Error(`transient ${attempt}`);
      });
      const deadLettered: DeadLetter[] = [];
      await subscribe({ topic: channel.topic, group: g, handler: recorder.handler, retry: { maxAttempts: 5, initialBackoffMs: 60, maxBackoffMs: 1_000 }, onDeadLetter: (d) => deadLettered.push(d) });
      await until('both', () => (recorder.calls.length >= 2 ? true : undefined));
      expect(recorder.handledIds()).toEqual(events.map((e) => e.eventId));
      const times = recorder.callTimes.get(events[0].eventId) ?? [];
      expect(times).toHaveLength(3);
      // 60 ms then 120 ms, each ±20 %.
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(45);
      expect(times[2] - times[1]).toBeGreaterThanOrEqual(90);
      expect(deadLettered).toEqual([]);
    });

    it('dead-letters a message that keeps failing, with its error, and the group goes on', async () => {
      const channel = await factory().channel();
      const stream = `s-${randomUUID()}`;
      const g = group('dlq');
      const events = await channel.append(stream, contractEvents(channel.context, stream, 4));
      const poison = events[1].eventId;
      const recorder = new Recorder(async (m) => {
        if (m.id === poison) throw new Error(`cannot digest ${m.id}`);
      });
      const told: DeadLetter[] = [];
      await subscribe({ topic: channel.topic, group: g, handler: recorder.handler, retry: { maxAttempts: 3, initialBackoffMs: 20, maxBackoffMs: 50 }, onDeadLetter: (d) => told.push(d) });
      await until('the others', () => (recorder.calls.length >= 3 ? true : undefined));
      expect(recorder.handledIds()).toEqual([events[0], events[2], events[3]].map((e) => e.eventId));
      expect(recorder.attempts(poison)).toBe(3);

      const parked = await channel.deadLetters(g, 1);
      expect(parked).toHaveLength(1);
      expect(parked[0]).toMatchObject({ group: g, attempts: 3, message: { id: poison, topic: channel.topic, subject: stream, data: events[1].data } });
      expect(parked[0].error).toContain(`cannot digest ${poison}`);
      expect(told.map((d) => d.message.id)).toEqual([poison]);
    });

    it('shares a group among its members: each message is handled once', async () => {
      const channel = await factory().channel();
      const g = group('members');
      const streams = Array.from({ length: 6 }, () => `s-${randomUUID()}`);
      const recorder = new Recorder();
      await Promise.all([subscribe({ topic: channel.topic, group: g, handler: recorder.handler }), subscribe({ topic: channel.topic, group: g, handler: recorder.handler })]);
      const appended: RecordedEvent[] = [];
      for (const s of streams) appended.push(...(await channel.append(s, contractEvents(channel.context, s, 3))));
      await until('all of them', () => (recorder.calls.length >= appended.length ? true : undefined));
      await new Promise((r) => setTimeout(r, 300)); // a double delivery would show up by now
      expect(recorder.handledIds().sort()).toEqual(appended.map((e) => e.eventId).sort());
      for (const s of streams) expect(recorder.calls.filter((m) => m.subject === s).map((m) => m.data['n'])).toEqual([0, 1, 2]);
    });
  });
}
