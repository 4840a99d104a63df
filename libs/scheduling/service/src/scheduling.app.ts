import { Module, type DynamicModule, type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { SchedulingConfig } from './scheduling.config';
import { SchedulingMessageController } from './scheduling.message.controller';
import { SCHEDULING_LOGGER, SchedulingService } from './scheduling.service';

@Module({})
class SchedulingModule {
  static with(service: SchedulingService, logger: LoggerService): DynamicModule {
    return {
      module: SchedulingModule,
      controllers: [SchedulingMessageController],
      providers: [
        { provide: SchedulingService, useValue: service },
        { provide: SCHEDULING_LOGGER, useValue: logger },
      ],
    };
  }
}

/** The scheduling microservice, listening on TCP, with its projection running. */
export async function startSchedulingService(config: SchedulingConfig, logger: LoggerService): Promise<{ app: INestMicroservice; service: SchedulingService; close: () => Promise<void> }> {
  const service = new SchedulingService(config, logger);
  try {
    await service.start();
  } catch (error) {
    await service.close().catch(() => undefined);
    throw error;
  }
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(SchedulingModule.with(service, logger), {
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
