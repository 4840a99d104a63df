export * from './scheduling.config';
export * from './scheduling.app';
export * from './scheduling.service';
export * from './infra/scheduling.migrations';
