export * from './lib/errors';
export * from './lib/events';
export * from './lib/event-store.port';
export * from './lib/decider';
export * from './lib/command-handler';
export * from './lib/messages';
export * from './lib/command';
export * from './lib/validation';
