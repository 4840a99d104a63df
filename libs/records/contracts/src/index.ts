export * from './lib/vocabulary';
export * from './lib/stream-ids';
export * from './lib/events/records.events';
export * from './lib/events/records.schemas';
export * from './lib/events/records.upcast';
export * from './lib/messages/records.messages';
