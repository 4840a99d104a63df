import 'reflect-metadata';
import { busConfigFields, busConfigFrom, startServiceRelay } from '@custodian/messaging';
import { parseMasterKey } from '@custodian/crypto';
import { bool, createLogger, defineConfig, loadConfig, NestJsonLogger, oneOf, port, runMain, secret, startTelemetry, string, url } from '@custodian/platform';
import { SchedulingConfig, startSchedulingService } from '@custodian/scheduling/service';

/** Environment of the scheduling process (the launcher sets it; see README "Configuration"). */
const schema = defineConfig({
  DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'] }),
  CUSTODIAN_MASTER_KEY: secret({ minLength: 43 }),
  SCHEDULING_HOST: string({ default: '127.0.0.1' }),
  SCHEDULING_PORT: port({ default: 4002 }),
  /** KAFKA_BROKERS set: this service's events are relayed to Kafka (docs/messaging.md). */
  ...busConfigFields,
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], { default: 'info' }),
  OTEL_CONSOLE_EXPORTER: bool({ default: false }),
});

runMain(async () => {
  const env = loadConfig(schema, process.env);
  const masterKey = parseMasterKey(env.CUSTODIAN_MASTER_KEY);
  const telemetry = startTelemetry({ serviceName: 'custodian-scheduling', console: env.OTEL_CONSOLE_EXPORTER });
  const log = createLogger({ service: 'scheduling', level: env.LOG_LEVEL });
  const config = new SchedulingConfig(env.DATABASE_URL, masterKey, env.SCHEDULING_HOST, env.SCHEDULING_PORT);
  const running = await startSchedulingService(config, new NestJsonLogger(log));
  log.info({ host: config.host, port: config.port }, 'scheduling service listening');
  const relay = await startServiceRelay({ context: 'scheduling', store: running.service.store, databaseUrl: env.DATABASE_URL, bus: busConfigFrom(env), logger: log });
  return async () => {
    await relay?.stop();
    await running.close();
    await telemetry.shutdown();
  };
});
