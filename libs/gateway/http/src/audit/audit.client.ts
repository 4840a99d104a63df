import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { AuditMessages } from '@custodian/audit/contracts';
import { ServiceClient } from '@custodian/platform';
import { GatewayConfig } from '../gateway.config';

export const AUDIT_TRANSPORT = Symbol('AUDIT_TRANSPORT');

/** The audit service (activity log, ledger, security monitor, incidents). */
@Injectable()
export class AuditClient extends ServiceClient<AuditMessages> implements OnModuleDestroy {
  constructor(@Inject(AUDIT_TRANSPORT) transport: ClientProxy, config: GatewayConfig) {
    super('audit', transport, config.serviceTimeoutMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}
