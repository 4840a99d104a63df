import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ROUTE_ACCESS, type RouteAccess } from './route-access.decorator';

/** One HTTP route of the app as declared on its controller. `access` is undefined when undeclared. */
export interface DeclaredRoute {
  method: string;
  /** Full path with Nest parameters, e.g. `/v1/users/:id`. */
  path: string;
  handler: string;
  access: RouteAccess | undefined;
}

/**
 * Every route of the app, enumerated from its controllers (never a hand-kept list): what the
 * start-up check and the authorization matrix test walk.
 */
export function routesOf(app: INestApplication): DeclaredRoute[] {
  const discovery = app.get(DiscoveryService);
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const routes: DeclaredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance) continue;
    const proto = Object.getPrototypeOf(instance) as object;
    const base = String(Reflect.getMetadata(PATH_METADATA, wrapper.metatype as object) ?? '');
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = (proto as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      const sub: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (sub === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const path = `/${[base, String(sub)].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
      const access = reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [handler, wrapper.metatype as () => unknown]);
      routes.push({ method, path, handler: `${wrapper.name}.${name}`, access });
    }
  }
  return routes;
}

/**
 * Deny by default, checked before the gateway listens: every controller method that is a
 * route must declare its access (@Public, @BootstrapToken, @Authenticated or @Requires).
 * Returns the offending routes; the app refuses to start when there is any.
 */
export function undeclaredRoutes(app: INestApplication): string[] {
  return routesOf(app)
    .filter((r) => !r.access)
    .map((r) => r.handler);
}
