import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { verifyWebhookSignature, WEBHOOK_HEADERS, type WebhookEventPayload } from '@custodian/audit/contracts';
import { cryptoMigrations, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { makeEvents, uniqueStream } from '@custodian/event-store/testing';
import type { RequestMeta } from '@custodian/kernel';
import { createPool, migrate } from '@custodian/platform';
import { createDatabase, dropDatabase, testAdminUrl, waitFor } from '@custodian/testing';
import { auditMigrations } from '../infra/audit.migrations';
import { WebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher';
import { webhookSecretSubject } from './webhook-rows';
import { WebhooksHandler } from './webhooks.handler';
import { webhookMigrations } from './webhooks.migrations';

/**
 * The dispatcher on a real PostgreSQL, delivering to real HTTP receivers on 127.0.0.1. A
 * dispatcher serves every webhook of its database, so the suite has a database of its own
 * (other suites' audit services dispatch on the run's shared one), with a fast retry schedule.
 */
describe('WebhookDispatcher', () => {
  const masterKey = randomBytes(32);
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  let cleanups: (() => Promise<void>)[] = [];
  const errors: string[] = [];
  let db: { url: string; pool: Pool; store: PostgresEventStore; cipher: PersonalDataCipher; handler: WebhooksHandler; dispatchers: WebhookDispatcher[] };

  const FAST: WebhookDispatcherOptions = { maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 400, timeoutMs: 500, idleMs: 20, batchSize: 3 };

  beforeAll(async () => {
    const name = `custodian_webhooks_${process.pid}_${Date.now()}`;
    const url = await createDatabase(testAdminUrl(), name);
    const owner = createPool({ connectionString: url, runtimeRole: false, max: 1 });
    await migrate(owner, [...eventStoreMigrations, ...cryptoMigrations, ...auditMigrations, ...webhookMigrations]);
    await owner.end();
    const pool = createPool({ connectionString: url, max: 10 });
    const store = new PostgresEventStore(pool);
    const cipher = new PersonalDataCipher(new PostgresSubjectKeyStore(pool), masterKey);
    db = { url, pool, store, cipher, handler: new WebhooksHandler(pool, store, cipher, (id) => db.dispatchers.forEach((d) => d.changed(id))), dispatchers: [] };
    cleanups.push(async () => {
      await pool.end();
      await dropDatabase(testAdminUrl(), name);
    });
  });

  afterEach(async () => {
    await Promise.all(db.dispatchers.map((d) => d.stop()));
    db.dispatchers = [];
    const logged = errors.splice(0);
    expect(logged).toEqual([]);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
  });

  function dispatcher(options: WebhookDispatcherOptions = {}, pool = db.pool): WebhookDispatcher {
    const d = new WebhookDispatcher(pool, new PostgresEventStore(pool), db.cipher, {
      ...FAST,
      log: { warn: () => undefined, error: (msg, detail) => void errors.push(`${msg} ${JSON.stringify(detail ?? {})}`) },
      ...options,
    });
    db.dispatchers.push(d);
    d.start();
    return d;
  }

  const metaOf = (tenantId: string, access: 'read' | 'write' | 'manage' = 'manage', locations: 'all' | string[] = 'all'): RequestMeta => ({
    requestId: randomUUID(),
    actor: { id: 'user:int', principal: { kind: 'user', tenantId, userId: 'int', sessionId: 's' }, grants: [{ module: 'exports', access, locations }] },
  });

  async function hook(tenantId: string, url: string, events: string[] = ['test.Matched*']) {
    return db.handler.create({ meta: metaOf(tenantId), body: { url, events, secret } });
  }

  /** Appends one event of the tenant; returns its global position and id. */
  async function append(tenantId: ReturnType<typeof randomUUID>, type = 'test.MatchedSomething', data: Record<string, string> = { note: 'x' }) {
    const [event] = makeEvents(1, tenantId, type, () => data);
    const res = await db.store.append(uniqueStream('webhook-int'), [event], 'no_stream');
    return { position: res.lastGlobalPosition, eventId: event.eventId };
  }

  type Answer = number | 'hang' | { status: number; headers: Record<string, string> };
  interface Received {
    path: string;
    headers: IncomingHttpHeaders;
    raw: string;
    body: WebhookEventPayload;
  }

  /** A real HTTP receiver on 127.0.0.1; `answer` decides each response (n counts from 1). */
  async function receiver(answer: (r: Received, n: number) => Answer = () => 204) {
    const got: Received[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const r: Received = { path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) as WebhookEventPayload };
        got.push(r);
        const a = answer(r, got.length);
        if (a === 'hang') return;
        if (typeof a === 'number') res.writeHead(a).end();
        else res.writeHead(a.status, a.headers).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
  }

  const deliveries = async (tenantId: string, webhookId: string) => (await db.handler.deliveries({ meta: metaOf(tenantId, 'read'), body: { webhookId, limit: 200 } })).items;

  it("delivers the tenant's matching events, in log order, one signed event per request — never history, never another tenant's", async () => {
    const [t1, t2] = [randomUUID(), randomUUID()];
    const rx = await receiver();
    await append(t1); // before the webhook: history
    const h = await hook(t1, rx.url);
    dispatcher();
    const a = await append(t1);
    await append(t2); // another tenant, same type
    await append(t1, 'test.Unmatched'); // same tenant, another type
    const b = await append(t1, 'test.MatchedOther', { emailEncrypted: 'pd:v1:opaque' });
    const fence = await append(t1);
    await waitFor(() => (rx.got.some((r) => r.body.id === fence.eventId) ? true : undefined), 10_000, 20, 'the fence event');

    expect(rx.got.map((r) => r.body.id)).toEqual([a.eventId, b.eventId, fence.eventId]);
    expect(rx.got.map((r) => r.body.position)).toEqual([a.position, b.position, fence.position]);
    for (const r of rx.got) {
      expect(r.body.tenantId).toBe(t1);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers[WEBHOOK_HEADERS.eventId]).toBe(r.body.id);
      expect(verifyWebhookSignature({ secret, timestamp: r.headers[WEBHOOK_HEADERS.timestamp] as string, signature: r.headers[WEBHOOK_HEADERS.signature] as string, rawBody: r.raw })).toEqual({ ok: true });
    }
    expect(rx.got[1].body).toMatchObject({ kind: 'custodian.webhook-event/v1', type: 'test.MatchedOther', schemaVersion: 1, source: '/custodian/test', data: { emailEncrypted: 'pd:v1:opaque' } });
    const log = await waitFor(async () => {
      const items = await deliveries(t1, h.webhookId);
      return items.length === 3 && items.every((d) => d.state !== 'pending') ? items : undefined;
    });
    expect(log.map((d) => [d.eventId, d.state, d.attempts.length, d.replay])).toEqual([
      [fence.eventId, 'delivered', 1, false],
      [b.eventId, 'delivered', 1, false],
      [a.eventId, 'delivered', 1, false],
    ]);
    expect(log[0].attempts[0]).toMatchObject({ attempt: 1, statusCode: 204, error: null });
    await waitFor(async () => ((await db.handler.get({ meta: metaOf(t1, 'read'), body: { webhookId: h.webhookId } })).position >= fence.position ? true : undefined));
  });

  it('retries a failed delivery with exponential backoff; a 2xx ends it; after maxAttempts it is failed and the webhook goes on', async () => {
    const t = randomUUID();
    let lucky = 0;
    const rx = await receiver((r) => (r.body.data.note === 'doomed' ? 500 : ++lucky < 3 ? 503 : 200));
    const h = await hook(t, rx.url);
    dispatcher();
    const a = await append(t, 'test.Matched', { note: 'doomed' });
    const b = await append(t);
    await waitFor(async () => ((await deliveries(t, h.webhookId))[0]?.state === 'delivered' ? true : undefined), 10_000, 20, 'the second event delivered');

    const [second, first] = await deliveries(t, h.webhookId);
    expect(first).toMatchObject({ eventId: a.eventId, state: 'failed' });
    expect(first.attempts.map((x) => [x.attempt, x.statusCode, x.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 500, 'HTTP 500'],
    ]);
    const gaps = first.attempts.slice(1).map((x, i) => Date.parse(x.at) - Date.parse(first.attempts[i].at));
    expect(gaps[0]).toBeGreaterThanOrEqual(80); // 100 ms ± 20 %
    expect(gaps[1]).toBeGreaterThanOrEqual(160); // 200 ms ± 20 %
    expect(second).toMatchObject({ eventId: b.eventId, state: 'delivered' });
    expect(second.attempts.map((x) => x.statusCode)).toEqual([503, 503, 200]);
    // Every attempt of one delivery carries the same delivery id; the event id is the event's.
    const ofA = rx.got.filter((r) => r.body.id === a.eventId);
    expect(new Set(ofA.map((r) => r.headers[WEBHOOK_HEADERS.id]))).toEqual(new Set([first.deliveryId]));
    await waitFor(async () => ((await db.handler.get({ meta: metaOf(t, 'read'), body: { webhookId: h.webhookId } })).position >= b.position ? true : undefined));
  });

  it('never follows a redirect, and a receiver that does not answer in time is a failed attempt', async () => {
    const t = randomUUID();
    const rx = await receiver((r) => (r.path === '/hook' ? { status: 307, headers: { location: '/elsewhere' } } : 204));
    const slow = await receiver(() => 'hang');
    const redirected = await hook(t, rx.url);
    const hanging = await hook(t, slow.url);
    dispatcher({ maxAttempts: 2, timeoutMs: 200 });
    await append(t);
    await waitFor(async () => ((await deliveries(t, redirected.webhookId))[0]?.state === 'failed' ? true : undefined), 10_000, 20, 'the redirected delivery to fail');
    await waitFor(async () => ((await deliveries(t, hanging.webhookId))[0]?.state === 'failed' ? true : undefined), 10_000, 20, 'the hanging delivery to fail');

    expect(rx.got.map((r) => r.path)).toEqual(['/hook', '/hook']);
    expect((await deliveries(t, redirected.webhookId))[0].attempts.map((x) => x.statusCode)).toEqual([307, 307]);
    const timedOut = (await deliveries(t, hanging.webhookId))[0].attempts;
    expect(timedOut.map((x) => [x.statusCode, x.error])).toEqual([
      [null, 'timed out after 200 ms'],
      [null, 'timed out after 200 ms'],
    ]);
    for (const x of timedOut) expect(x.durationMs).toBeLessThan(1_000);
  });

  it('after a restart, resumes the pending delivery: same delivery id, attempts counted on', async () => {
    const t = randomUUID();
    let up = false;
    const rx = await receiver(() => (up ? 200 : 500));
    const h = await hook(t, rx.url);
    const first = dispatcher({ initialBackoffMs: 60_000, maxBackoffMs: 60_000 });
    const a = await append(t);
    await waitFor(async () => ((await deliveries(t, h.webhookId))[0]?.attempts.length === 1 ? true : undefined), 10_000, 20, 'the first attempt recorded');
    await first.stop();
    up = true;
    dispatcher();
    await waitFor(() => (rx.got.length === 2 ? true : undefined), 10_000, 20, 'the resumed attempt');

    expect(rx.got.map((r) => r.body.id)).toEqual([a.eventId, a.eventId]);
    expect(rx.got[1].headers[WEBHOOK_HEADERS.id]).toBe(rx.got[0].headers[WEBHOOK_HEADERS.id]);
    await waitFor(async () => ((await deliveries(t, h.webhookId))[0].state === 'delivered' ? true : undefined));
    const [d] = await deliveries(t, h.webhookId);
    expect(d.attempts.map((x) => [x.attempt, x.statusCode])).toEqual([
      [1, 500],
      [2, 200],
    ]);
  });

  it('replays from a position (inclusive) as new deliveries of the same event ids; never skips ahead', async () => {
    const t = randomUUID();
    const rx = await receiver();
    const h = await hook(t, rx.url);
    dispatcher();
    const events = [await append(t), await append(t), await append(t)];
    await waitFor(() => (rx.got.length === 3 ? true : undefined), 10_000, 20, 'three deliveries');
    const handled = await waitFor(async () => {
      const view = await db.handler.get({ meta: metaOf(t, 'read'), body: { webhookId: h.webhookId } });
      return view.position >= events[2].position ? view.position : undefined;
    });

    await expect(db.handler.replay({ meta: metaOf(t), body: { webhookId: h.webhookId, fromPosition: handled + 2 } })).rejects.toMatchObject({ code: 'replay_ahead_of_position' });
    await expect(db.handler.replay({ meta: metaOf(t), body: { webhookId: h.webhookId, fromPosition: 0 } })).rejects.toMatchObject({ code: 'validation_failed' });
    const replayed = await db.handler.replay({ meta: metaOf(t), body: { webhookId: h.webhookId, fromPosition: events[1].position } });
    expect(replayed.position).toBe(events[1].position - 1);
    await waitFor(async () => ((await deliveries(t, h.webhookId)).filter((d) => d.state === 'delivered').length === 5 ? true : undefined), 10_000, 20, 'two re-deliveries');

    expect(rx.got.map((r) => r.body.id)).toEqual([...events, events[1], events[2]].map((e) => e.eventId));
    expect(rx.got[3].headers[WEBHOOK_HEADERS.id]).not.toBe(rx.got[1].headers[WEBHOOK_HEADERS.id]);
    const log = await deliveries(t, h.webhookId);
    expect(log.map((d) => [d.eventId, d.replay, d.state])).toEqual([
      [events[2].eventId, true, 'delivered'],
      [events[1].eventId, true, 'delivered'],
      [events[2].eventId, false, 'delivered'],
      [events[1].eventId, false, 'delivered'],
      [events[0].eventId, false, 'delivered'],
    ]);
  });

  it('one dispatcher per database: two instances deliver each event once', async () => {
    const t = randomUUID();
    const rx = await receiver();
    await hook(t, rx.url);
    const other = createPool({ connectionString: db.url, max: 4 });
    cleanups.push(() => other.end());
    dispatcher();
    dispatcher({}, other);
    const events = [];
    for (let i = 0; i < 6; i++) events.push(await append(t));
    await waitFor(() => (rx.got.length >= 6 ? true : undefined), 10_000, 20, 'six deliveries');
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.got.map((r) => r.body.id)).toEqual(events.map((e) => e.eventId));
    expect(db.dispatchers.filter((d) => d.isDispatching)).toHaveLength(1);
  });

  it('a disabled webhook keeps its position and goes on from it when enabled; a deleted one stops and its secret is erased', async () => {
    const t = randomUUID();
    const rx = await receiver();
    const h = await hook(t, rx.url);
    const fenceRx = await receiver();
    const fence = await hook(t, fenceRx.url);
    dispatcher();
    const disabled = await db.handler.update({ meta: metaOf(t), body: { webhookId: h.webhookId, status: 'disabled' } });
    expect(disabled.status).toBe('disabled');
    const a = await append(t);
    await waitFor(() => (fenceRx.got.length === 1 ? true : undefined), 10_000, 20, 'the fence webhook');
    await new Promise((r) => setTimeout(r, 100));
    expect(rx.got).toEqual([]);
    expect((await db.handler.get({ meta: metaOf(t, 'read'), body: { webhookId: h.webhookId } })).position).toBeLessThan(a.position);

    await db.handler.update({ meta: metaOf(t), body: { webhookId: h.webhookId, status: 'active' } });
    await waitFor(() => (rx.got.length === 1 ? true : undefined), 10_000, 20, 'the delivery after enabling');
    expect(rx.got[0].body.id).toBe(a.eventId);

    const row = await db.pool.query<{ secret_encrypted: string }>('SELECT secret_encrypted FROM audit.webhooks WHERE webhook_id = $1', [h.webhookId]);
    expect(row.rows[0].secret_encrypted).not.toContain(secret);
    await db.handler.remove({ meta: metaOf(t), body: { webhookId: h.webhookId } });
    await expect(db.handler.get({ meta: metaOf(t, 'read'), body: { webhookId: h.webhookId } })).rejects.toMatchObject({ code: 'webhook_not_found' });
    expect(await db.cipher.decrypt(t, webhookSecretSubject(h.webhookId), row.rows[0].secret_encrypted)).toBeNull();
    await append(t);
    await waitFor(() => (fenceRx.got.length === 2 ? true : undefined), 10_000, 20, 'the fence webhook again');
    expect(rx.got).toHaveLength(1);
    await db.handler.remove({ meta: metaOf(t), body: { webhookId: fence.webhookId } });
  });

  it('answers only the caller\'s tenant, with exports on all locations', async () => {
    const [t1, t2] = [randomUUID(), randomUUID()];
    const h = await hook(t1, 'http://127.0.0.1:9/never');
    const view = await db.handler.get({ meta: metaOf(t1, 'read'), body: { webhookId: h.webhookId } });
    expect(view).toEqual(h);
    expect(JSON.stringify(view)).not.toContain(secret);
    await expect(db.handler.get({ meta: metaOf(t2, 'manage'), body: { webhookId: h.webhookId } })).rejects.toMatchObject({ code: 'webhook_not_found' });
    await expect(db.handler.replay({ meta: metaOf(t2, 'manage'), body: { webhookId: h.webhookId, fromPosition: 1 } })).rejects.toMatchObject({ code: 'webhook_not_found' });
    await expect(db.handler.get({ meta: metaOf(t1, 'read'), body: { webhookId: 'not-a-uuid' } })).rejects.toMatchObject({ code: 'webhook_not_found' });
    expect((await db.handler.list({ meta: metaOf(t2, 'read'), body: {} })).items).toEqual([]);
    await expect(db.handler.create({ meta: metaOf(t1, 'write'), body: { url: 'http://127.0.0.1:9/x', events: ['*'], secret } })).rejects.toMatchObject({ code: 'insufficient_access' });
    await expect(db.handler.list({ meta: metaOf(t1, 'manage', [randomUUID()]), body: {} })).rejects.toMatchObject({ code: 'tenant_wide_access_required' });
    await db.handler.remove({ meta: metaOf(t1), body: { webhookId: h.webhookId } });
  });

  it('an Idempotency-Key makes a retried create return the first webhook', async () => {
    const t = randomUUID();
    const meta = { ...metaOf(t), idempotencyKey: `create-${randomUUID()}` };
    const first = await db.handler.create({ meta, body: { url: 'http://127.0.0.1:9/a', events: ['records.*'], secret } });
    const again = await db.handler.create({ meta: { ...meta, requestId: randomUUID() }, body: { url: 'http://127.0.0.1:9/b', events: ['*'], secret } });
    expect(again).toEqual(first);
    expect((await db.handler.list({ meta: metaOf(t, 'read'), body: {} })).items).toHaveLength(1);
    await db.handler.remove({ meta: metaOf(t), body: { webhookId: first.webhookId } });
  });
});
