export * from './lib/test-database';
export * from './lib/embedded-postgres';
export * from './lib/wait-for';
