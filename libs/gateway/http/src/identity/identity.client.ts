import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { fromWireError, InfrastructureError } from '@custodian/kernel';
import type { IdentityMessages, IdentityPattern, RequestMeta, ServiceReply, ServiceRequest } from '@custodian/identity/contracts';
import { injectTraceparent } from '@custodian/platform';
import { GatewayConfig } from '../gateway.config';

export const IDENTITY_TRANSPORT = Symbol('IDENTITY_TRANSPORT');

/**
 * Typed request/reply to the identity service over Nest TCP. Replies carry errors as values;
 * they are rebuilt here into kernel errors. A timeout or lost connection is a retriable
 * InfrastructureError (503) — the command may or may not have run, which is why clients send
 * an Idempotency-Key.
 */
@Injectable()
export class IdentityClient implements OnModuleDestroy {
  constructor(
    @Inject(IDENTITY_TRANSPORT) private readonly transport: ClientProxy,
    private readonly config: GatewayConfig,
  ) {}

  async send<P extends IdentityPattern>(pattern: P, body: IdentityMessages[P]['request'], meta: RequestMeta): Promise<IdentityMessages[P]['response']> {
    const request: ServiceRequest<IdentityMessages[P]['request']> = { meta: { ...meta, traceparent: injectTraceparent() ?? meta.traceparent }, body };
    let reply: ServiceReply<IdentityMessages[P]['response']>;
    try {
      reply = await firstValueFrom(this.transport.send<ServiceReply<IdentityMessages[P]['response']>>(pattern, request).pipe(timeout(this.config.serviceTimeoutMs)));
    } catch (error) {
      throw new InfrastructureError(`identity service unavailable (${pattern}): ${error instanceof Error ? error.message : String(error)}`, true, 'service_unavailable', error);
    }
    if (!reply || typeof reply !== 'object' || !('ok' in reply)) throw new InfrastructureError(`identity service sent a malformed reply to ${pattern}`, false);
    if (!reply.ok) throw fromWireError(reply.error);
    return reply.value;
  }

  async onModuleDestroy(): Promise<void> {
    await this.transport.close();
  }
}
