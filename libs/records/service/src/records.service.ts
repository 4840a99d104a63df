import type { LoggerService } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { cryptoMigrations, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import { createEventStoreDbStore, eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import type { EventStore } from '@custodian/kernel';
import { createPool, migrate, SpanAttributes, tracer, withSpan } from '@custodian/platform';
import { projectionMigrations, ProjectionRunner } from '@custodian/projections';
import type { RecordsHealthResponse } from '@custodian/records/contracts';
import { JudgingContext } from './infra/judging-context';
import { recordsMigrations } from './infra/records.migrations';
import { recordsContextProjection, recordsProjection } from './read-model/records.projection';
import type { RecordsConfig } from './records.config';
import { RecordQueriesHandler } from './records/record-queries.handler';
import { RecordsHandler } from './records/records.handler';
import { ComplianceReportHandler } from './reports/compliance-report.handler';

const storeTracer = tracer('custodian.event-store');

/** A store the records service can wait on for read-your-writes. */
export type RecordsEventStore = EventStore & { headPosition(): Promise<number> };

/**
 * Everything the records service runs on, wired once. Record streams live in `recordsStore`:
 * the platform's PostgreSQL log by default, or EventStoreDB (RECORDS_EVENT_STORE=eventstoredb).
 * Scheduling's events, which the judging context is built from, are always read from the
 * PostgreSQL log (`platformStore`); each source has its own projection and checkpoint. Read
 * models, checkpoints and per-subject keys stay in PostgreSQL.
 */
export class RecordsService {
  readonly pool: Pool;
  readonly platformStore: PostgresEventStore;
  readonly recordsStore: RecordsEventStore;
  readonly dataSource: DataSource;
  readonly projection: ProjectionRunner;
  readonly contextProjection: ProjectionRunner;
  readonly records: RecordsHandler;
  readonly queries: RecordQueriesHandler;
  readonly compliance: ComplianceReportHandler;

  constructor(
    private readonly config: RecordsConfig,
    private readonly logger: LoggerService,
  ) {
    this.pool = createPool({ connectionString: config.databaseUrl, max: 10, applicationName: 'custodian-records' });
    const onAppend = <T>(streamId: string, count: number, work: () => Promise<T>) =>
      withSpan(storeTracer, 'event-store.append', { [SpanAttributes.streamId]: streamId, [SpanAttributes.eventCount]: count }, work);
    this.platformStore = new PostgresEventStore(this.pool, { onAppend });
    if (config.eventStore === 'eventstoredb' && !config.eventStoreUrl) throw new Error('RECORDS_EVENT_STORE=eventstoredb needs EVENTSTORE_URL');
    this.recordsStore = config.eventStore === 'eventstoredb' ? createEventStoreDbStore(config.eventStoreUrl as string, { onAppend }) : this.platformStore;
    this.dataSource = new DataSource({ type: 'postgres', url: config.databaseUrl, entities: [], synchronize: false, extra: { max: 5, options: '-c role=custodian_runtime', application_name: 'custodian-records-rm' } });
    const onError = (error: unknown, name: string) => logger.error({ msg: 'projection batch failed; retrying', projection: name, err: error instanceof Error ? error.message : String(error) }, 'Projection');
    this.projection = new ProjectionRunner(this.recordsStore, this.dataSource, recordsProjection, { onError });
    this.contextProjection = new ProjectionRunner(this.platformStore, this.dataSource, recordsContextProjection, { onError });
    const cipher = new PersonalDataCipher(new PostgresSubjectKeyStore(this.pool), config.masterKey);
    const recordsHead = () => this.recordsStore.headPosition();
    const platformHead = () => this.platformStore.headPosition();
    const context = new JudgingContext(this.dataSource, this.contextProjection, platformHead);
    this.records = new RecordsHandler(this.recordsStore, context, cipher);
    this.queries = new RecordQueriesHandler(this.recordsStore, this.dataSource, this.projection, recordsHead, cipher, { runner: this.contextProjection, head: platformHead });
    this.compliance = new ComplianceReportHandler(this.recordsStore, this.dataSource, [
      { runner: this.contextProjection, head: platformHead },
      { runner: this.projection, head: recordsHead },
    ], cipher);
  }

  /** Applies the schema this service needs (as the connection's owner role), then starts projecting. */
  async start(): Promise<void> {
    const owner = createPool({ connectionString: this.config.databaseUrl, runtimeRole: false, max: 1, applicationName: 'custodian-records-migrate' });
    try {
      await migrate(owner, [...eventStoreMigrations, ...projectionMigrations, ...cryptoMigrations, ...recordsMigrations], (m) => this.logger.log(m, 'Migrations'));
    } finally {
      await owner.end();
    }
    await this.dataSource.initialize();
    await this.contextProjection.start();
    await this.projection.start();
  }

  async health(): Promise<RecordsHealthResponse> {
    const checks: RecordsHealthResponse['checks'] = [];
    const check = async (name: string, probe: () => Promise<unknown>) => {
      try {
        await probe();
        checks.push({ name, status: 'up' });
      } catch (error) {
        checks.push({ name, status: 'down', detail: error instanceof Error ? error.message : String(error) });
      }
    };
    await check('database', () => this.pool.query('SELECT 1'));
    if (this.recordsStore !== this.platformStore) await check('eventstoredb', () => this.recordsStore.headPosition());
    return { status: checks.every((c) => c.status === 'up') ? 'up' : 'down', checks };
  }

  async close(): Promise<void> {
    await this.projection.stop();
    await this.contextProjection.stop();
    if (this.recordsStore !== this.platformStore) await this.recordsStore.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.pool.end();
  }
}
