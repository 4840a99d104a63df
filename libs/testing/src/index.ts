export * from './lib/test-database';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@custodian/platform';
export * from './lib/wait-for';
export * from './lib/decider-spec';
export * from './lib/json-schema-check';
export * from './lib/event-fixtures';
export * from './lib/mokapi';
