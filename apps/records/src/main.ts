import 'reflect-metadata';
import { busConfigFields, busConfigFrom, startServiceRelay } from '@custodian/messaging';
import { parseMasterKey } from '@custodian/crypto';
import { bool, createLogger, defineConfig, loadConfig, NestJsonLogger, oneOf, port, runMain, secret, startTelemetry, string, url } from '@custodian/platform';
import { RecordsConfig, startRecordsService } from '@custodian/records/service';

/** Environment of the records process (the launcher sets it; see README "Configuration"). */
const schema = defineConfig({
  DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'] }),
  CUSTODIAN_MASTER_KEY: secret({ minLength: 43 }),
  RECORDS_HOST: string({ default: '127.0.0.1' }),
  RECORDS_PORT: port({ default: 4003 }),
  /** Where record streams live; eventstoredb needs EVENTSTORE_URL. */
  RECORDS_EVENT_STORE: oneOf(['postgres', 'eventstoredb'], { default: 'postgres' }),
  EVENTSTORE_URL: string({ optional: true }),
  /** KAFKA_BROKERS set: this service's events are relayed to Kafka (docs/messaging.md). */
  ...busConfigFields,
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], { default: 'info' }),
  OTEL_CONSOLE_EXPORTER: bool({ default: false }),
});

runMain(async () => {
  const env = loadConfig(schema, process.env);
  const masterKey = parseMasterKey(env.CUSTODIAN_MASTER_KEY);
  const telemetry = startTelemetry({ serviceName: 'custodian-records', console: env.OTEL_CONSOLE_EXPORTER });
  const log = createLogger({ service: 'records', level: env.LOG_LEVEL });
  const config = new RecordsConfig(env.DATABASE_URL, masterKey, env.RECORDS_HOST, env.RECORDS_PORT, env.RECORDS_EVENT_STORE, env.EVENTSTORE_URL);
  const running = await startRecordsService(config, new NestJsonLogger(log));
  log.info({ host: config.host, port: config.port }, 'records service listening');
  const relay = await startServiceRelay({ context: 'records', store: running.service.recordsStore, databaseUrl: env.DATABASE_URL, bus: busConfigFrom(env), logger: log });
  return async () => {
    await relay?.stop();
    await running.close();
    await telemetry.shutdown();
  };
});
