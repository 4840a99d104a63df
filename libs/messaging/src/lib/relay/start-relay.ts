import type { Pool } from 'pg';
import type { EventStore, PrivateFields } from '@custodian/kernel';
import { createKafkaClient, brokerFields, type KafkaConnectionConfig } from '../kafka/kafka-client';
import { KafkaPublisher, type KafkaProducerSettings } from '../kafka/kafka-publisher';
import { BusLogFields, silentBusLogger, type BusLogger } from '../logger';
import { BUS_CONTEXTS } from '../topics';
import { Relay, type RelayOptions } from './relay';

export interface StartRelayOptions {
  store: EventStore;
  /** Runtime-role pool (checkpoints, locks). */
  pool: Pool;
  kafka: KafkaConnectionConfig;
  /** Contexts to relay, one relay (and topic) each; a service passes its own. @defaultValue all of BUS_CONTEXTS */
  contexts?: readonly string[];
  producer?: KafkaProducerSettings;
  /** Fields withheld from public topics, per event type (see PrivateFields). */
  privateFields?: PrivateFields;
  /** Tuning shared by the relays (batch size, poll interval, backoff). */
  relay?: Pick<RelayOptions, 'batchSize' | 'idleMs' | 'initialBackoffMs' | 'maxBackoffMs' | 'pausedLogEveryMs' | 'standbyPollMs'>;
  logger?: BusLogger;
}

export interface RunningRelays {
  readonly relays: readonly Relay[];
  /** Stops every relay (each finishes its batch in hand), then the producer. */
  stop(): Promise<void>;
}

/**
 * Starts one relay per context on one shared Kafka producer (idempotent, acks=all, one request in
 * flight). Returns at once: a relay that cannot reach the broker pauses and retries by itself.
 */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelays> {
  const logger = options.logger ?? silentBusLogger;
  const publisher = new KafkaPublisher(createKafkaClient(options.kafka, logger), options.producer);
  const relays = (options.contexts ?? BUS_CONTEXTS).map(
    (context) => new Relay({ ...options.relay, store: options.store, pool: options.pool, publisher, context, logger, privateFields: options.privateFields }),
  );
  for (const relay of relays) await relay.start();
  logger.info({ ...brokerFields(options.kafka), [BusLogFields.topic]: relays.map((r) => r.topic).join(',') }, 'relay started');
  return {
    relays,
    async stop() {
      await Promise.all(relays.map((r) => r.stop()));
      await publisher.close();
    },
  };
}
