import type { LoggerService } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { cryptoMigrations, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { createPool, migrate, SpanAttributes, tracer, withSpan } from '@custodian/platform';
import { projectionMigrations, ProjectionRunner } from '@custodian/projections';
import type { RecordsHealthResponse } from '@custodian/records/contracts';
import { JudgingContext } from './infra/judging-context';
import { recordsMigrations } from './infra/records.migrations';
import { recordsProjection } from './read-model/records.projection';
import type { RecordsConfig } from './records.config';
import { RecordQueriesHandler } from './records/record-queries.handler';
import { RecordsHandler } from './records/records.handler';
import { ComplianceReportHandler } from './reports/compliance-report.handler';

export const RECORDS_LOGGER = Symbol('RECORDS_LOGGER');
const storeTracer = tracer('custodian.event-store');

/** Everything the records service runs on, wired once (pool, store, cipher, read model and projection, handlers). */
export class RecordsService {
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly dataSource: DataSource;
  readonly projection: ProjectionRunner;
  readonly records: RecordsHandler;
  readonly queries: RecordQueriesHandler;
  readonly compliance: ComplianceReportHandler;

  constructor(
    private readonly config: RecordsConfig,
    private readonly logger: LoggerService,
  ) {
    this.pool = createPool({ connectionString: config.databaseUrl, max: 10, applicationName: 'custodian-records' });
    this.store = new PostgresEventStore(this.pool, {
      onAppend: (streamId, count, work) => withSpan(storeTracer, 'event-store.append', { [SpanAttributes.streamId]: streamId, [SpanAttributes.eventCount]: count }, work),
    });
    this.dataSource = new DataSource({ type: 'postgres', url: config.databaseUrl, entities: [], synchronize: false, extra: { max: 5, options: '-c role=custodian_runtime', application_name: 'custodian-records-rm' } });
    this.projection = new ProjectionRunner(this.store, this.dataSource, recordsProjection, {
      onError: (error, name) => logger.error({ msg: 'projection batch failed; retrying', projection: name, err: error instanceof Error ? error.message : String(error) }, 'Projection'),
    });
    const cipher = new PersonalDataCipher(new PostgresSubjectKeyStore(this.pool), config.masterKey);
    const committedHead = () => this.store.headPosition();
    this.records = new RecordsHandler(this.store, new JudgingContext(this.dataSource, this.projection, committedHead), cipher);
    this.queries = new RecordQueriesHandler(this.store, this.dataSource, this.projection, committedHead, cipher);
    this.compliance = new ComplianceReportHandler(this.store, this.dataSource, this.projection, committedHead, cipher);
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
    await this.projection.start();
  }

  async health(): Promise<RecordsHealthResponse> {
    try {
      await this.pool.query('SELECT 1');
      return { status: 'up', checks: [{ name: 'database', status: 'up' }] };
    } catch (error) {
      return { status: 'down', checks: [{ name: 'database', status: 'down', detail: error instanceof Error ? error.message : String(error) }] };
    }
  }

  async close(): Promise<void> {
    await this.projection.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.pool.end();
  }
}
