export * from './identity.config';
export * from './identity.app';
export * from './identity.service';
export * from './infra/identity.migrations';
