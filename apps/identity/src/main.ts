import 'reflect-metadata';
import { IDENTITY_PRIVATE_FIELDS } from '@custodian/identity/contracts';
import { busConfigFields, busConfigFrom, startServiceRelay } from '@custodian/messaging';
import { parseMasterKey } from '@custodian/crypto';
import { bool, createLogger, defineConfig, int, loadConfig, NestJsonLogger, oneOf, port, runMain, secret, startTelemetry, string, url } from '@custodian/platform';
import { IdentityConfig, startIdentityService } from '@custodian/identity/service';

/** Environment of the identity process (the launcher sets it; see README "Configuration"). */
const schema = defineConfig({
  DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'] }),
  CUSTODIAN_MASTER_KEY: secret({ minLength: 43 }),
  IDENTITY_HOST: string({ default: '127.0.0.1' }),
  IDENTITY_PORT: port({ default: 4001 }),
  ACCESS_TOKEN_TTL_SECONDS: int({ min: 60, max: 86_400, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: int({ min: 300, max: 90 * 86_400, default: 14 * 86_400 }),
  /** Lockout: this many failed logins within LOGIN_FAILURE_WINDOW_SECONDS lock the account for LOGIN_LOCK_SECONDS. */
  LOGIN_MAX_FAILURES: int({ min: 1, max: 100, default: 5 }),
  LOGIN_FAILURE_WINDOW_SECONDS: int({ min: 1, max: 86_400, default: 900 }),
  LOGIN_LOCK_SECONDS: int({ min: 1, max: 86_400, default: 900 }),
  INVITE_TTL_SECONDS: int({ min: 300, max: 90 * 86_400, default: 7 * 86_400 }),
  /** KAFKA_BROKERS set: this service's events are relayed to Kafka (docs/messaging.md). */
  ...busConfigFields,
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], { default: 'info' }),
  OTEL_CONSOLE_EXPORTER: bool({ default: false }),
});

runMain(async () => {
  const env = loadConfig(schema, process.env);
  const masterKey = parseMasterKey(env.CUSTODIAN_MASTER_KEY);
  const telemetry = startTelemetry({ serviceName: 'custodian-identity', console: env.OTEL_CONSOLE_EXPORTER });
  const log = createLogger({ service: 'identity', level: env.LOG_LEVEL });
  const config = new IdentityConfig(env.DATABASE_URL, masterKey, env.IDENTITY_HOST, env.IDENTITY_PORT, env.ACCESS_TOKEN_TTL_SECONDS, env.REFRESH_TOKEN_TTL_SECONDS, {
    maxFailures: env.LOGIN_MAX_FAILURES,
    windowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
    lockSeconds: env.LOGIN_LOCK_SECONDS,
  }, env.INVITE_TTL_SECONDS);
  const running = await startIdentityService(config, new NestJsonLogger(log));
  log.info({ host: config.host, port: config.port }, 'identity service listening');
  const relay = await startServiceRelay({ context: 'identity', privateFields: IDENTITY_PRIVATE_FIELDS, store: running.service.store, databaseUrl: env.DATABASE_URL, bus: busConfigFrom(env), logger: log });
  return async () => {
    await relay?.stop();
    await running.close();
    await telemetry.shutdown();
  };
});
