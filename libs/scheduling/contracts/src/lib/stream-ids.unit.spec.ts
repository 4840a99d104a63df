import { checklistStreamId, cleanerStreamId, locationStreamId, shiftStreamId } from './stream-ids';

// Stream ids are stored in the event store: a change here orphans every existing stream.
describe('scheduling stream ids', () => {
  const id = '0b5c7d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e';

  it('keeps the published prefixes', () => {
    expect(locationStreamId(id)).toBe(`scheduling-location-${id}`);
    expect(checklistStreamId(id)).toBe(`scheduling-checklist-${id}`);
    expect(shiftStreamId(id)).toBe(`scheduling-shift-${id}`);
    expect(cleanerStreamId('tenant-1', 'cleaner-1')).toBe('scheduling-cleaner-tenant-1-cleaner-1');
  });

  it('scopes a cleaner stream by tenant: one person in two tenants has two streams', () => {
    expect(cleanerStreamId('tenant-a', id)).not.toBe(cleanerStreamId('tenant-b', id));
  });

  it('gives each kind of stream its own prefix for the same id', () => {
    const ids = [locationStreamId(id), checklistStreamId(id), shiftStreamId(id)];
    expect(new Set(ids).size).toBe(3);
  });
});
