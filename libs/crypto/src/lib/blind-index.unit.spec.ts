import { randomBytes } from 'node:crypto';
import { ValidationError } from '@custodian/kernel';
import { blindIndex, normalizeEmail } from './blind-index';

describe('blindIndex', () => {
  const masterKey = randomBytes(32);

  it('matches the documented construction (known answer, computed independently with Python hmac)', () => {
    const fixedKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(blindIndex(fixedKey, 'user-email', 'tenant-1', 'alice@example.com')).toBe(
      '5416529148ca2fb04c05d75172fc7407a7d75c8a5ec7f72f3ad2d29ef6e4720f',
    );
  });

  it('is deterministic: same key, purpose, tenant and value give the same lowercase hex', () => {
    const a = blindIndex(masterKey, 'user-email', 't1', 'alice@example.com');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(Buffer.from(masterKey), 'user-email', 't1', 'alice@example.com')).toBe(a);
  });

  it('separates tenants, purposes, values and master keys', () => {
    const base = blindIndex(masterKey, 'user-email', 't1', 'alice@example.com');
    expect(blindIndex(masterKey, 'user-email', 't2', 'alice@example.com')).not.toBe(base);
    expect(blindIndex(masterKey, 'user-phone', 't1', 'alice@example.com')).not.toBe(base);
    expect(blindIndex(masterKey, 'user-email', 't1', 'bob@example.com')).not.toBe(base);
    expect(blindIndex(randomBytes(32), 'user-email', 't1', 'alice@example.com')).not.toBe(base);
  });

  it('keeps the tenant/value boundary unambiguous', () => {
    expect(blindIndex(masterKey, 'p', 'ab', 'c')).not.toBe(blindIndex(masterKey, 'p', 'a', 'bc'));
  });

  it('rejects a bad master key, empty purpose and empty or NUL-bearing tenant', () => {
    expect(() => blindIndex(randomBytes(16), 'p', 't', 'v')).toThrow(ValidationError);
    expect(() => blindIndex(masterKey, '', 't', 'v')).toThrow(ValidationError);
    expect(() => blindIndex(masterKey, 'p', '', 'v')).toThrow(ValidationError);
    expect(() => blindIndex(masterKey, 'p', 't\0x', 'v')).toThrow(ValidationError);
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases, so variants index alike', () => {
    expect(normalizeEmail('  Alice@Example.COM \n')).toBe('alice@example.com');
    const k = randomBytes(32);
    expect(blindIndex(k, 'e', 't', normalizeEmail(' ALICE@example.com'))).toBe(blindIndex(k, 'e', 't', normalizeEmail('alice@EXAMPLE.com ')));
  });
});
