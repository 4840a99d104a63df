import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { SchedulingMessages } from '@custodian/scheduling/contracts';
import { GatewayConfig } from '../gateway.config';
import { ServiceClient } from '@custodian/platform';

export const SCHEDULING_TRANSPORT = Symbol('SCHEDULING_TRANSPORT');

/** The scheduling service (locations, checklists, shifts). */
@Injectable()
export class SchedulingClient extends ServiceClient<SchedulingMessages> implements OnModuleDestroy {
  constructor(@Inject(SCHEDULING_TRANSPORT) transport: ClientProxy, config: GatewayConfig) {
    super('scheduling', transport, config.serviceTimeoutMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}
