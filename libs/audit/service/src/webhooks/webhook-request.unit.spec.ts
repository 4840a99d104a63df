import { verifyWebhookSignature, WEBHOOK_HEADERS } from '@custodian/audit/contracts';
import { ValidationError, type RecordedEvent } from '@custodian/kernel';
import { typePrefixesOf, webhookBackoffMs, webhookHeadersOf, webhookPayloadOf } from './webhook-request';
import { checkedEventTypes, checkedSecret, checkedUrl } from './webhooks.handler';

const event: RecordedEvent = {
  eventId: '6f1c3f56-0b0e-4b7a-9d8e-2a4b9c1d0e11',
  type: 'audit.IncidentOpened',
  schemaVersion: 1,
  streamId: 'audit-incident-0b9c',
  version: 1,
  globalPosition: 4242,
  recordedAt: '2027-03-27T21:58:00.000Z',
  tenantId: '2d3e4f50-1a2b-4c5d-8e9f-0a1b2c3d4e5f',
  data: { tenantId: '2d3e4f50-1a2b-4c5d-8e9f-0a1b2c3d4e5f', titleEncrypted: 'pd:v1:abc', at: '2027-03-27T21:58:00.000Z' },
  metadata: { actorId: 'user:u1', actorIp: '192.0.2.10', correlationId: 'req-1' },
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
};

describe('webhook request', () => {
  it('the payload is the stored event as is, without its metadata (actor, IP address)', () => {
    expect(webhookPayloadOf(event)).toEqual({
      kind: 'custodian.webhook-event/v1',
      id: event.eventId,
      type: 'audit.IncidentOpened',
      schemaVersion: 1,
      dataschema: 'urn:custodian:event:audit.IncidentOpened:v1',
      source: '/custodian/audit',
      subject: 'audit-incident-0b9c',
      time: '2027-03-27T21:58:00.000Z',
      tenantId: event.tenantId,
      position: 4242,
      data: event.data,
    });
    expect(JSON.stringify(webhookPayloadOf(event))).not.toContain('192.0.2.10');
  });

  it('the headers carry the delivery id, the event id and a signature a receiver verifies over the exact body', () => {
    const body = JSON.stringify(webhookPayloadOf(event));
    const headers = webhookHeadersOf({ secret: 's'.repeat(32), deliveryId: 'd-1', eventId: event.eventId, timestamp: 1_800_000_000, body });
    expect(headers).toMatchObject({ 'content-type': 'application/json', [WEBHOOK_HEADERS.id]: 'd-1', [WEBHOOK_HEADERS.eventId]: event.eventId, [WEBHOOK_HEADERS.timestamp]: '1800000000' });
    const verify = (rawBody: string) =>
      verifyWebhookSignature({ secret: 's'.repeat(32), timestamp: headers[WEBHOOK_HEADERS.timestamp], signature: headers[WEBHOOK_HEADERS.signature], rawBody, nowSeconds: 1_800_000_001 });
    expect(verify(body)).toEqual({ ok: true });
    expect(verify(JSON.stringify(JSON.parse(body), null, 1))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('backs off exponentially from the initial wait, capped, with ±20 % jitter', () => {
    const schedule = { initialBackoffMs: 1_000, maxBackoffMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => webhookBackoffMs(a, schedule, () => 0.5))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(webhookBackoffMs(1, schedule, () => 0)).toBe(800);
    expect(webhookBackoffMs(1, schedule, () => 1)).toBe(1_200);
  });

  it('reads the log by type prefix, or unfiltered for "*"', () => {
    expect(typePrefixesOf(['records.*', 'audit.IncidentOpened', 'audit.Incident*'])).toEqual(['records.', 'audit.IncidentOpened', 'audit.Incident']);
    expect(typePrefixesOf(['records.*', '*'])).toBeUndefined();
  });
});

describe('webhook input', () => {
  const codeOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof ValidationError ? e.code : `not a ValidationError: ${String(e)}`;
    }
    return 'accepted';
  };

  it.each(['http://127.0.0.1:8080/hook', 'https://payroll.example.com/hooks/custodian?tenant=a'])('accepts the URL %s', (url) => {
    expect(checkedUrl(url)).toBe(new URL(url).href);
  });

  it.each([
    ['ftp://example.com/x', 'another scheme'],
    ['file:///etc/passwd', 'a file URL'],
    ['/relative/path', 'a relative URL'],
    ['https://user:pass@example.com/x', 'credentials in the URL'],
    ['https://example.com/x#frag', 'a fragment'],
    [`https://example.com/${'a'.repeat(2_100)}`, 'a URL too long'],
  ])('refuses %s (%s) → invalid_webhook_url', (url) => {
    expect(codeOf(() => checkedUrl(url))).toBe('invalid_webhook_url');
  });

  it('needs 1-50 valid event types, and drops duplicates', () => {
    expect(checkedEventTypes(['records.*', 'records.*', 'audit.IncidentOpened'])).toEqual(['records.*', 'audit.IncidentOpened']);
    expect(codeOf(() => checkedEventTypes([]))).toBe('invalid_event_types');
    expect(codeOf(() => checkedEventTypes(['records']))).toBe('invalid_event_types');
    expect(codeOf(() => checkedEventTypes('records.*'))).toBe('invalid_event_types');
    expect(codeOf(() => checkedEventTypes(Array.from({ length: 51 }, (_, i) => `records.Type${i}`)))).toBe('invalid_event_types');
  });

  it('needs a secret of 32-256 printable ASCII characters without spaces', () => {
    expect(checkedSecret('x'.repeat(32))).toBe('x'.repeat(32));
    expect(codeOf(() => checkedSecret('x'.repeat(31)))).toBe('invalid_webhook_secret');
    expect(codeOf(() => checkedSecret(`${'x'.repeat(32)} y`))).toBe('invalid_webhook_secret');
    expect(codeOf(() => checkedSecret('é'.repeat(40)))).toBe('invalid_webhook_secret');
    expect(codeOf(() => checkedSecret('x'.repeat(257)))).toBe('invalid_webhook_secret');
  });
});
