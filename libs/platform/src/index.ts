export * from './lib/db/migrations';
export * from './lib/db/pool';
export * from './lib/config';
export * from './lib/logging';
export * from './lib/telemetry';
export * from './lib/db/embedded-postgres';
export * from './lib/process';
export * from './lib/messaging/serve';
