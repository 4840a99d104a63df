/** Modules a grant can name (DESIGN.md "Security model"). Order is stable: listings follow it. */
export const MODULES = ['users', 'scheduling', 'records', 'audit', 'security', 'exports'] as const;
export type Module = (typeof MODULES)[number];

/** Access levels, weakest first: manage ⊇ write ⊇ read. */
export const ACCESS_LEVELS = ['read', 'write', 'manage'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** Where a grant applies: every location of the tenant, or the listed location ids only. */
export type LocationScope = 'all' | string[];

/** One module grant as published (ModuleAccessGranted) and as served (MeResponse). */
export type ModuleGrant = {
  module: Module;
  access: AccessLevel;
  locations: LocationScope;
};

export function isModule(value: unknown): value is Module {
  return typeof value === 'string' && (MODULES as readonly string[]).includes(value);
}

export function isAccessLevel(value: unknown): value is AccessLevel {
  return typeof value === 'string' && (ACCESS_LEVELS as readonly string[]).includes(value);
}

/** True when holding `held` is enough for an action that requires `required`. */
export function accessIncludes(held: AccessLevel, required: AccessLevel): boolean {
  return ACCESS_LEVELS.indexOf(held) >= ACCESS_LEVELS.indexOf(required);
}

/** True when `held` covers every location of `wanted` ('all' covers everything; only 'all' covers 'all'). */
export function scopeCovers(held: LocationScope, wanted: LocationScope): boolean {
  if (held === 'all') return true;
  if (wanted === 'all') return false;
  const have = new Set(held);
  return wanted.every((id) => have.has(id));
}

/** True when holding `held` on a module is enough to hand out `wanted` on it (level and places). */
export function grantCovers(held: Pick<ModuleGrant, 'access' | 'locations'> | undefined, wanted: Pick<ModuleGrant, 'access' | 'locations'>): boolean {
  return held !== undefined && accessIncludes(held.access, wanted.access) && scopeCovers(held.locations, wanted.locations);
}

/**
 * The locations a user's grants reach, as one scope: 'all' when any grant is tenant-wide,
 * else the union of the listed ids ([] for a user with no location-bound grant).
 * A user is "inside" an admin's `users` scope when that scope covers this.
 */
export function reachOf(grants: ReadonlyArray<Pick<ModuleGrant, 'locations'>>): LocationScope {
  const ids = new Set<string>();
  for (const g of grants) {
    if (g.locations === 'all') return 'all';
    for (const id of g.locations) ids.add(id);
  }
  return [...ids].sort();
}

/** The grant a principal holds on `module`, if any. */
export function grantOn<G extends Pick<ModuleGrant, 'module'>>(grants: readonly G[], module: Module): G | undefined {
  return grants.find((g) => g.module === module);
}

/** What holding both grants allows: the weaker level on the common locations; undefined when they share none. */
export function intersectGrant<G extends Pick<ModuleGrant, 'module' | 'access' | 'locations'>>(a: G, b: Pick<ModuleGrant, 'access' | 'locations'> | undefined): ModuleGrant | undefined {
  if (!b) return undefined;
  const access = accessIncludes(a.access, b.access) ? b.access : a.access;
  let locations: LocationScope;
  if (a.locations === 'all') locations = b.locations === 'all' ? 'all' : [...b.locations];
  else if (b.locations === 'all') locations = [...a.locations];
  else {
    const other = new Set(b.locations);
    locations = a.locations.filter((id) => other.has(id));
    if (locations.length === 0) return undefined;
  }
  return { module: a.module, access, locations };
}
