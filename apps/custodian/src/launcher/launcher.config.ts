import { defineConfig, oneOf, port, secret, string, url } from '@custodian/platform';

/**
 * `custodian start` configuration (README "Configuration"). All optional; invalid values stop
 * the start with a message naming the variable.
 */
export const launcherSchema = defineConfig({
  PORT: port({ default: 3000 }),
  HOST: string({ default: '127.0.0.1' }),
  DATABASE_URL: url({ optional: true, protocols: ['postgres:', 'postgresql:'] }),
  CUSTODIAN_DATA_DIR: string({ default: './.custodian' }),
  CUSTODIAN_BOOTSTRAP_TOKEN: secret({ optional: true, minLength: 24 }),
  CUSTODIAN_MASTER_KEY: secret({ optional: true, minLength: 43 }),
  IDENTITY_PORT: port({ default: 4001 }),
  SCHEDULING_PORT: port({ default: 4002 }),
  RECORDS_PORT: port({ default: 4003 }),
  AUDIT_PORT: port({ default: 4004 }),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], { default: 'info' }),
});
