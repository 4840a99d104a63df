import { Module, type DynamicModule, type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { IdentityConfig } from './identity.config';
import { IdentityMessageController } from './identity.message.controller';
import { IdentityService, LOGGER } from './identity.service';

@Module({})
class IdentityModule {
  static with(service: IdentityService, logger: LoggerService): DynamicModule {
    return {
      module: IdentityModule,
      controllers: [IdentityMessageController],
      providers: [
        { provide: IdentityService, useValue: service },
        { provide: LOGGER, useValue: logger },
      ],
    };
  }
}

/** The identity microservice, listening on TCP, with its projection running. */
export async function startIdentityService(config: IdentityConfig, logger: LoggerService): Promise<{ app: INestMicroservice; service: IdentityService; close: () => Promise<void> }> {
  const service = new IdentityService(config, logger);
  try {
    await service.start();
  } catch (error) {
    await service.close().catch(() => undefined);
    throw error;
  }
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(IdentityModule.with(service, logger), {
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
