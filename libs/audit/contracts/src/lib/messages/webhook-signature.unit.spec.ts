import { signWebhook, verifyWebhookSignature, WEBHOOK_EVENT_TYPE_PATTERN, webhookEventTypeMatches } from './webhooks.messages';

describe('webhook signatures', () => {
  const secret = 'whsec-0123456789abcdef0123456789abcdef';
  const body = '{"id":"evt_1","type":"records.RecordSealed"}';
  const timestamp = 1_700_000_000;
  // Computed independently: printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac '<secret>'
  const expected = 'v1=5d82e04ddb61e1c6602635891136757f9db1b40ac8f2fd89adeeac12d30aff41';

  describe('signWebhook', () => {
    it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<raw body>" under the secret', () => {
      expect(signWebhook(secret, timestamp, body)).toBe(expected);
    });

    it('changes with the timestamp, the body and the secret', () => {
      expect(signWebhook(secret, timestamp + 1, body)).not.toBe(expected);
      expect(signWebhook(secret, timestamp, `${body} `)).not.toBe(expected);
      expect(signWebhook(`${secret}x`, timestamp, body)).not.toBe(expected);
    });
  });

  describe('verifyWebhookSignature (receiver side)', () => {
    const verify = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) =>
      verifyWebhookSignature({ secret, timestamp: String(timestamp), signature: expected, rawBody: body, nowSeconds: timestamp + 10, ...over });

    it('given the delivered headers and raw body, accepts', () => {
      expect(verify()).toEqual({ ok: true });
    });

    it('given one changed byte of the body, refuses (mismatch)', () => {
      expect(verify({ rawBody: body.replace('evt_1', 'evt_2') })).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('given another secret, refuses (mismatch)', () => {
      expect(verify({ secret: 'another-secret-of-at-least-32-characters' })).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('given a timestamp other than the signed one, refuses (mismatch)', () => {
      expect(verify({ timestamp: String(timestamp + 1) })).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('given a timestamp outside the tolerance, refuses (stale) — a captured delivery cannot be replayed later', () => {
      expect(verify({ nowSeconds: timestamp + 301 })).toEqual({ ok: false, reason: 'stale' });
      expect(verify({ nowSeconds: timestamp - 301 })).toEqual({ ok: false, reason: 'stale' });
      expect(verify({ nowSeconds: timestamp + 3_600, toleranceSeconds: 7_200 })).toEqual({ ok: true });
    });

    it('given several signatures (key rotation), accepts when any v1 one matches', () => {
      expect(verify({ signature: `v1=${'0'.repeat(64)} ${expected}` })).toEqual({ ok: true });
      expect(verify({ signature: `v0=abc ${expected}` })).toEqual({ ok: true });
    });

    it.each([
      ['no timestamp', { timestamp: undefined }],
      ['a timestamp that is not unix seconds', { timestamp: '2023-11-14T22:13:20Z' }],
      ['no signature', { signature: undefined }],
      ['no v1 signature', { signature: 'v2=abc' }],
    ])('given %s, refuses (malformed)', (_label, over) => {
      expect(verify(over)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('given a truncated signature, refuses without throwing', () => {
      expect(verify({ signature: expected.slice(0, 20) })).toEqual({ ok: false, reason: 'mismatch' });
    });
  });
});

describe('webhook event types', () => {
  it.each(['*', 'records.*', 'records.RecordSealed', 'audit.Incident*', 'scheduling.ShiftScheduled'])('accepts %s', (t) => {
    expect(WEBHOOK_EVENT_TYPE_PATTERN.test(t)).toBe(true);
  });

  it.each(['', 'records', 'records.', 'Records.RecordSealed', 'records.recordSealed', 'records.**', '*.RecordSealed', 'records.Record Sealed', 'records.Rec*rd'])('refuses %j', (t) => {
    expect(WEBHOOK_EVENT_TYPE_PATTERN.test(t)).toBe(false);
  });

  it('matches exact types exactly and prefixes by prefix', () => {
    expect(webhookEventTypeMatches(['records.RecordSealed'], 'records.RecordSealed')).toBe(true);
    expect(webhookEventTypeMatches(['records.RecordSealed'], 'records.RecordSealedAgain')).toBe(false);
    expect(webhookEventTypeMatches(['records.*'], 'records.TaskCompleted')).toBe(true);
    expect(webhookEventTypeMatches(['records.*'], 'recordsx.TaskCompleted')).toBe(false);
    expect(webhookEventTypeMatches(['audit.Incident*'], 'audit.IncidentOpened')).toBe(true);
    expect(webhookEventTypeMatches(['audit.Incident*'], 'audit.IpBlocked')).toBe(false);
    expect(webhookEventTypeMatches(['*'], 'identity.UserInvited')).toBe(true);
    expect(webhookEventTypeMatches(['scheduling.*', 'records.RecordSealed'], 'identity.UserInvited')).toBe(false);
  });
});
