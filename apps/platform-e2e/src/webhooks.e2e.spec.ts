import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature, WEBHOOK_HEADERS, type WebhookDeliveryView, type WebhookEventPayload } from '@custodian/audit/contracts';
import { parseMasterKey, PERSONAL_DATA_PREFIX } from '@custodian/crypto';
import { testMasterKey, waitFor } from '@custodian/testing';
import { http, startAudit, startGateway, startIdentity, uniqueName, type RunningAudit, type RunningGateway, type RunningIdentity } from './platform.harness';

type Res = Awaited<ReturnType<typeof http>>;

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: WebhookEventPayload;
  /** The signature verified with the webhook's secret, as a receiver must check it. */
  verified: boolean;
  status: number;
}

/**
 * An integrator's endpoint: a real HTTP server on 127.0.0.1 that verifies every delivery's
 * signature, answers 500 to the next `failNext` requests, and can go down and come back on the
 * same port.
 */
class Receiver {
  readonly got: Received[] = [];
  failNext = 0;
  private server: Server | undefined;
  private port = 0;

  constructor(readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/custodian/events`;
  }

  /** Requests it answered 2xx: what the integrator actually took in. */
  get accepted(): Received[] {
    return this.got.filter((r) => r.status < 300);
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
        const verified = verifyWebhookSignature({ secret: this.secret, timestamp: header(WEBHOOK_HEADERS.timestamp), signature: header(WEBHOOK_HEADERS.signature), rawBody: raw }).ok;
        const status = !verified ? 401 : this.failNext > 0 ? 500 : 204;
        if (status === 500) this.failNext--;
        this.got.push({ headers: req.headers, raw, body: JSON.parse(raw) as WebhookEventPayload, verified, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Webhooks end to end: created through the gateway (exports:manage on all locations), events
 * of the tenant pushed by the audit service to real local receivers — signed, tenant-isolated,
 * filtered by type, retried with backoff, logged, resumed after an outage and replayed.
 */
describe('webhooks', () => {
  let identity: RunningIdentity;
  let audit: RunningAudit;
  let gw: RunningGateway;
  const receivers: Receiver[] = [];
  /** Deletes what the tests subscribed: later suites' audit services would otherwise keep serving those webhooks. */
  const unsubscribe: Array<() => Promise<Res>> = [];
  const password = 'correct horse battery';

  beforeAll(async () => {
    const masterKey = parseMasterKey(testMasterKey());
    identity = await startIdentity(masterKey);
    audit = await startAudit(masterKey, identity.port);
    gw = await startGateway(identity.port, undefined, [], { auditPort: audit.port });
  });
  afterAll(async () => {
    await Promise.all(unsubscribe.map((remove) => remove()));
    await gw?.close();
    await audit?.close();
    await identity?.close();
    for (const r of receivers) await r.down();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const email = (who: string) => `${who}-${randomBytes(4).toString('hex')}@example.com`;
  function ok(res: Res, status = 200) {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }
  function expectError(res: Res, status: number, code: string) {
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
  }

  async function tenant() {
    const ownerEmail = email('owner');
    const t = ok(await http('POST', `${gw.url}/v1/tenants`, { headers: bearer(gw.bootstrapToken), body: { name: uniqueName(), owner: { email: ownerEmail, name: 'Owner', password } } }), 201);
    const login = async (address: string) => ok(await http('POST', `${gw.url}/v1/auth/login`, { body: { tenantId: t.tenantId, email: address, password } })).accessToken as string;
    const owner = await login(ownerEmail);
    const as = bearer(owner);
    const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = as) => http(method, `${gw.url}${path}`, { headers, ...(body !== undefined ? { body } : {}) });
    const person = async (module: string, access: string, locations: 'all' | string[]) => {
      const address = email('person');
      const userId = ok(await api('POST', '/v1/users', { email: address, name: 'Person', password }), 201).userId as string;
      ok(await api('PUT', `/v1/users/${userId}/grants/${module}`, { access, locations }));
      return bearer(await login(address));
    };
    /** An incident: an audit.IncidentOpened event of this tenant, its title stored encrypted. */
    const incident = async (title = `Exposed badge ${randomBytes(4).toString('hex')}`) => ({ title, incidentId: ok(await api('POST', '/v1/incidents', { kind: 'security', severity: 'low', title }), 201).incidentId as string });
    return { tenantId: t.tenantId as string, api, person, incident };
  }

  async function receiver(): Promise<Receiver> {
    const r = new Receiver(`whsec_${randomBytes(24).toString('base64url')}`);
    await r.up();
    receivers.push(r);
    return r;
  }

  type Tenant = Awaited<ReturnType<typeof tenant>>;

  async function subscribe(t: Tenant, r: Receiver, events: string[] = ['audit.IncidentOpened']): Promise<{ webhookId: string; position: number }> {
    const created = ok(await t.api('POST', '/v1/webhooks', { url: r.url, events, secret: r.secret }), 201);
    unsubscribe.push(() => t.api('DELETE', `/v1/webhooks/${created.webhookId}`));
    return created;
  }

  async function deliveriesOf(t: Tenant, webhookId: string): Promise<WebhookDeliveryView[]> {
    return ok(await t.api('GET', `/v1/webhooks/${webhookId}/deliveries?limit=200`)).items;
  }

  /** The delivery log once `count` deliveries exist and none is pending any more. */
  async function settled(t: Tenant, webhookId: string, count: number, timeoutMs = 20_000): Promise<WebhookDeliveryView[]> {
    return waitFor(async () => {
      const items = await deliveriesOf(t, webhookId);
      return items.length >= count && items.every((d) => d.state !== 'pending') ? items : undefined;
    }, timeoutMs, 100, `${count} settled deliveries of webhook ${webhookId}`);
  }

  const incidentIdOf = (r: Received) => r.body.data.incidentId as string;

  it('creates a webhook without ever showing its secret, refuses bad input (400), hides it from other tenants (404) and deletes it', async () => {
    const t = await tenant();
    const other = await tenant();
    const r = await receiver();
    const created = await t.api('POST', '/v1/webhooks', { url: r.url, events: ['records.RecordSealed', 'audit.*'], secret: r.secret });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      webhookId: expect.any(String),
      url: r.url,
      events: ['records.RecordSealed', 'audit.*'],
      status: 'active',
      position: expect.any(Number),
      createdAt: expect.any(String),
      createdBy: expect.stringMatching(/^user:/),
      updatedAt: expect.any(String),
    });
    const id = created.body.webhookId as string;
    const listed = ok(await t.api('GET', '/v1/webhooks'));
    // The dispatcher moves `position` past events the hook does not take, at any moment: compare the rest.
    const { position: createdAt, ...created0 } = created.body;
    const moving = { position: expect.any(Number), updatedAt: expect.any(String) };
    expect(listed.items).toEqual([{ ...created0, ...moving }]);
    expect(listed.items[0].position).toBeGreaterThanOrEqual(createdAt);
    expect(ok(await t.api('GET', `/v1/webhooks/${id}`))).toEqual({ ...created0, ...moving });
    for (const res of [created, await t.api('GET', '/v1/webhooks'), await t.api('GET', `/v1/webhooks/${id}`)]) expect(JSON.stringify(res.body)).not.toContain(r.secret);

    const body = { url: r.url, events: ['audit.*'], secret: r.secret };
    expectError(await t.api('POST', '/v1/webhooks', { ...body, secret: 'too-short' }), 400, 'validation_failed');
    expectError(await t.api('POST', '/v1/webhooks', { ...body, url: 'ftp://127.0.0.1/x' }), 400, 'validation_failed');
    expectError(await t.api('POST', '/v1/webhooks', { ...body, url: 'http://user:pw@127.0.0.1/x' }), 400, 'invalid_webhook_url');
    expectError(await t.api('POST', '/v1/webhooks', { ...body, events: [] }), 400, 'validation_failed');
    expectError(await t.api('POST', '/v1/webhooks', { ...body, events: ['records'] }), 400, 'validation_failed');
    expectError(await t.api('POST', '/v1/webhooks', { ...body, extra: true }), 400, 'validation_failed');
    expectError(await t.api('POST', `/v1/webhooks/${id}/replay`, { fromPosition: 'one' }), 400, 'validation_failed');
    expectError(await t.api('GET', `/v1/webhooks/${id}/deliveries?state=lost`), 400, 'validation_failed');

    // Another tenant's webhook is absent to it, whatever the route.
    expectError(await other.api('GET', `/v1/webhooks/${id}`), 404, 'webhook_not_found');
    expectError(await other.api('GET', `/v1/webhooks/${id}/deliveries`), 404, 'webhook_not_found');
    expectError(await other.api('POST', `/v1/webhooks/${id}/replay`, { fromPosition: 1 }), 404, 'webhook_not_found');
    expectError(await other.api('PATCH', `/v1/webhooks/${id}`, { status: 'disabled' }), 404, 'webhook_not_found');
    expectError(await other.api('DELETE', `/v1/webhooks/${id}`), 404, 'webhook_not_found');
    expect(ok(await other.api('GET', '/v1/webhooks')).items).toEqual([]);

    // exports:read lists but does not create; exports at some locations is not enough.
    const reader = await t.person('exports', 'read', 'all');
    expect(ok(await t.api('GET', '/v1/webhooks', undefined, reader)).items).toHaveLength(1);
    expectError(await t.api('POST', '/v1/webhooks', body, reader), 403, 'insufficient_access');
    const local = await t.person('exports', 'manage', ['site-1']);
    expectError(await t.api('GET', '/v1/webhooks', undefined, local), 403, 'tenant_wide_access_required');

    expect(ok(await t.api('PATCH', `/v1/webhooks/${id}`, { status: 'disabled' })).status).toBe('disabled');
    expect((await t.api('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expectError(await t.api('GET', `/v1/webhooks/${id}`), 404, 'webhook_not_found');
    expectError(await t.api('DELETE', `/v1/webhooks/${id}`), 404, 'webhook_not_found');
    expect(ok(await t.api('GET', '/v1/webhooks')).items).toEqual([]);
  });

  it("pushes its tenant's events of the subscribed types, signed, personal data still encrypted — never another tenant's, never history", async () => {
    const [a, b] = [await tenant(), await tenant()];
    const [ra, rb] = [await receiver(), await receiver()];
    const before = await a.incident(); // before the webhook: history, not pushed
    const hook = await subscribe(a, ra);
    await subscribe(b, rb);

    const first = await a.incident();
    const theirs = await b.incident();
    ok(await a.api('POST', `/v1/incidents/${first.incidentId}/entries`, { kind: 'note', text: 'Badge deactivated' })); // audit.IncidentEntryAdded: not subscribed
    const fence = await a.incident();
    await waitFor(() => (ra.got.some((r) => incidentIdOf(r) === fence.incidentId) ? true : undefined), 20_000, 50, "tenant A's fence incident");
    await waitFor(() => (rb.got.some((r) => incidentIdOf(r) === theirs.incidentId) ? true : undefined), 20_000, 50, "tenant B's incident");

    // Delivery is in log order, so everything before the fence that A's webhook takes has arrived.
    expect(ra.got.map(incidentIdOf)).toEqual([first.incidentId, fence.incidentId]);
    expect(ra.got.map((r) => r.body.tenantId)).toEqual([a.tenantId, a.tenantId]);
    expect(rb.got.map(incidentIdOf)).toEqual([theirs.incidentId]);
    expect(ra.got.map(incidentIdOf)).not.toContain(before.incidentId);
    for (const r of [...ra.got, ...rb.got]) {
      expect(r.verified).toBe(true);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers[WEBHOOK_HEADERS.eventId]).toBe(r.body.id);
      expect(r.headers[WEBHOOK_HEADERS.id]).toMatch(/^[0-9a-f-]{36}$/);
      expect(Math.abs(Number(r.headers[WEBHOOK_HEADERS.timestamp]) - Date.now() / 1000)).toBeLessThan(60);
    }
    const [pushed] = ra.got;
    expect(pushed.body).toMatchObject({
      kind: 'custodian.webhook-event/v1',
      type: 'audit.IncidentOpened',
      schemaVersion: 1,
      dataschema: 'urn:custodian:event:audit.IncidentOpened:v1',
      source: '/custodian/audit',
      subject: `audit-incident-${first.incidentId}`,
      tenantId: a.tenantId,
      data: { incidentId: first.incidentId, kind: 'security', severity: 'low' },
    });
    expect(pushed.body.position).toBeGreaterThan(hook.position);
    expect(String(pushed.body.data.titleEncrypted).startsWith(PERSONAL_DATA_PREFIX)).toBe(true);
    expect(pushed.raw).not.toContain(first.title);
    expect(ra.got[1].body.position).toBeGreaterThan(pushed.body.position);
    // A body altered in transit no longer verifies.
    const tampered = pushed.raw.replace('"low"', '"high"');
    expect(verifyWebhookSignature({ secret: ra.secret, timestamp: pushed.headers[WEBHOOK_HEADERS.timestamp] as string, signature: pushed.headers[WEBHOOK_HEADERS.signature] as string, rawBody: tampered })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('retries a failing receiver with exponential backoff, and the delivery log shows every attempt', async () => {
    const t = await tenant();
    const r = await receiver();
    const hook = await subscribe(t, r);
    r.failNext = 2;
    const opened = await t.incident();
    const [delivery] = await settled(t, hook.webhookId, 1);

    expect(delivery).toMatchObject({ eventType: 'audit.IncidentOpened', state: 'delivered', replay: false });
    expect(delivery.attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 204, null],
    ]);
    // 1 s, then 2 s (each ±20 %) between attempts.
    const at = delivery.attempts.map((a) => Date.parse(a.at));
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(800);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(1_600);
    expect(at[2] - at[1]).toBeGreaterThan(at[1] - at[0]);
    for (const a of delivery.attempts) expect(a.durationMs).toBeLessThan(5_000);
    // Three requests of one delivery: the same delivery id and event id, each signed afresh.
    expect(r.got.map((x) => [x.status, incidentIdOf(x), x.headers[WEBHOOK_HEADERS.id], x.body.id, x.verified])).toEqual([
      [500, opened.incidentId, delivery.deliveryId, delivery.eventId, true],
      [500, opened.incidentId, delivery.deliveryId, delivery.eventId, true],
      [204, opened.incidentId, delivery.deliveryId, delivery.eventId, true],
    ]);
    expect(ok(await t.api('GET', `/v1/webhooks/${hook.webhookId}`)).position).toBeGreaterThanOrEqual(delivery.position);
  });

  it('resumes after the receiver was down, in order and without losing an event', async () => {
    const t = await tenant();
    const r = await receiver();
    const hook = await subscribe(t, r);
    await r.down();
    const opened = [await t.incident(), await t.incident(), await t.incident()];
    // The first delivery fails while the receiver is down (connection refused), and is retried.
    await waitFor(async () => ((await deliveriesOf(t, hook.webhookId))[0]?.attempts.length ? true : undefined), 20_000, 100, 'a failed attempt');
    const down = (await deliveriesOf(t, hook.webhookId))[0];
    expect(down.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringContaining('ECONNREFUSED') });
    await r.up();
    const log = await settled(t, hook.webhookId, 3, 30_000);

    expect(r.accepted.map(incidentIdOf)).toEqual(opened.map((o) => o.incidentId));
    expect(new Set(r.accepted.map((x) => x.body.id)).size).toBe(3);
    expect(log.map((d) => d.state)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(log[2].attempts.length).toBeGreaterThanOrEqual(2);
    expect(log[2].attempts.slice(0, -1).every((a) => a.statusCode === null && a.error !== null)).toBe(true);
  });

  it('replays from a position (inclusive): the same event ids again, as new deliveries; never skips ahead', async () => {
    const t = await tenant();
    const r = await receiver();
    const hook = await subscribe(t, r);
    const opened = [await t.incident(), await t.incident(), await t.incident()];
    await settled(t, hook.webhookId, 3);
    const firstRound = [...r.accepted];
    expect(firstRound.map(incidentIdOf)).toEqual(opened.map((o) => o.incidentId));
    const view = ok(await t.api('GET', `/v1/webhooks/${hook.webhookId}`));

    expectError(await t.api('POST', `/v1/webhooks/${hook.webhookId}/replay`, { fromPosition: view.position + 1_000_000 }), 422, 'replay_ahead_of_position');
    const from = firstRound[1].body.position;
    const replayed = ok(await t.api('POST', `/v1/webhooks/${hook.webhookId}/replay`, { fromPosition: from }));
    expect(replayed.position).toBe(from - 1);
    const log = await settled(t, hook.webhookId, 5);

    expect(r.accepted.map(incidentIdOf)).toEqual([...opened, opened[1], opened[2]].map((o) => o.incidentId));
    const again = r.accepted.slice(3);
    expect(again.map((x) => x.body.id)).toEqual([firstRound[1].body.id, firstRound[2].body.id]);
    expect(again.map((x) => x.body.position)).toEqual([firstRound[1].body.position, firstRound[2].body.position]);
    expect(again.map((x) => x.raw)).toEqual([firstRound[1].raw, firstRound[2].raw]);
    expect(again[0].headers[WEBHOOK_HEADERS.id]).not.toBe(firstRound[1].headers[WEBHOOK_HEADERS.id]);
    expect(log.map((d) => [d.eventId, d.replay, d.state])).toEqual([
      [firstRound[2].body.id, true, 'delivered'],
      [firstRound[1].body.id, true, 'delivered'],
      [firstRound[2].body.id, false, 'delivered'],
      [firstRound[1].body.id, false, 'delivered'],
      [firstRound[0].body.id, false, 'delivered'],
    ]);
    // The log pages newest first.
    const page1 = ok(await t.api('GET', `/v1/webhooks/${hook.webhookId}/deliveries?limit=2`));
    const page2 = ok(await t.api('GET', `/v1/webhooks/${hook.webhookId}/deliveries?limit=2&cursor=${page1.nextCursor}`));
    expect([...page1.items, ...page2.items].map((d: WebhookDeliveryView) => d.deliveryId)).toEqual(log.slice(0, 4).map((d) => d.deliveryId));
  });
});
