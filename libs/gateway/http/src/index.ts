export * from './gateway.config';
export * from './gateway.app';
export { routesOf, type DeclaredRoute } from './auth/route-declarations';
export type { RouteAccess } from './auth/route-access.decorator';
