import { SetMetadata } from '@nestjs/common';
import type { AccessLevel, Module } from '@custodian/identity/contracts';

/**
 * How a route is authenticated and authorized. Every route MUST declare one (deny by default):
 * the gateway refuses to start when a route has none (see undeclaredRoutes).
 * - public:    anybody (login, token refresh, health, JWKS);
 * - bootstrap: the operator's bootstrap token (tenant sign-up, signing-key rotation);
 * - session:   any signed-in user, whatever their grants (their own profile);
 * - module:    a user or API key holding `access` (or more) on `module`, at some location;
 *              `usersOnly` refuses API keys. Which objects the caller then sees is the
 *              service's job (location scope, tenant): outside them is 404, never 403.
 */
export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'bootstrap' }
  | { kind: 'session' }
  | { kind: 'module'; module: Module; access: AccessLevel; usersOnly: boolean };

export const ROUTE_ACCESS = 'custodian:route-access';

export const Public = () => SetMetadata(ROUTE_ACCESS, { kind: 'public' } satisfies RouteAccess);
export const BootstrapToken = () => SetMetadata(ROUTE_ACCESS, { kind: 'bootstrap' } satisfies RouteAccess);
export const Authenticated = () => SetMetadata(ROUTE_ACCESS, { kind: 'session' } satisfies RouteAccess);
export const Requires = (module: Module, access: AccessLevel, options: { usersOnly?: boolean } = {}) =>
  SetMetadata(ROUTE_ACCESS, { kind: 'module', module, access, usersOnly: options.usersOnly ?? false } satisfies RouteAccess);
