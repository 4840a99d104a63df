import type { SecurityRules } from './security/security-monitor';

/** The audit service's configuration, built once in main.ts and injected. */
export class AuditConfig {
  constructor(
    readonly databaseUrl: string,
    /** Encrypts the checkpoint key and incidents' free text. */
    readonly masterKey: Buffer,
    readonly host: string,
    readonly port: number,
    /** Where identity listens (the monitor suspends accounts and revokes keys there). */
    readonly identity: { host: string; port: number },
    readonly ledger: { origin: string; checkpointIntervalMs: number; checkpointEvents: number },
    readonly rules: SecurityRules,
    /** How often breach notification deadlines are checked (ms). */
    readonly deadlineSweepMs = 60_000,
    /**
     * The security monitor's consumer group. One per deployment (the default); a separate group
     * runs an independent monitor with its own rules on the same database (the test suites do).
     */
    readonly monitorGroup = 'audit.security-monitor',
  ) {}
}
