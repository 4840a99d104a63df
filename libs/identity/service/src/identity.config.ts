import { DEFAULT_LOCKOUT_POLICY, type LockoutPolicy } from '@custodian/identity/domain';

/** The identity service's configuration, built once in main.ts and injected. */
export class IdentityConfig {
  constructor(
    readonly databaseUrl: string,
    readonly masterKey: Buffer,
    readonly host: string,
    readonly port: number,
    readonly accessTokenTtlSeconds: number,
    readonly refreshTokenTtlSeconds: number,
    /** Failed logins that lock an account, and for how long. */
    readonly lockout: LockoutPolicy = DEFAULT_LOCKOUT_POLICY,
    /** How long an invite's activation token is good for. @defaultValue 7 days */
    readonly activationTtlSeconds: number = 7 * 86_400,
  ) {}
}
