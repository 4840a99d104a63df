export * from './in-memory-telemetry';
export * from './span-attributes';
export * from './start-telemetry';
export * from './trace-context';
export * from './tracing';
