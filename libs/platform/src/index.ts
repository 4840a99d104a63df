export * from './lib/db/migrations';
export * from './lib/db/pool';
