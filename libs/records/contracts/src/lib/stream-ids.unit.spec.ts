import { recordStreamId } from './stream-ids';

// Stream ids are stored in the event store: a change here orphans every existing stream.
describe('records stream ids', () => {
  const id = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';

  it('keeps the published prefix', () => {
    expect(recordStreamId(id)).toBe(`records-record-${id}`);
    expect(recordStreamId('r-1')).toBe('records-record-r-1');
  });

  it('gives each record its own stream, apart from the scheduling streams', () => {
    expect(recordStreamId('r-1')).not.toBe(recordStreamId('r-2'));
    expect(recordStreamId(id).startsWith('scheduling-')).toBe(false);
  });
});
