import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import type { Level } from 'pino';
import type { JsonLogger } from './create-logger';
import { LogFields } from './log-fields';

const NEST_TO_PINO: Readonly<Record<NestLogLevel, Level>> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};
const PINO_ORDER: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const STACK_FORMAT = /^(.)+\n\s+at .+:\d+:\d+/;

/**
 * Nest's `LoggerService` over a JSON logger (`app.useLogger(new NestJsonLogger(logger))`).
 * Arguments are read as Nest's ConsoleLogger reads them: a trailing string is the context
 * (written as `context`); for `error`, a stack-shaped string (or a second-to-last string
 * before the context) is the stack. Level mapping: verbose→trace, log→info, others by name.
 */
export class NestJsonLogger implements LoggerService {
  constructor(private readonly logger: JsonLogger) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('info', message, optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('trace', message, optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    if (!this.logger.isLevelEnabled('error')) return;
    // ConsoleLogger: error(msg, stack) | error(msg, context) | error(msg, ..., stack?, context).
    if (optionalParams.length === 1 && isStack(optionalParams[0])) {
      this.emit('error', message, { [LogFields.stack]: optionalParams[0] }, []);
      return;
    }
    const { context, rest } = splitContext(optionalParams);
    const last = rest[rest.length - 1];
    const hasStack = rest.length > 0 && (typeof last === 'string' || last === undefined);
    const fields: Record<string, unknown> = context === undefined ? {} : { [LogFields.context]: context };
    if (hasStack && last !== undefined) fields[LogFields.stack] = last;
    this.emit('error', message, fields, hasStack ? rest.slice(0, -1) : rest);
  }

  /** Nest passes the enabled levels; pino has one threshold, so the most verbose wins. */
  setLogLevels(levels: NestLogLevel[]): void {
    const enabled = levels.map((l) => PINO_ORDER.indexOf(NEST_TO_PINO[l])).filter((i) => i >= 0);
    this.logger.level = enabled.length === 0 ? 'silent' : PINO_ORDER[Math.min(...enabled)];
  }

  private write(level: Level, message: unknown, optionalParams: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const { context, rest } = splitContext(optionalParams);
    this.emit(level, message, context === undefined ? {} : { [LogFields.context]: context }, rest);
  }

  private emit(level: Level, message: unknown, fields: Record<string, unknown>, rest: unknown[]): void {
    if (rest.length > 0) fields[LogFields.args] = rest;
    if (message instanceof Error) {
      fields[LogFields.error] = message;
      this.logger[level](fields, message.message);
    } else if (typeof message === 'string') {
      this.logger[level](fields, message);
    } else {
      fields[LogFields.data] = message;
      this.logger[level](fields);
    }
  }
}

function isStack(value: unknown): value is string {
  return typeof value === 'string' && STACK_FORMAT.test(value);
}

/** Nest appends the context as the last argument when there is more than the message. */
function splitContext(params: unknown[]): { context: string | undefined; rest: unknown[] } {
  const last = params[params.length - 1];
  return typeof last === 'string' ? { context: last, rest: params.slice(0, -1) } : { context: undefined, rest: params };
}
