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
