export * from './run-main';
export * from './wakeable-sleep';
