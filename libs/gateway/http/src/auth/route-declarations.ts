import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ROUTE_ACCESS } from './route-access.decorator';

/**
 * Deny by default, checked before the gateway listens: every controller method that is a
 * route must declare its access (@Public, @BootstrapToken or @Authenticated). Returns the
 * offending routes; main refuses to start when there is any.
 */
export function undeclaredRoutes(app: INestApplication): string[] {
  const discovery = app.get(DiscoveryService);
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const missing: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance) continue;
    const proto = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = (proto as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const access: unknown = reflector.getAllAndOverride<unknown>(ROUTE_ACCESS, [handler, wrapper.metatype as () => unknown]);
      if (!access) missing.push(`${wrapper.name}.${name}`);
    }
  }
  return missing;
}
