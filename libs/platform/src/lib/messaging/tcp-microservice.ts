import { Module, type DynamicModule, type INestMicroservice, type LoggerService, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';

/** What a service's wiring object does: apply its schema and start its projections; release everything. */
export interface ServiceLifecycle {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Injection token of the logger handed to a service's message controllers. */
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

@Module({})
class TcpServiceModule {}

export interface RunningMicroservice<S> {
  app: INestMicroservice;
  service: S;
  close: () => Promise<void>;
}

/**
 * Starts a service (migrations, projections) and then its Nest TCP listener with the given
 * message controllers; the controllers get the service under `token` and the logger under
 * SERVICE_LOGGER. The listener opens only after `service.start()` succeeded (so "accepts
 * connections" means started); a failed start releases what it had opened.
 */
export async function startTcpMicroservice<S extends ServiceLifecycle>(options: {
  service: S;
  token: Type<S>;
  controllers: Type[];
  host: string;
  port: number;
  logger: LoggerService;
}): Promise<RunningMicroservice<S>> {
  const { service, logger } = options;
  try {
    await service.start();
  } catch (error) {
    await service.close().catch(() => undefined);
    throw error;
  }
  const module: DynamicModule = {
    module: TcpServiceModule,
    controllers: options.controllers,
    providers: [
      { provide: options.token, useValue: service },
      { provide: SERVICE_LOGGER, useValue: logger },
    ],
  };
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, { transport: Transport.TCP, options: { host: options.host, port: options.port }, logger });
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
