export * from './lib/test-database';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@custodian/platform';
export * from './lib/wait-for';
