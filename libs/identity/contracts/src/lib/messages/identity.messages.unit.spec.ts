import { IDENTITY_PATTERNS } from './identity.messages';

describe('IDENTITY_PATTERNS', () => {
  it('are the stable message patterns the gateway sends to', () => {
    expect(IDENTITY_PATTERNS).toEqual({
      createTenant: 'identity.create-tenant',
      login: 'identity.login',
      me: 'identity.me',
      jwks: 'identity.jwks',
      health: 'identity.health',
      activate: 'identity.activate',
      refresh: 'identity.refresh',
      logout: 'identity.logout',
      principal: 'identity.principal',
      accessChanges: 'identity.access-changes',
      createUser: 'identity.users.create',
      listUsers: 'identity.users.list',
      getUser: 'identity.users.get',
      disableUser: 'identity.users.disable',
      enableUser: 'identity.users.enable',
      listGrants: 'identity.grants.list',
      putGrant: 'identity.grants.put',
      deleteGrant: 'identity.grants.delete',
      transferOwnership: 'identity.ownership.transfer',
      createApiKey: 'identity.api-keys.create',
      listApiKeys: 'identity.api-keys.list',
      rotateApiKey: 'identity.api-keys.rotate',
      revokeApiKey: 'identity.api-keys.revoke',
      rotateSigningKey: 'identity.signing-keys.rotate',
      securitySuspendUser: 'identity.security.suspend-user',
      securityRevokeApiKey: 'identity.security.revoke-api-key',
    });
  });

  it('are distinct and namespaced, so no two handlers share a pattern', () => {
    const patterns = Object.values(IDENTITY_PATTERNS);
    expect(new Set(patterns).size).toBe(patterns.length);
    for (const pattern of patterns) expect(pattern).toMatch(/^identity\.[a-z-]+(\.[a-z-]+)?$/);
  });
});
