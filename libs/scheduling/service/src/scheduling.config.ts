/** The scheduling service's configuration, built once in main.ts and injected. */
export class SchedulingConfig {
  constructor(
    readonly databaseUrl: string,
    /** Wraps the per-subject keys of cancellation reasons (the same master key as identity). */
    readonly masterKey: Buffer,
    readonly host: string,
    readonly port: number,
  ) {}
}
