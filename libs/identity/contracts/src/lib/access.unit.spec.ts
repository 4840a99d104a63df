import { ACCESS_LEVELS, MODULES, accessIncludes, isAccessLevel, isModule } from './access';

describe('accessIncludes', () => {
  it.each([
    ['read', 'read', true],
    ['read', 'write', false],
    ['read', 'manage', false],
    ['write', 'read', true],
    ['write', 'write', true],
    ['write', 'manage', false],
    ['manage', 'read', true],
    ['manage', 'write', true],
    ['manage', 'manage', true],
  ] as const)('holding %s covers %s: %s', (held, required, expected) => {
    expect(accessIncludes(held, required)).toBe(expected);
  });
});

describe('modules and access levels', () => {
  it('lists the six modules and three levels of the security model', () => {
    expect(MODULES).toEqual(['users', 'scheduling', 'records', 'audit', 'security', 'exports']);
    expect(ACCESS_LEVELS).toEqual(['read', 'write', 'manage']);
  });

  it('recognises only listed names', () => {
    expect(isModule('records')).toBe(true);
    expect(isModule('billing')).toBe(false);
    expect(isModule(undefined)).toBe(false);
    expect(isAccessLevel('manage')).toBe(true);
    expect(isAccessLevel('admin')).toBe(false);
  });
});
