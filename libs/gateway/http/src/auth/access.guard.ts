import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { accessIncludes, grantOn, type Principal } from '@custodian/identity/contracts';
import { ForbiddenError, UnauthorizedError } from '@custodian/kernel';
import { ROUTE_ACCESS, type RouteAccess } from './route-access.decorator';
import type { CustodianRequest } from './caller';
import { AccessTokenVerifier } from './access-token.verifier';
import { PrincipalCache } from './principal-cache';
import { GatewayConfig } from '../gateway.config';
import { BlocklistCache } from '../security/blocklist-cache';

/**
 * The global guard, deny by default: a route without a declaration is refused (and the app
 * does not even start with one — see undeclaredRoutes). Credentials are checked here, once:
 * `Authorization: Bearer <access token>` (a user's session) or `Authorization: ApiKey <secret>`.
 * - no or bad credentials, a revoked session, a disabled user, a dead key: 401;
 * - a valid caller without the route's module access (or an API key on a users-only route): 403;
 * - a valid caller from an address its tenant blocked: 403 `ip_blocked` (before anything else).
 * Object-level scope (tenant, locations) is the service's: outside it is 404, never 403.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly bootstrapDigest: Buffer;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenVerifier,
    private readonly principals: PrincipalCache,
    private readonly blocklist: BlocklistCache,
    config: GatewayConfig,
  ) {
    this.bootstrapDigest = sha256(config.bootstrapToken);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (!access) throw new UnauthorizedError('This route declares no access rule', 'route_undeclared');
    const req = context.switchToHttp().getRequest<CustodianRequest>();
    req.operation = `${context.getClass().name}.${context.getHandler().name}`;
    switch (access.kind) {
      case 'public':
        return true;
      case 'bootstrap': {
        const token = credential(req, 'bearer');
        if (!token || !timingSafeEqual(sha256(token), this.bootstrapDigest)) throw new UnauthorizedError('A valid bootstrap token is required', 'invalid_bootstrap_token');
        req.bootstrap = true;
        return true;
      }
      case 'session': {
        const principal = await this.authenticate(req);
        this.blocklist.assertAllowed(principal.tenantId, req.ip);
        if (principal.kind !== 'user') throw new ForbiddenError('This route is for signed-in users, not API keys', 'users_only');
        return true;
      }
      case 'module': {
        const principal = await this.authenticate(req);
        this.blocklist.assertAllowed(principal.tenantId, req.ip);
        if (access.usersOnly && principal.kind !== 'user') throw new ForbiddenError('This route is for signed-in users, not API keys', 'users_only');
        const held = grantOn(principal.grants, access.module);
        if (!held || !accessIncludes(held.access, access.access)) {
          throw new ForbiddenError(`${access.module}:${access.access} is required`, 'insufficient_access');
        }
        return true;
      }
      default: {
        const never: never = access;
        throw new UnauthorizedError(`Unknown access rule ${JSON.stringify(never)}`);
      }
    }
  }

  private async authenticate(req: CustodianRequest): Promise<Principal> {
    const apiKey = credential(req, 'apikey');
    let principal: Principal;
    if (apiKey) {
      principal = await this.principals.apiKey(apiKey);
    } else {
      const token = credential(req, 'bearer');
      if (!token) throw new UnauthorizedError('An access token or API key is required', 'missing_token');
      const claims = await this.tokens.verify(token);
      principal = await this.principals.session(claims.tenantId, claims.userId, claims.sessionId);
      if (principal.tenantId !== claims.tenantId || principal.userId !== claims.userId) throw new UnauthorizedError('The access token is invalid or expired', 'invalid_token');
    }
    req.caller = { userId: principal.userId, tenantId: principal.tenantId, principal };
    return principal;
  }
}

function credential(req: CustodianRequest, scheme: 'bearer' | 'apikey'): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^(Bearer|ApiKey)\s+(\S+)$/i.exec(h.trim());
  return m && m[1].toLowerCase() === scheme ? m[2] : undefined;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
