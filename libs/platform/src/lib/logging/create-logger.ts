import { hostname } from 'node:os';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';
import { LogFields } from './log-fields';

/** pino's threshold levels; `silent` writes nothing. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export type JsonLogger = Logger;

export interface LoggerOptions {
  /** Written as `service` on every line. */
  service: string;
  /** Lines below this level are dropped. */
  level: LogLevel;
  /** Where lines go, one JSON object per line. @defaultValue stdout */
  destination?: DestinationStream;
}

/** The active span's ids as log fields, or none when no valid span is active. */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const ctx = span.spanContext();
  if (!isSpanContextValid(ctx)) return {};
  return {
    [LogFields.traceId]: ctx.traceId,
    [LogFields.spanId]: ctx.spanId,
    [LogFields.traceFlags]: ctx.traceFlags.toString(16).padStart(2, '0'),
  };
}

/**
 * A JSON-lines logger. Every line carries `service`, `time` (ISO-8601) and a level label; a
 * line written while an OpenTelemetry span is active also carries `trace_id`, `span_id` and
 * `trace_flags` of that span (read at write time, so it follows async context). Fields
 * passed explicitly in a log call win over those.
 */
export function createLogger(options: LoggerOptions): JsonLogger {
  const config = {
    level: options.level,
    messageKey: LogFields.message,
    base: { [LogFields.service]: options.service, [LogFields.pid]: process.pid, [LogFields.hostname]: hostname() },
    timestamp: () => `,"${LogFields.time}":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ [LogFields.level]: label }) },
    errorKey: LogFields.error,
    mixin: traceFields,
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}
