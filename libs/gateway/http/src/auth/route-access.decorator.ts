import { SetMetadata } from '@nestjs/common';

/**
 * How a route is authenticated. Every route MUST declare one (deny by default): the gateway
 * refuses to start when a route has none (see assertEveryRouteDeclaresAccess).
 * - public:    anybody (login, health, JWKS, docs);
 * - bootstrap: the operator's bootstrap token (tenant sign-up);
 * - user:      a valid access token; `module`/`access` name what the route needs.
 */
export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'bootstrap' }
  | { kind: 'user'; module?: string; access?: 'read' | 'write' | 'manage' };

export const ROUTE_ACCESS = 'custodian:route-access';

export const Public = () => SetMetadata(ROUTE_ACCESS, { kind: 'public' } satisfies RouteAccess);
export const BootstrapToken = () => SetMetadata(ROUTE_ACCESS, { kind: 'bootstrap' } satisfies RouteAccess);
export const Authenticated = (module?: string, access?: 'read' | 'write' | 'manage') =>
  SetMetadata(ROUTE_ACCESS, { kind: 'user', module, access } satisfies RouteAccess);
