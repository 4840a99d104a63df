import type { Pool } from 'pg';
import type { EventStore } from '@custodian/kernel';
import { list, string } from '@custodian/platform';
import type { MessageBus } from './bus.port';
import type { KafkaConsumerSettings } from './kafka/kafka-bus';
import { KafkaBus } from './kafka/kafka-bus';
import type { KafkaProducerSettings } from './kafka/kafka-publisher';
import { silentBusLogger, type BusLogger } from './logger';
import { PostgresLogBus, type PostgresLogBusOptions } from './postgres-log/postgres-log-bus';

/**
 * The bus's part of an app's config schema (spread it into `defineConfig`):
 * - KAFKA_BROKERS: comma-separated `host:port` list; unset or empty = the Postgres log only
 *   (no relay, consumers read the event store's log);
 * - KAFKA_CLIENT_ID: the Kafka client id. @defaultValue custodian
 */
export const busConfigFields = {
  KAFKA_BROKERS: list({ optional: true }),
  KAFKA_CLIENT_ID: string({ default: 'custodian' }),
} as const;

export interface BusConfig {
  /** From KAFKA_BROKERS; empty or undefined selects the Postgres log. */
  kafkaBrokers?: readonly string[];
  /** From KAFKA_CLIENT_ID. @defaultValue 'custodian' */
  kafkaClientId?: string;
}

/** BusConfig from a config loaded with `busConfigFields`. */
export function busConfigFrom(env: { KAFKA_BROKERS?: readonly string[]; KAFKA_CLIENT_ID?: string }): BusConfig {
  return { kafkaBrokers: env.KAFKA_BROKERS, kafkaClientId: env.KAFKA_CLIENT_ID };
}

/** True when Kafka is configured: publish through the relay and consume from Kafka. */
export function kafkaEnabled(config: BusConfig): boolean {
  return (config.kafkaBrokers?.length ?? 0) > 0;
}

export interface CreateBusOptions {
  config: BusConfig;
  /** The event store (the Postgres log reads its global log). */
  store: EventStore;
  /** Runtime-role pool: checkpoints, inbox, dead letters. */
  pool: Pool;
  logger?: BusLogger;
  postgresLog?: Omit<PostgresLogBusOptions, 'logger'>;
  kafkaConsumer?: KafkaConsumerSettings;
  /** The Kafka dead-letter producer's settings. */
  kafkaProducer?: KafkaProducerSettings;
}

/**
 * The bus a service consumes from: Kafka when KAFKA_BROKERS is set, else the Postgres log.
 * Publishing is not done here: with Kafka, run `startRelay` (the store is the outbox); with the
 * Postgres log there is nothing to publish.
 */
export function createBus(options: CreateBusOptions): MessageBus {
  const logger = options.logger ?? silentBusLogger;
  if (kafkaEnabled(options.config)) {
    return new KafkaBus({
      kafka: { brokers: options.config.kafkaBrokers ?? [], clientId: options.config.kafkaClientId },
      pool: options.pool,
      consumer: options.kafkaConsumer,
      producer: options.kafkaProducer,
      logger,
    });
  }
  return new PostgresLogBus(options.store, options.pool, { ...options.postgresLog, logger });
}
