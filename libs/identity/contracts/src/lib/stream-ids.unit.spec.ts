import {
  apiKeyStreamId,
  emailClaimStreamId,
  loginStreamId,
  tenantNameStreamId,
  tenantStreamId,
  unknownLoginStreamId,
  userStreamId,
} from './stream-ids';

describe('identity stream ids', () => {
  it('are stable, namespaced strings (stored in the event store: never change them)', () => {
    expect(tenantStreamId('t1')).toBe('identity-tenant-t1');
    expect(userStreamId('u1')).toBe('identity-user-u1');
    expect(tenantNameStreamId('ab12')).toBe('identity-tenant-name-ab12');
    expect(emailClaimStreamId('t1', 'ff00')).toBe('identity-email-t1-ff00');
    expect(loginStreamId('u1')).toBe('identity-logins-u1');
    expect(unknownLoginStreamId('t1')).toBe('identity-logins-unknown-t1');
    expect(apiKeyStreamId('k1')).toBe('identity-apikey-k1');
  });

  it('scope an email claim to its tenant', () => {
    expect(emailClaimStreamId('t1', 'ff00')).not.toBe(emailClaimStreamId('t2', 'ff00'));
  });

  it("keep a user's logins apart from the user stream and from other users'", () => {
    const id = '2b7e1516-28ae-4d2a-abf7-15884f3c4e5d';
    expect(loginStreamId(id)).not.toBe(userStreamId(id));
    expect(loginStreamId(id)).not.toBe(loginStreamId('9c4f6e2a-1b3d-4f5e-8a7b-6c5d4e3f2a1b'));
  });

  it('keep the unknown-account stream of a tenant apart from any user login stream (ids are UUIDs)', () => {
    const tenantId = '6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
    expect(unknownLoginStreamId(tenantId)).not.toBe(loginStreamId(tenantId));
    expect(unknownLoginStreamId(tenantId)).not.toBe(unknownLoginStreamId('0d3c5b7a-9e1f-4a2b-8c4d-6e8f0a1b2c3d'));
  });

  it('give each API key its own stream', () => {
    expect(apiKeyStreamId('k1')).not.toBe(apiKeyStreamId('k2'));
  });
});
