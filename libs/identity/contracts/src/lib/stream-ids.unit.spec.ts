import { emailClaimStreamId, tenantNameStreamId, tenantStreamId, userStreamId } from './stream-ids';

describe('identity stream ids', () => {
  it('are stable, namespaced strings (stored in the event store: never change them)', () => {
    expect(tenantStreamId('t1')).toBe('identity-tenant-t1');
    expect(userStreamId('u1')).toBe('identity-user-u1');
    expect(tenantNameStreamId('ab12')).toBe('identity-tenant-name-ab12');
    expect(emailClaimStreamId('t1', 'ff00')).toBe('identity-email-t1-ff00');
  });

  it('scope an email claim to its tenant', () => {
    expect(emailClaimStreamId('t1', 'ff00')).not.toBe(emailClaimStreamId('t2', 'ff00'));
  });
});
