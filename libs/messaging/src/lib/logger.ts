import { LogFields } from '@custodian/platform';

/** The logging the bus needs; a pino logger (`createLogger` of @custodian/platform) fits. */
export interface BusLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Writes nothing. */
export const silentBusLogger: BusLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Field names of the bus's log lines (one place, STYLE.md habit 9). */
export const BusLogFields = {
  error: LogFields.error,
  topic: 'topic',
  group: 'consumer_group',
  relay: 'relay',
  /** Global position in the event store's log. */
  position: 'position',
  eventId: 'event_id',
  attempts: 'attempts',
  /** Events in a published batch. */
  count: 'count',
  /** How long the relay has been paused, ms. */
  pausedMs: 'paused_ms',
  /** Next retry in, ms. */
  retryInMs: 'retry_in_ms',
  brokers: 'brokers',
} as const;
