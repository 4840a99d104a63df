import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { IdentityMessages } from '@custodian/identity/contracts';
import { GatewayConfig } from '../gateway.config';
import { ServiceClient } from '@custodian/platform';

export const IDENTITY_TRANSPORT = Symbol('IDENTITY_TRANSPORT');

/** The identity service (tenants, users, grants, sessions, API keys, principals). */
@Injectable()
export class IdentityClient extends ServiceClient<IdentityMessages> implements OnModuleDestroy {
  constructor(@Inject(IDENTITY_TRANSPORT) transport: ClientProxy, config: GatewayConfig) {
    super('identity', transport, config.serviceTimeoutMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}
