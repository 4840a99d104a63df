import type { LoggerService } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { cryptoMigrations, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { createPool, migrate, SpanAttributes, tracer, withSpan } from '@custodian/platform';
import { projectionMigrations, ProjectionRunner } from '@custodian/projections';
import type { SchedulingHealthResponse } from '@custodian/scheduling/contracts';
import { ChecklistsHandler } from './checklists/checklists.handler';
import { schedulingMigrations } from './infra/scheduling.migrations';
import { SchedulingCommands } from './infra/scheduling-store';
import { LocationsHandler } from './locations/locations.handler';
import { schedulingProjection } from './read-model/scheduling.projection';
import type { SchedulingConfig } from './scheduling.config';
import { CleanerEligibility } from './shifts/cleaner-eligibility';
import { ShiftQueriesHandler } from './shifts/shift-queries.handler';
import { ShiftsHandler } from './shifts/shifts.handler';

const storeTracer = tracer('custodian.event-store');

/**
 * Everything the scheduling service runs on, wired once: the runtime-role pool, the event store
 * (appends traced), the cipher for cancellation reasons, the read model and its projection
 * (scheduling events and identity's published ones), and the use-case handlers.
 */
export class SchedulingService {
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly dataSource: DataSource;
  readonly projection: ProjectionRunner;
  readonly locations: LocationsHandler;
  readonly checklists: ChecklistsHandler;
  readonly shifts: ShiftsHandler;
  readonly shiftQueries: ShiftQueriesHandler;

  constructor(
    private readonly config: SchedulingConfig,
    private readonly logger: LoggerService,
  ) {
    this.pool = createPool({ connectionString: config.databaseUrl, max: 10, applicationName: 'custodian-scheduling' });
    this.store = new PostgresEventStore(this.pool, {
      onAppend: (streamId, count, work) => withSpan(storeTracer, 'event-store.append', { [SpanAttributes.streamId]: streamId, [SpanAttributes.eventCount]: count }, work),
    });
    this.dataSource = new DataSource({ type: 'postgres', url: config.databaseUrl, entities: [], synchronize: false, extra: { max: 5, options: '-c role=custodian_runtime', application_name: 'custodian-scheduling-rm' } });
    this.projection = new ProjectionRunner(this.store, this.dataSource, schedulingProjection, {
      onError: (error, name) => logger.error({ msg: 'projection batch failed; retrying', projection: name, err: error instanceof Error ? error.message : String(error) }, 'Projection'),
    });
    const cipher = new PersonalDataCipher(new PostgresSubjectKeyStore(this.pool), config.masterKey);
    const commands = new SchedulingCommands(this.store);
    // Read-your-writes: wait for everything committed before the request (not just the final prefix).
    const committedHead = () => this.store.headPosition();
    this.locations = new LocationsHandler(commands, this.dataSource, this.projection, committedHead);
    this.checklists = new ChecklistsHandler(commands, this.dataSource, this.projection, committedHead);
    this.shifts = new ShiftsHandler(commands, new CleanerEligibility(this.dataSource, this.projection, committedHead), cipher);
    this.shiftQueries = new ShiftQueriesHandler(commands, this.dataSource, this.projection, committedHead, cipher);
  }

  /** Applies the schema this service needs (as the connection's owner role), then starts projecting. */
  async start(): Promise<void> {
    const owner = createPool({ connectionString: this.config.databaseUrl, runtimeRole: false, max: 1, applicationName: 'custodian-scheduling-migrate' });
    try {
      await migrate(owner, [...eventStoreMigrations, ...projectionMigrations, ...cryptoMigrations, ...schedulingMigrations], (m) => this.logger.log(m, 'Migrations'));
    } finally {
      await owner.end();
    }
    await this.dataSource.initialize();
    await this.projection.start();
  }

  async health(): Promise<SchedulingHealthResponse> {
    try {
      await this.pool.query('SELECT 1');
      return { status: 'up', checks: [{ name: 'database', status: 'up' }] };
    } catch (error) {
      return { status: 'down', checks: [{ name: 'database', status: 'down', detail: error instanceof Error ? error.message : String(error) }] };
    }
  }

  /** Stops projecting and releases connections; safe after a failed start. */
  async close(): Promise<void> {
    await this.projection.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.pool.end();
  }
}
