import { Inject, Injectable } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { WebhookMessages } from '@custodian/audit/contracts';
import { ServiceClient } from '@custodian/platform';
import { AUDIT_TRANSPORT } from '../audit/audit.client';
import { GatewayConfig } from '../gateway.config';

/** Webhooks, served by the audit service over its transport (which AuditClient closes). */
@Injectable()
export class WebhooksClient extends ServiceClient<WebhookMessages> {
  constructor(@Inject(AUDIT_TRANSPORT) transport: ClientProxy, config: GatewayConfig) {
    super('audit', transport, config.serviceTimeoutMs);
  }
}
