import { NO_STREAM, START } from '@eventstore/db-client';
import { GENESIS_HASH, type RecordedEvent } from '@custodian/kernel';
import { computeEventHash } from '../hash-chain';
import { CLAIM_STREAM_PREFIX, fromEsdb, isCustodianEvent, KnownPositions, planAppend, positionToNumber, readPositionOf, toEnvelope, validateAppend } from './esdb-mapping';

describe('planAppend (ExpectedVersion → ESDB expected revision)', () => {
  it.each([
    ['no_stream', 0, NO_STREAM],
    [0, 0, NO_STREAM],
    [3, 3, 2n],
    ['any', 0, NO_STREAM],
    ['any', 5, 4n],
    ['stream_exists', 1, 0n],
  ] as const)('%p on a stream at %p appends at revision %p', (expected, current, revision) => {
    expect(planAppend(expected, current)).toEqual({ ok: true, expectedRevision: revision });
  });

  it.each([
    ['no_stream', 2, 2],
    [1, 2, 2],
    [3, 2, 2],
    [1, 0, 'no_stream'],
    ['stream_exists', 0, 'no_stream'],
  ] as const)('%p on a stream at %p is a conflict (actual %p)', (expected, current, actual) => {
    expect(planAppend(expected, current)).toEqual({ ok: false, actual });
  });
});

describe('positions', () => {
  it('maps commit positions to numbers and back to inclusive read positions', () => {
    expect(positionToNumber({ commit: 12345n, prepare: 12345n })).toBe(12345);
    expect(readPositionOf(0)).toBe(START);
    expect(readPositionOf(42)).toEqual({ commit: 42n, prepare: 42n });
    expect(() => positionToNumber({ commit: 2n ** 60n, prepare: 0n })).toThrow(/MAX_SAFE_INTEGER/);
  });

  it('remembers record boundaries and finds the closest one below', () => {
    const known = new KnownPositions(6);
    for (const p of [100, 300, 200, 500, 300]) known.add(p);
    expect(known.size).toBe(4);
    expect(known.has(200)).toBe(true);
    expect(known.has(250)).toBe(false);
    expect(known.floor(299)).toBe(200);
    expect(known.floor(300)).toBe(300);
    expect(known.floor(99)).toBeUndefined();
    for (const p of [600, 700, 800]) known.add(p);
    expect(known.size).toBe(3); // dropped the lowest half
    expect(known.floor(650)).toBe(600);
  });
});

describe('envelope', () => {
  const base = {
    eventId: '00000000-0000-4000-8000-000000000001',
    type: 'test.Happened',
    schemaVersion: 2,
    streamId: 's-1',
    version: 3,
    recordedAt: '2026-01-01T00:00:00.000Z',
    tenantId: 't-1',
    data: { n: 1 },
    metadata: { actorId: 'user:1', correlationId: 'c-1', causationId: 'x' },
    prevHash: GENESIS_HASH,
  };
  const recorded: RecordedEvent = { ...base, globalPosition: 0, hash: computeEventHash(base) };

  it('round-trips a recorded event through ESDB metadata, hash intact', () => {
    const stored = { streamId: 's-1', id: recorded.eventId, revision: 2n, type: recorded.type, isJson: true, data: recorded.data, metadata: JSON.parse(JSON.stringify(toEnvelope(recorded))), position: { commit: 777n, prepare: 777n } };
    expect(isCustodianEvent(stored)).toBe(true);
    const back = fromEsdb(stored);
    expect(back).toEqual({ ...recorded, globalPosition: 777 });
    expect(computeEventHash(back)).toBe(back.hash);
  });

  it('ignores system events, claims and foreign events', () => {
    const e = { streamId: 's', id: 'x', revision: 0n, type: 't', isJson: true, data: {}, metadata: toEnvelope(recorded) };
    expect(isCustodianEvent({ ...e, streamId: '$stats' })).toBe(false);
    expect(isCustodianEvent({ ...e, streamId: `${CLAIM_STREAM_PREFIX}x` })).toBe(false);
    expect(isCustodianEvent({ ...e, type: '$>' })).toBe(false);
    expect(isCustodianEvent({ ...e, metadata: { other: true } })).toBe(false);
  });

  it('refuses reserved stream names and event types', () => {
    const ev = { eventId: base.eventId, type: 'a.B', schemaVersion: 1, tenantId: 't', data: {}, metadata: { actorId: 'a', correlationId: 'c' } };
    expect(() => validateAppend('$system', [ev], 'any')).toThrow(/reserved/);
    expect(() => validateAppend(`${CLAIM_STREAM_PREFIX}x`, [ev], 'any')).toThrow(/reserved/);
    expect(() => validateAppend('s', [{ ...ev, type: '$x' }], 'any')).toThrow(/type/);
    expect(() => validateAppend('s', [ev], 'any')).not.toThrow();
  });
});
