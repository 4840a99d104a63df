import { publicPayloadOf, type PrivateFields } from './public-payload';

describe('publicPayloadOf', () => {
  const rules: PrivateFields = { 'identity.LoginFailed': ['ip', 'userAgent'] };

  it("removes exactly the type's private fields and leaves the stored data untouched", () => {
    const data = { tenantId: 't', userId: 'u', ip: '203.0.113.7', userAgent: 'curl/8', reason: 'bad_password' };
    expect(publicPayloadOf(rules, 'identity.LoginFailed', data)).toEqual({ tenantId: 't', userId: 'u', reason: 'bad_password' });
    expect(data.ip).toBe('203.0.113.7');
  });

  it('passes other types through as they are', () => {
    const data = { ip: '203.0.113.7' };
    expect(publicPayloadOf(rules, 'records.TaskCompleted', data)).toBe(data);
  });
});
