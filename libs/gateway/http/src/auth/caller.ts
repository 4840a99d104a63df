import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '@custodian/identity/contracts';

/** The authenticated caller of a request, set by the AccessGuard: a user's session or an API key. */
export interface Caller {
  userId: string;
  tenantId: string;
  principal: Principal;
}

export interface CustodianRequest extends FastifyRequest {
  caller?: Caller;
  /** Set by the AccessGuard when the bootstrap token was presented and accepted. */
  bootstrap?: boolean;
  /** "<Controller>.<handler>" of the matched route (set by the AccessGuard), for the activity log. */
  operation?: string;
  /** The error code of the reply, when it is an error (set by the ErrorFilter). */
  errorCode?: string;
}

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<CustodianRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without authentication');
  return caller;
});

/** Client address and agent, for event metadata and the activity log. */
export function clientOf(req: FastifyRequest): { ip: string; userAgent?: string } {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : undefined };
}
