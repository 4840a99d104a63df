export {};
export * from './lib/vocabulary';
export * from './lib/ip-address';
export * from './lib/stream-ids';
export * from './lib/events/audit.events';
export * from './lib/events/audit.schemas';
export * from './lib/events/audit.upcast';
export * from './lib/messages/audit.messages';
export * from './lib/messages/webhooks.messages';
