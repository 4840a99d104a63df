export * from './lib/migrations';
export * from './lib/projection';
export * from './lib/projection-runner';
export * from './lib/read-your-writes';
