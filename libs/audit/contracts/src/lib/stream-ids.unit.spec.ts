import { blocklistStreamId, incidentStreamId } from './stream-ids';

// Stream ids are stored in the event store: a change here orphans every existing stream.
describe('audit stream ids', () => {
  const id = '6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';

  it('keeps the published prefixes', () => {
    expect(blocklistStreamId(id)).toBe(`audit-blocklist-${id}`);
    expect(incidentStreamId(id)).toBe(`audit-incident-${id}`);
    expect(blocklistStreamId('t-1')).toBe('audit-blocklist-t-1');
    expect(incidentStreamId('i-1')).toBe('audit-incident-i-1');
  });

  it('gives each tenant one blocklist and each incident its own stream, never the same one', () => {
    expect(blocklistStreamId('t-1')).not.toBe(blocklistStreamId('t-2'));
    expect(incidentStreamId('i-1')).not.toBe(incidentStreamId('i-2'));
    expect(blocklistStreamId(id)).not.toBe(incidentStreamId(id));
  });
});
