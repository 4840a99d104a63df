export * from './lib/hash-chain';
export * from './lib/polling-subscription';
export * from './lib/postgres/migrations';
export * from './lib/postgres/postgres-event-store';
export * from './lib/eventstoredb/eventstoredb-event-store';
