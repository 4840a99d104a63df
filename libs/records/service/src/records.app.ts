import { Module, type DynamicModule, type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { RecordsConfig } from './records.config';
import { RecordsMessageController } from './records.message.controller';
import { RECORDS_LOGGER, RecordsService } from './records.service';

@Module({})
class RecordsModule {
  static with(service: RecordsService, logger: LoggerService): DynamicModule {
    return {
      module: RecordsModule,
      controllers: [RecordsMessageController],
      providers: [
        { provide: RecordsService, useValue: service },
        { provide: RECORDS_LOGGER, useValue: logger },
      ],
    };
  }
}

/** The records microservice, listening on TCP, with its projection running. */
export async function startRecordsService(config: RecordsConfig, logger: LoggerService): Promise<{ app: INestMicroservice; service: RecordsService; close: () => Promise<void> }> {
  const service = new RecordsService(config, logger);
  try {
    await service.start();
  } catch (error) {
    await service.close().catch(() => undefined);
    throw error;
  }
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(RecordsModule.with(service, logger), {
    transport: Transport.TCP,
    options: { host: config.host, port: config.port },
    logger,
  });
  await app.listen();
  return {
    app,
    service,
    close: async () => {
      await app.close();
      await service.close();
    },
  };
}
