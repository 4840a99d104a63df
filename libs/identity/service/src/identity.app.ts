import type { LoggerService } from '@nestjs/common';
import { startTcpMicroservice, type RunningMicroservice } from '@custodian/platform';
import type { IdentityConfig } from './identity.config';
import { IdentityMessageController } from './identity.message.controller';
import { IdentityService } from './identity.service';

/** The identity microservice, listening on TCP, with its projection running. */
export function startIdentityService(config: IdentityConfig, logger: LoggerService): Promise<RunningMicroservice<IdentityService>> {
  return startTcpMicroservice({ service: new IdentityService(config, logger), token: IdentityService, controllers: [IdentityMessageController], host: config.host, port: config.port, logger });
}
