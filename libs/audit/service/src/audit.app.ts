import type { LoggerService } from '@nestjs/common';
import { startTcpMicroservice, type RunningMicroservice } from '@custodian/platform';
import type { AuditConfig } from './audit.config';
import { AuditMessageController } from './audit.message.controller';
import { AuditService } from './audit.service';

/** The audit microservice, listening on TCP, with its ledger, projections and monitor running. */
export function startAuditService(config: AuditConfig, logger: LoggerService): Promise<RunningMicroservice<AuditService>> {
  return startTcpMicroservice({ service: new AuditService(config, logger), token: AuditService, controllers: [AuditMessageController], host: config.host, port: config.port, logger });
}
