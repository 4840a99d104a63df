import { createHash } from 'node:crypto';
import { normalizeTenantName, tenantNameKey } from './tenant-name';

describe('normalizeTenantName', () => {
  it('trims, collapses whitespace and lower-cases', () => {
    expect(normalizeTenantName('  Acme   Hospital\tCleaning \n')).toBe('acme hospital cleaning');
  });

  it('folds compatibility forms (NFKC): full-width letters, NBSP, ligatures', () => {
    expect(normalizeTenantName('ＡＣＭＥ\u00a0Cleaning')).toBe('acme cleaning');
    expect(normalizeTenantName('Oﬃce Care')).toBe('office care');
  });

  it('treats composed and decomposed accents as the same name', () => {
    expect(normalizeTenantName('Caf\u00e9 Clean')).toBe(normalizeTenantName('Cafe\u0301 Clean'));
  });

  it('is idempotent', () => {
    for (const name of ['  Ａcme  Ｃo ', 'İstanbul Temizlik', 'Café\u3000Net']) {
      const once = normalizeTenantName(name);
      expect(normalizeTenantName(once)).toBe(once);
    }
  });
});

describe('tenantNameKey', () => {
  it('is the hex SHA-256 of the normalised name', () => {
    expect(tenantNameKey(' Acme  Cleaning ')).toBe(createHash('sha256').update('acme cleaning', 'utf8').digest('hex'));
    expect(tenantNameKey('x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives names that differ only in form the same key, and different names different keys', () => {
    expect(tenantNameKey('ACME Cleaning')).toBe(tenantNameKey('acme\u00a0cleaning'));
    expect(tenantNameKey('Acme Cleaning')).not.toBe(tenantNameKey('Acme Cleaners'));
  });
});
