import 'reflect-metadata';
import { AUDIT_PRIVATE_FIELDS } from '@custodian/audit/contracts';
import { busConfigFields, busConfigFrom, startServiceRelay } from '@custodian/messaging';
import { parseMasterKey } from '@custodian/crypto';
import { AuditConfig, startAuditService } from '@custodian/audit/service';
import { bool, createLogger, defineConfig, duration, int, loadConfig, NestJsonLogger, oneOf, port, runMain, secret, startTelemetry, string, url } from '@custodian/platform';

/** Environment of the audit process (the launcher sets it; see docs/operations.md). */
const schema = defineConfig({
  DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'] }),
  CUSTODIAN_MASTER_KEY: secret({ minLength: 43 }),
  AUDIT_HOST: string({ default: '127.0.0.1' }),
  AUDIT_PORT: port({ default: 4004 }),
  IDENTITY_HOST: string({ default: '127.0.0.1' }),
  IDENTITY_PORT: port({ default: 4001 }),
  /** The checkpoints' origin line: names this deployment's ledger. */
  LEDGER_ORIGIN: string({ default: 'custodian' }),
  LEDGER_CHECKPOINT_INTERVAL: duration({ default: 10_000 }),
  LEDGER_CHECKPOINT_EVENTS: int({ min: 1, max: 1_000_000, default: 10_000 }),
  SECURITY_IP_FAILED_LOGINS: int({ min: 1, max: 100_000, default: 10 }),
  SECURITY_IP_WINDOW: duration({ default: 300_000 }),
  SECURITY_IP_BLOCK: duration({ default: 3_600_000 }),
  SECURITY_ACCOUNT_FAILED_LOGINS: int({ min: 1, max: 100_000, default: 20 }),
  SECURITY_ACCOUNT_WINDOW: duration({ default: 3_600_000 }),
  SECURITY_DENIED_BURST: int({ min: 1, max: 1_000_000, default: 30 }),
  SECURITY_DENIED_WINDOW: duration({ default: 60_000 }),
  INCIDENT_DEADLINE_SWEEP: duration({ default: 60_000 }),
  /** KAFKA_BROKERS set: this service's events are relayed to Kafka (docs/messaging.md). */
  ...busConfigFields,
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], { default: 'info' }),
  OTEL_CONSOLE_EXPORTER: bool({ default: false }),
});

runMain(async () => {
  const env = loadConfig(schema, process.env);
  const telemetry = startTelemetry({ serviceName: 'custodian-audit', console: env.OTEL_CONSOLE_EXPORTER });
  const log = createLogger({ service: 'audit', level: env.LOG_LEVEL });
  const config = new AuditConfig(
    env.DATABASE_URL,
    parseMasterKey(env.CUSTODIAN_MASTER_KEY),
    env.AUDIT_HOST,
    env.AUDIT_PORT,
    { host: env.IDENTITY_HOST, port: env.IDENTITY_PORT },
    { origin: env.LEDGER_ORIGIN, checkpointIntervalMs: env.LEDGER_CHECKPOINT_INTERVAL, checkpointEvents: env.LEDGER_CHECKPOINT_EVENTS },
    {
      failedLoginsPerIp: { threshold: env.SECURITY_IP_FAILED_LOGINS, windowSeconds: env.SECURITY_IP_WINDOW / 1000, blockSeconds: env.SECURITY_IP_BLOCK / 1000 },
      failedLoginsPerAccount: { threshold: env.SECURITY_ACCOUNT_FAILED_LOGINS, windowSeconds: env.SECURITY_ACCOUNT_WINDOW / 1000 },
      deniedBurst: { threshold: env.SECURITY_DENIED_BURST, windowSeconds: env.SECURITY_DENIED_WINDOW / 1000 },
    },
    env.INCIDENT_DEADLINE_SWEEP,
  );
  const running = await startAuditService(config, new NestJsonLogger(log));
  log.info({ host: config.host, port: config.port }, 'audit service listening');
  const relay = await startServiceRelay({ context: 'audit', privateFields: AUDIT_PRIVATE_FIELDS, store: running.service.store, databaseUrl: env.DATABASE_URL, bus: busConfigFrom(env), logger: log });
  return async () => {
    await relay?.stop();
    await running.close();
    await telemetry.shutdown();
  };
});
