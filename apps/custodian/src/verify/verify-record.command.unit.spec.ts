import { computeEventHash, GENESIS_HASH } from '@custodian/event-store';
import type { RecordedEvent } from '@custodian/kernel';
import { verifyRecordExport } from './verify-record.command';

/** A hand-built, correctly chained record export of `n` events. */
function exportOf(n: number) {
  const streamId = 'records-record-r1';
  const events: RecordedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let version = 1; version <= n; version++) {
    const e = {
      eventId: `00000000-0000-4000-8000-00000000000${version}`,
      type: version === 1 ? 'records.CleaningStarted' : 'records.TaskCompleted',
      schemaVersion: 1,
      streamId,
      version,
      globalPosition: 100 + version,
      recordedAt: `2027-01-01T08:0${version}:00.000Z`,
      tenantId: 't1',
      data: { recordId: 'r1', n: version },
      metadata: { actorId: 'user:u1', correlationId: 'c1' },
      prevHash,
      hash: '',
    } as RecordedEvent;
    e.hash = computeEventHash(e);
    prevHash = e.hash;
    events.push(e);
  }
  return { format: 'custodian.record-export.v1', recordId: 'r1', streamId, exportedAt: '2027-01-01T09:00:00.000Z', headHash: prevHash, events };
}

describe('verifyRecordExport (npx custodian verify record)', () => {
  it('verifies an intact export and reports its head hash', () => {
    const doc = exportOf(3);
    expect(verifyRecordExport(JSON.parse(JSON.stringify(doc)))).toEqual({ verify: 'record', ok: true, recordId: 'r1', events: 3, headHash: doc.headHash });
  });

  it('names the first version whose content was altered', () => {
    const doc = exportOf(3);
    (doc.events[1].data as Record<string, unknown>)['n'] = 99;
    expect(verifyRecordExport(doc)).toMatchObject({ ok: false, brokenAtVersion: 2, reason: 'hash does not match the event content' });
  });

  it('refuses a removed event and a truncated tail', () => {
    const gap = exportOf(3);
    gap.events.splice(1, 1);
    expect(verifyRecordExport(gap)).toMatchObject({ ok: false, brokenAtVersion: 2 });
    const truncated = exportOf(3);
    truncated.events.pop();
    expect(verifyRecordExport(truncated)).toMatchObject({ ok: false, reason: expect.stringContaining('head') });
  });

  it('refuses what is not an export', () => {
    expect(verifyRecordExport({ hello: 'world' })).toMatchObject({ ok: false, reason: 'not a custodian.record-export.v1 document' });
    expect(verifyRecordExport({ ...exportOf(1), events: [] })).toMatchObject({ ok: false, reason: 'the export holds no events' });
  });
});
