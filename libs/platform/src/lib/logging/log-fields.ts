/**
 * JSON field names of every structured log line (STYLE.md habit 9: names live in one place).
 * Trace fields follow the OpenTelemetry log data model's snake_case names, so a collector
 * can join a line to its trace without mapping.
 */
export const LogFields = {
  /** ISO-8601 UTC timestamp. */
  time: 'time',
  /** Level label: trace, debug, info, warn, error, fatal. */
  level: 'level',
  message: 'msg',
  /** The emitting app, e.g. `gateway`. Present on every line. */
  service: 'service',
  hostname: 'hostname',
  pid: 'pid',
  /** 32 lowercase hex characters; present only while a valid span is active. */
  traceId: 'trace_id',
  /** 16 lowercase hex characters; present only while a valid span is active. */
  spanId: 'span_id',
  /** Two hex characters, as in `traceparent` (`01` = sampled). */
  traceFlags: 'trace_flags',
  /** The Nest logger context (class or module name). */
  context: 'context',
  /** A serialized Error: `{ type, message, stack }`. */
  error: 'err',
  /** A stack trace handed to Nest's `error(message, stack)` as a string. */
  stack: 'stack',
  /** A non-string, non-Error message object passed to the Nest adapter. */
  data: 'data',
  /** Extra positional arguments passed to the Nest adapter. */
  args: 'args',
} as const;
