import 'reflect-metadata';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { bool, createLogger, defineConfig, int, list, loadConfig, NestJsonLogger, oneOf, port, runMain, secret, startTelemetry, string } from '@custodian/platform';
import { createGatewayApp, GatewayConfig } from '@custodian/gateway/http';

/** Environment of the gateway process (the launcher sets it; see README "Configuration"). */
const schema = defineConfig({
  PORT: port({ default: 3000 }),
  HOST: string({ default: '127.0.0.1' }),
  CUSTODIAN_BOOTSTRAP_TOKEN: secret({ minLength: 24 }),
  IDENTITY_HOST: string({ default: '127.0.0.1' }),
  IDENTITY_PORT: port({ default: 4001 }),
  SCHEDULING_HOST: string({ default: '127.0.0.1' }),
  SCHEDULING_PORT: port({ default: 4002 }),
  RECORDS_HOST: string({ default: '127.0.0.1' }),
  RECORDS_PORT: port({ default: 4003 }),
  AUDIT_HOST: string({ default: '127.0.0.1' }),
  AUDIT_PORT: port({ default: 4004 }),
  /** This process's own activity spool directory (durable; one per gateway process). */
  ACTIVITY_SPOOL_DIR: string({ optional: true }),
  /** Names this gateway in the activity log. */
  GATEWAY_ID: string({ optional: true }),
  SERVICE_TIMEOUT_MS: int({ min: 100, max: 120_000, default: 10_000 }),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], { default: 'info' }),
  OTEL_CONSOLE_EXPORTER: bool({ default: false }),
  /** Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is trusted (e.g. the ingress). */
  TRUSTED_PROXIES: list({ default: [] }),
});

runMain(async () => {
  const env = loadConfig(schema, process.env);
  const telemetry = startTelemetry({ serviceName: 'custodian-gateway', console: env.OTEL_CONSOLE_EXPORTER });
  const log = createLogger({ service: 'gateway', level: env.LOG_LEVEL });
  const config = new GatewayConfig(env.HOST, env.PORT, env.CUSTODIAN_BOOTSTRAP_TOKEN, { host: env.IDENTITY_HOST, port: env.IDENTITY_PORT }, env.SERVICE_TIMEOUT_MS, 1024 * 1024, env.TRUSTED_PROXIES, {
    host: env.SCHEDULING_HOST,
    port: env.SCHEDULING_PORT,
  }, { host: env.RECORDS_HOST, port: env.RECORDS_PORT }, { host: env.AUDIT_HOST, port: env.AUDIT_PORT }, {
    spoolDir: env.ACTIVITY_SPOOL_DIR ?? join('.custodian', 'activity-spool', `gateway-${env.PORT}`),
    shipIntervalMs: 250,
    gatewayId: env.GATEWAY_ID ?? `${hostname()}:${env.PORT}`,
  });
  const app = await createGatewayApp(config, new NestJsonLogger(log));
  await app.listen({ port: config.port, host: config.host });
  log.info({ url: `http://${config.host}:${config.port}` }, 'gateway listening');
  return async () => {
    await app.close();
    await telemetry.shutdown();
  };
});
