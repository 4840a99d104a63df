export * from './free-port';
export * from './run-main';
export * from './wakeable-sleep';
