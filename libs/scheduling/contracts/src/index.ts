export * from './lib/vocabulary';
export * from './lib/stream-ids';
export * from './lib/events/scheduling.events';
export * from './lib/events/scheduling.schemas';
export * from './lib/events/scheduling.upcast';
export * from './lib/messages/scheduling.messages';
