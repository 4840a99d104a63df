import type { EventStore, PrivateFields } from '@custodian/kernel';
import { createPool, migrate } from '@custodian/platform';
import { kafkaEnabled, type BusConfig } from '../create-bus';
import type { BusLogger } from '../logger';
import { messagingMigrations } from '../migrations';
import { startRelay } from './start-relay';

export interface ServiceRelayOptions {
  /** The service's bounded context: its events (`<context>.*`) go to `custodian.<context>.v1`. */
  context: string;
  /** The store the context's events live in (the outbox). */
  store: EventStore;
  /** The schema owner's URL (as the service's own DATABASE_URL): migrations, then the runtime role. */
  databaseUrl: string;
  bus: BusConfig;
  logger: BusLogger;
  /** The context's private fields (its contracts' `<CONTEXT>_PRIVATE_FIELDS`): never published. */
  privateFields?: PrivateFields;
}

export interface RunningServiceRelay {
  stop(): Promise<void>;
}

/**
 * What a service's main.ts calls: with KAFKA_BROKERS set, applies the bus's migrations and
 * starts the relay of the service's own context (its checkpoint in PostgreSQL; a broker outage
 * pauses it, never the service). Without KAFKA_BROKERS there is nothing to publish — consumers
 * read the Postgres log — and it returns undefined.
 */
export async function startServiceRelay(options: ServiceRelayOptions): Promise<RunningServiceRelay | undefined> {
  if (!kafkaEnabled(options.bus)) return undefined;
  const owner = createPool({ connectionString: options.databaseUrl, runtimeRole: false, max: 1, applicationName: `custodian-${options.context}-relay-migrate` });
  try {
    await migrate(owner, messagingMigrations);
  } finally {
    await owner.end();
  }
  const pool = createPool({ connectionString: options.databaseUrl, max: 2, applicationName: `custodian-${options.context}-relay` });
  try {
    const relays = await startRelay({
      store: options.store,
      pool,
      kafka: { brokers: options.bus.kafkaBrokers ?? [], clientId: `${options.bus.kafkaClientId ?? 'custodian'}-${options.context}-relay` },
      contexts: [options.context],
      privateFields: options.privateFields,
      logger: options.logger,
    });
    return {
      async stop() {
        await relays.stop();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
