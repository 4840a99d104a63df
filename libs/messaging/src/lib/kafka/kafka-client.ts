import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type logCreator } from 'kafkajs';
import { InfrastructureError } from '@custodian/kernel';
import { BusLogFields, silentBusLogger, type BusLogger } from '../logger';

/** Where and how to reach Kafka. */
export interface KafkaConnectionConfig {
  /** Bootstrap brokers, `host:port` (KAFKA_BROKERS). */
  brokers: readonly string[];
  /** @defaultValue 'custodian' */
  clientId?: string;
  /** TCP connect timeout, ms. @defaultValue 3_000 */
  connectionTimeoutMs?: number;
  /** Per-request timeout, ms. @defaultValue 10_000 */
  requestTimeoutMs?: number;
  /** kafkajs's own log lines at or above this level go to the bus logger (as `warn`/`debug`). @defaultValue 'error' */
  clientLogLevel?: 'error' | 'warn' | 'info' | 'nothing';
}

const LEVELS = { nothing: KafkaLogLevel.NOTHING, error: KafkaLogLevel.ERROR, warn: KafkaLogLevel.WARN, info: KafkaLogLevel.INFO } as const;

/** A kafkajs client whose own logging goes to `logger` (errors as warnings: the bus logs what they mean). */
export function createKafkaClient(config: KafkaConnectionConfig, logger: BusLogger = silentBusLogger): Kafka {
  if (config.brokers.length === 0) throw new InfrastructureError('Kafka needs at least one broker', false, 'kafka_not_configured');
  const toBusLog: logCreator =
    () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const fields = { kafkajs: rest };
      if (level <= KafkaLogLevel.WARN) logger.warn(fields, `kafkajs: ${message}`);
      else logger.debug(fields, `kafkajs: ${message}`);
    };
  return new Kafka({
    clientId: config.clientId ?? 'custodian',
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs ?? 3_000,
    requestTimeout: config.requestTimeoutMs ?? 10_000,
    logLevel: LEVELS[config.clientLogLevel ?? 'error'],
    logCreator: toBusLog,
    // Client-level retries (metadata, coordinator lookups): bounded; the bus retries above them.
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

/** Log fields naming the brokers of a config. */
export function brokerFields(config: KafkaConnectionConfig): Record<string, string> {
  return { [BusLogFields.brokers]: config.brokers.join(',') };
}
