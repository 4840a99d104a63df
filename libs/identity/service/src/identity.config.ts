/** The identity service's configuration, built once in main.ts and injected. */
export class IdentityConfig {
  constructor(
    readonly databaseUrl: string,
    readonly masterKey: Buffer,
    readonly host: string,
    readonly port: number,
    readonly accessTokenTtlSeconds: number,
    readonly refreshTokenTtlSeconds: number,
  ) {}
}
