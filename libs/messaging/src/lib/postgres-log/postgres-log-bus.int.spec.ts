import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { createPool, migrate } from '@custodian/platform';
import { testDatabaseUrl, waitFor } from '@custodian/testing';
import { runBusContract, type BusContractFactory } from '../../testing/bus.contract';
import { messagingMigrations } from '../migrations';
import { topicFor } from '../topics';
import { PostgresLogBus, readPostgresDeadLetters } from './postgres-log-bus';

describe('PostgresLogBus', () => {
  let owner: Pool;
  let pool: Pool;
  let store: PostgresEventStore;
  let bus: PostgresLogBus;

  beforeAll(async () => {
    owner = createPool({ connectionString: testDatabaseUrl(), runtimeRole: false, max: 2 });
    await migrate(owner, [...eventStoreMigrations, ...messagingMigrations]);
    pool = createPool({ connectionString: testDatabaseUrl(), max: 12 });
    store = new PostgresEventStore(pool);
    bus = new PostgresLogBus(store, pool, { idleMs: 10, standbyPollMs: 100 });
  });
  afterAll(async () => {
    await bus.close();
    await pool.end();
    await owner.end();
  });

  const factory: BusContractFactory = {
    get bus() {
      return bus;
    },
    deliveryTimeoutMs: 10_000,
    async channel() {
      const context = `p${randomBytes(6).toString('hex')}`;
      return {
        topic: topicFor(context),
        context,
        append: async (streamId, events) => (await store.append(streamId, events, 'any')).events,
        redeliver: async (group, events) => {
          // A lost checkpoint: the group's position goes back to before these events.
          const before = Math.min(...events.map((e) => e.globalPosition)) - 1;
          await owner.query('UPDATE messaging.consumer_checkpoints SET position = $3 WHERE consumer_group = $1 AND topic = $2', [group, topicFor(context), before]);
        },
        deadLetters: (group, count) =>
          waitFor(async () => {
            const rows = await readPostgresDeadLetters(pool, topicFor(context), group);
            return rows.length >= count ? rows : undefined;
          }, 10_000, 20, `${count} dead letters`),
      };
    },
  };

  runBusContract('Postgres log', () => factory);
});
