export * from './audit.app';
export * from './audit.config';
export * from './audit.service';
export * from './infra/audit.migrations';
export { DEFAULT_SECURITY_RULES, type SecurityRules } from './security/security-monitor';
export { Ledger, type LedgerOptions } from './ledger/ledger';
export { CheckpointSigner } from './ledger/checkpoint-signer';
