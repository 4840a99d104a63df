import { IDENTITY_PATTERNS } from './identity.messages';

describe('IDENTITY_PATTERNS', () => {
  it('are the stable message patterns the gateway sends to', () => {
    expect(IDENTITY_PATTERNS).toEqual({
      createTenant: 'identity.create-tenant',
      login: 'identity.login',
      me: 'identity.me',
      jwks: 'identity.jwks',
      health: 'identity.health',
    });
  });
});
