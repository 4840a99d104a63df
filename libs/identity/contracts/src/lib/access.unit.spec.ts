import { ACCESS_LEVELS, MODULES, accessIncludes, grantCovers, grantOn, isAccessLevel, isModule, reachOf, scopeCovers, type ModuleGrant } from './access';

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

describe('scopeCovers', () => {
  it.each([
    ['all', 'all', true],
    ['all', ['loc-a'], true],
    [['loc-a', 'loc-b'], ['loc-a'], true],
    [['loc-a', 'loc-b'], ['loc-b', 'loc-a'], true],
    [['loc-a'], ['loc-a', 'loc-b'], false],
    [['loc-a'], ['loc-b'], false],
    [['loc-a', 'loc-b', 'loc-c'], 'all', false],
    [['loc-a'], [], true],
    [[], ['loc-a'], false],
  ] as const)('%j covers %j: %s', (held, wanted, expected) => {
    const copy = (s: typeof held | typeof wanted) => (s === 'all' ? 'all' : [...s]);
    expect(scopeCovers(copy(held), copy(wanted))).toBe(expected);
  });
});

describe('grantCovers', () => {
  const grant = (access: ModuleGrant['access'], locations: ModuleGrant['locations']) => ({ access, locations });
  const held = grant('write', ['loc-a', 'loc-b']);

  it('covers the same or a lower level on the same or fewer places', () => {
    expect(grantCovers(held, grant('write', ['loc-b', 'loc-a']))).toBe(true);
    expect(grantCovers(held, grant('read', ['loc-b']))).toBe(true);
  });

  it('needs both the level and every place', () => {
    expect(grantCovers(held, grant('manage', ['loc-a']))).toBe(false);
    expect(grantCovers(held, grant('read', ['loc-c']))).toBe(false);
    expect(grantCovers(held, grant('read', ['loc-a', 'loc-c']))).toBe(false);
    expect(grantCovers(held, grant('read', 'all'))).toBe(false);
  });

  it('covers anything with manage on all locations, and nothing without a grant', () => {
    expect(grantCovers(grant('manage', 'all'), grant('manage', 'all'))).toBe(true);
    expect(grantCovers(grant('manage', 'all'), grant('read', ['loc-z']))).toBe(true);
    expect(grantCovers(undefined, grant('read', ['loc-a']))).toBe(false);
  });
});

describe('reachOf', () => {
  it('is empty for no grants, the sorted union of places, or all when any grant is tenant-wide', () => {
    expect(reachOf([])).toEqual([]);
    expect(reachOf([{ locations: ['loc-b', 'loc-a'] }, { locations: ['loc-c', 'loc-a'] }])).toEqual(['loc-a', 'loc-b', 'loc-c']);
    expect(reachOf([{ locations: ['loc-a'] }, { locations: 'all' }, { locations: ['loc-b'] }])).toBe('all');
  });
});

describe('grantOn', () => {
  const grants: ModuleGrant[] = [
    { module: 'records', access: 'write', locations: ['loc-a'] },
    { module: 'audit', access: 'read', locations: 'all' },
  ];

  it('finds the grant on a module, or none', () => {
    expect(grantOn(grants, 'audit')).toEqual({ module: 'audit', access: 'read', locations: 'all' });
    expect(grantOn(grants, 'users')).toBeUndefined();
  });
});
