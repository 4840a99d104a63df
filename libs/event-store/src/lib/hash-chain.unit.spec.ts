import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS_HASH, type RecordedEvent } from '@custodian/kernel';
import { computeEventHash, verifyChain } from './hash-chain';

const example = {
  eventId: '00000000-0000-4000-8000-000000000001',
  type: 'test.Happened',
  schemaVersion: 1,
  streamId: 's-1',
  version: 1,
  recordedAt: '2026-01-01T00:00:00.000Z',
  tenantId: 't-1',
  data: { n: 1 },
  metadata: { actorId: 'user:1', correlationId: 'c-1' },
  prevHash: GENESIS_HASH,
};

// Built by hand from docs/verification.md: members sorted, no whitespace.
const HAND_CANONICAL =
  '{"data":{"n":1},"eventId":"00000000-0000-4000-8000-000000000001","metadata":{"actorId":"user:1","correlationId":"c-1"},' +
  '"prevHash":"0000000000000000000000000000000000000000000000000000000000000000","recordedAt":"2026-01-01T00:00:00.000Z",' +
  '"schemaVersion":1,"streamId":"s-1","tenantId":"t-1","type":"test.Happened","version":1}';

function chainOf(count: number): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  let prev = GENESIS_HASH;
  for (let v = 1; v <= count; v++) {
    const base = { ...example, eventId: `00000000-0000-4000-8000-${String(v).padStart(12, '0')}`, version: v, data: { n: v }, prevHash: prev };
    const hash = computeEventHash(base);
    out.push({ ...base, globalPosition: 100 + v, hash });
    prev = hash;
  }
  return out;
}

describe('hash chain', () => {
  it('hashes SHA-256(prevHash bytes ‖ JCS(envelope)), as docs/verification.md states', () => {
    const expected = createHash('sha256').update(Buffer.alloc(32)).update(HAND_CANONICAL, 'utf8').digest('hex');
    expect(computeEventHash(example)).toBe(expected);
    expect(expected).toBe('9c0717f12b26bc01e082f4e36f64ee5b5553934a07bee9924c23c453428f6434');
    expect(readFileSync(join(__dirname, '../../../../docs/verification.md'), 'utf8')).toContain(expected);
  });

  it('ignores globalPosition and absent metadata members, but not null ones', () => {
    const withUndefined = { ...example, metadata: { ...example.metadata, causationId: undefined } };
    expect(computeEventHash(withUndefined)).toBe(computeEventHash(example));
    const withNull = { ...example, metadata: { ...example.metadata, causationId: null } };
    expect(computeEventHash(withNull)).not.toBe(computeEventHash(example));
  });

  it('verifies an intact chain and reports its head', () => {
    const events = chainOf(4);
    expect(verifyChain('s-1', events)).toEqual({ ok: true, events: 4, headHash: events[3].hash });
    expect(verifyChain('s-1', [])).toEqual({ ok: true, events: 0, headHash: GENESIS_HASH });
  });

  it.each([
    ['altered data', (e: RecordedEvent[]) => (e[2] = { ...e[2], data: { n: 99 } }), 3, /content/],
    ['altered actor', (e: RecordedEvent[]) => (e[1] = { ...e[1], metadata: { ...e[1].metadata, actorId: 'user:mallory' } }), 2, /content/],
    ['a deleted event', (e: RecordedEvent[]) => e.splice(1, 1), 2, /missing/],
    ['swapped events', (e: RecordedEvent[]) => ([e[1], e[2]] = [e[2], e[1]]), 2, /missing/],
    ['a rewritten hash', (e: RecordedEvent[]) => (e[1] = { ...e[1], hash: 'a'.repeat(64) }), 2, /content/],
    ['a re-chained successor', (e: RecordedEvent[]) => (e[2] = { ...e[2], prevHash: 'b'.repeat(64) }), 3, /prevHash/],
  ])('names the first broken version after %s', (_what, tamper, version, reason) => {
    const events = chainOf(4);
    tamper(events);
    expect(verifyChain('s-1', events)).toMatchObject({ ok: false, brokenAtVersion: version, reason: expect.stringMatching(reason) });
  });

  it('does not depend on globalPosition', () => {
    const events = chainOf(3).map((e) => ({ ...e, globalPosition: 1 }));
    expect(verifyChain('s-1', events).ok).toBe(true);
  });
});
