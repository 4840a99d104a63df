export * from './create-logger';
export * from './log-fields';
export * from './nest-json-logger';
