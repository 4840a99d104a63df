import { grantCovers, grantOn, reachOf, scopeCovers, type ModuleGrant } from '@custodian/identity/contracts';
import { ForbiddenError, NotFoundError } from '@custodian/kernel';

/**
 * What the actor of an administrative command holds, as the app layer read it from the
 * actor's own stream (user) or key stream (API key) just before deciding. Deciders judge with
 * it and never with grants that arrived over the wire from a client.
 */
export type ActorAuthority = {
  /** "user:<id>" or "apikey:<id>". */
  id: string;
  /** The acting user (for an API key: its creator). */
  userId: string;
  isOwner: boolean;
  /** Effective grants, at most one per module. */
  grants: ModuleGrant[];
};

/**
 * The actor may administer a user whose grants reach `targetGrants`:
 * - NotFoundError `user_not_found` when the target lies outside the actor's `users` scope
 *   (an admin of site A cannot tell a user of site B exists);
 * - ForbiddenError `insufficient_access` when it is inside but the actor lacks `users:manage`.
 */
export function requireUserAdmin(actor: ActorAuthority, targetGrants: ReadonlyArray<Pick<ModuleGrant, 'locations'>>): void {
  const users = grantOn(actor.grants, 'users');
  if (!users || !scopeCovers(users.locations, reachOf(targetGrants))) throw new NotFoundError('User not found', 'user_not_found');
  if (users.access !== 'manage') throw new ForbiddenError('users:manage is required', 'insufficient_access');
}

/** ForbiddenError `grant_exceeds_own_access` unless the actor holds `wanted` (level and every location). */
export function requireHolds(actor: ActorAuthority, wanted: Pick<ModuleGrant, 'module' | 'access' | 'locations'>): void {
  if (!grantCovers(grantOn(actor.grants, wanted.module), wanted)) {
    throw new ForbiddenError(`Nobody can grant more than they hold: ${wanted.module}:${wanted.access} is beyond your access`, 'grant_exceeds_own_access');
  }
}
