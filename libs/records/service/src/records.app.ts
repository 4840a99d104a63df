import type { LoggerService } from '@nestjs/common';
import { startTcpMicroservice, type RunningMicroservice } from '@custodian/platform';
import type { RecordsConfig } from './records.config';
import { RecordsMessageController } from './records.message.controller';
import { RecordsService } from './records.service';

/** The records microservice, listening on TCP, with its projection running. */
export function startRecordsService(config: RecordsConfig, logger: LoggerService): Promise<RunningMicroservice<RecordsService>> {
  return startTcpMicroservice({ service: new RecordsService(config, logger), token: RecordsService, controllers: [RecordsMessageController], host: config.host, port: config.port, logger });
}
