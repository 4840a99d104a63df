export * from './lib/access';
export * from './lib/tenant-name';
export * from './lib/stream-ids';
export * from './lib/events/identity.events';
export * from './lib/events/identity.schemas';
export * from './lib/events/identity.upcast';
export * from './lib/messages/identity.messages';
export * from './lib/events/identity.private-fields';
