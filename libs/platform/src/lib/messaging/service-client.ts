import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { fromWireError, InfrastructureError, type RequestMeta, type ServiceReply, type ServiceRequest } from '@custodian/kernel';
import { injectTraceparent } from '../telemetry';

/** Request and response body of each message pattern a service serves. */
export type MessageMap = Record<string, { request: unknown; response: unknown }>;

/**
 * Typed request/reply to one service over Nest TCP. Replies carry errors as values; they are
 * rebuilt here into kernel errors. A timeout or lost connection is a retriable
 * InfrastructureError (503 `service_unavailable`) — the command may or may not have run, which
 * is why clients send an Idempotency-Key.
 */
export class ServiceClient<M extends MessageMap> {
  constructor(
    private readonly service: string,
    private readonly transport: ClientProxy,
    private readonly timeoutMs: number,
  ) {}

  async send<P extends keyof M & string>(pattern: P, body: M[P]['request'], meta: RequestMeta): Promise<M[P]['response']> {
    const request: ServiceRequest<M[P]['request']> = { meta: { ...meta, traceparent: injectTraceparent() ?? meta.traceparent }, body };
    let reply: ServiceReply<M[P]['response']>;
    try {
      reply = await firstValueFrom(this.transport.send<ServiceReply<M[P]['response']>>(pattern, request).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      throw new InfrastructureError(`${this.service} service unavailable (${pattern}): ${error instanceof Error ? error.message : String(error)}`, true, 'service_unavailable', error);
    }
    if (!reply || typeof reply !== 'object' || !('ok' in reply)) throw new InfrastructureError(`${this.service} service sent a malformed reply to ${pattern}`, false);
    if (!reply.ok) throw fromWireError(reply.error);
    return reply.value;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
