import { ForbiddenError, NotFoundError, UnauthorizedError, type GrantRef, type RequestMeta } from '@custodian/kernel';

type Level = 'read' | 'write' | 'manage';
const LEVELS: Level[] = ['read', 'write', 'manage'];

/**
 * The caller of a service request, as the gateway authorized it: tenant, user (for an API key:
 * `apikey:<id>`), and the grant on the service's module that scopes everything there.
 * - An object in a location outside the grant (or in another tenant) is NotFoundError — the
 *   caller cannot tell it exists. A level below what the operation needs is ForbiddenError.
 * - Tenant-wide things (creating locations, checklist templates) need the grant at 'all'.
 */
export class ModuleCaller {
  constructor(
    readonly module: string,
    readonly tenantId: string,
    readonly userId: string,
    readonly actorId: string,
    private readonly grant: GrantRef | undefined,
  ) {}

  static of(meta: RequestMeta, module: string): ModuleCaller {
    const p = meta.actor?.principal;
    if (!p) throw new UnauthorizedError('Authentication required', 'unauthorized');
    const userId = p.kind === 'user' ? p.userId : `apikey:${p.keyId}`;
    return new ModuleCaller(module, p.tenantId, userId, meta.actor?.id ?? 'anonymous', meta.actor?.grants?.find((g) => g.module === module));
  }

  /** True when the caller's grant reaches `level`. */
  holds(level: Level): boolean {
    return !!this.grant && LEVELS.indexOf(this.grant.access) >= LEVELS.indexOf(level);
  }

  /**
   * The locations the caller may see at all: 'all', a list, or none ([]). A grant may name
   * places that are no location id (identity accepts any string): they match no location here.
   */
  get locations(): 'all' | string[] {
    const scope = this.grant?.locations ?? [];
    return scope === 'all' ? 'all' : scope.flatMap((id) => uuidOrUndefined(id) ?? []);
  }

  sees(locationId: string): boolean {
    const scope = this.locations;
    return scope === 'all' || scope.includes(locationId);
  }

  /** NotFoundError unless the location is in scope; ForbiddenError unless the grant reaches `level`. */
  requireAt(locationId: string, level: Level, notFound: () => NotFoundError = () => new NotFoundError('Location not found', 'location_not_found')): void {
    if (!this.sees(locationId)) throw notFound();
    this.requireLevel(level);
  }

  /** ForbiddenError unless the grant reaches `level` on every location. */
  requireTenantWide(level: Level): void {
    this.requireLevel(level);
    if (this.locations !== 'all') throw new ForbiddenError(`${this.module}:${level} on all locations is required`, 'tenant_wide_access_required');
  }

  requireLevel(level: Level): void {
    if (!this.holds(level)) throw new ForbiddenError(`${this.module}:${level} is required`, 'insufficient_access');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A well-formed id, or undefined: a malformed id names nothing (callers answer 404). */
export function uuidOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value.toLowerCase()) ? value.toLowerCase() : undefined;
}
