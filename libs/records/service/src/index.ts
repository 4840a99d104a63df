export * from './records.config';
export * from './records.app';
export * from './records.service';
export * from './infra/records.migrations';
