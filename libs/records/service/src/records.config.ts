/** The records service's configuration, built once in main.ts and injected. */
export class RecordsConfig {
  constructor(
    readonly databaseUrl: string,
    /** Wraps the per-record keys of notes, issue descriptions and correction reasons. */
    readonly masterKey: Buffer,
    readonly host: string,
    readonly port: number,
    /** Where record streams live: the platform's PostgreSQL log, or EventStoreDB/KurrentDB. */
    readonly eventStore: 'postgres' | 'eventstoredb' = 'postgres',
    /** `esdb://…` connection string; required with eventStore 'eventstoredb'. */
    readonly eventStoreUrl?: string,
  ) {}
}
