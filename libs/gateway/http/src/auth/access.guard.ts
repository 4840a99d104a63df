import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '@custodian/kernel';
import { ROUTE_ACCESS, type RouteAccess } from './route-access.decorator';
import type { CustodianRequest } from './caller';
import { AccessTokenVerifier } from './access-token.verifier';
import { GatewayConfig } from '../gateway.config';

/**
 * The global guard: a route without a declaration is refused (and the app does not even start
 * with one — see assertEveryRouteDeclaresAccess). Credentials are checked here, once.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly bootstrapDigest: Buffer;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenVerifier,
    config: GatewayConfig,
  ) {
    this.bootstrapDigest = sha256(config.bootstrapToken);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (!access) throw new UnauthorizedError('This route declares no access rule', 'route_undeclared');
    const req = context.switchToHttp().getRequest<CustodianRequest>();
    switch (access.kind) {
      case 'public':
        return true;
      case 'bootstrap': {
        const token = bearer(req);
        if (!token || !timingSafeEqual(sha256(token), this.bootstrapDigest)) throw new UnauthorizedError('A valid bootstrap token is required', 'invalid_bootstrap_token');
        return true;
      }
      case 'user': {
        const token = bearer(req);
        if (!token) throw new UnauthorizedError('An access token is required', 'missing_token');
        req.caller = await this.tokens.verify(token);
        return true;
      }
      default: {
        const never: never = access;
        throw new UnauthorizedError(`Unknown access rule ${JSON.stringify(never)}`);
      }
    }
  }
}

function bearer(req: CustodianRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
  return m?.[1];
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
