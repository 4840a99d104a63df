import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { RecordsMessages } from '@custodian/records/contracts';
import { GatewayConfig } from '../gateway.config';
import { ServiceClient } from '@custodian/platform';

export const RECORDS_TRANSPORT = Symbol('RECORDS_TRANSPORT');

/** The records service (cleaning records). */
@Injectable()
export class RecordsClient extends ServiceClient<RecordsMessages> implements OnModuleDestroy {
  constructor(@Inject(RECORDS_TRANSPORT) transport: ClientProxy, config: GatewayConfig) {
    super('records', transport, config.serviceTimeoutMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}
