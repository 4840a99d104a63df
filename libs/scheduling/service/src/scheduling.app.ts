import type { LoggerService } from '@nestjs/common';
import { startTcpMicroservice, type RunningMicroservice } from '@custodian/platform';
import type { SchedulingConfig } from './scheduling.config';
import { SchedulingMessageController } from './scheduling.message.controller';
import { SchedulingService } from './scheduling.service';

/** The scheduling microservice, listening on TCP, with its projection running. */
export function startSchedulingService(config: SchedulingConfig, logger: LoggerService): Promise<RunningMicroservice<SchedulingService>> {
  return startTcpMicroservice({ service: new SchedulingService(config, logger), token: SchedulingService, controllers: [SchedulingMessageController], host: config.host, port: config.port, logger });
}
