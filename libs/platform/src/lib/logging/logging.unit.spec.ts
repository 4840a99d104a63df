import { setTimeout as sleep } from 'node:timers/promises';
import type { DestinationStream } from 'pino';
import { startInMemoryTelemetry, tracer, withExtractedContext, withSpan, type InMemoryTelemetry } from '../telemetry';
import { createLogger, LogFields, NestJsonLogger, type LogLevel } from './index';

type Line = Record<string, unknown>;

/** A destination that keeps each JSON line, parsed. */
function memoryDestination(): DestinationStream & { lines: Line[] } {
  const lines: Line[] = [];
  return {
    lines,
    write(chunk: string) {
      for (const l of chunk.split('\n').filter((s) => s !== '')) lines.push(JSON.parse(l) as Line);
    },
  };
}

function setup(level: LogLevel = 'trace') {
  const destination = memoryDestination();
  const logger = createLogger({ service: 'identity', level, destination });
  return { logger, lines: destination.lines };
}

const testTracer = tracer('custodian.test.logging');

describe('createLogger', () => {
  let telemetry: InMemoryTelemetry;
  beforeEach(() => {
    telemetry = startInMemoryTelemetry();
  });
  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('stamps the active span ids on a line, across awaits', async () => {
    const { logger, lines } = setup();
    const ids = await withSpan(testTracer, 'handle', {}, async (span) => {
      await sleep(1);
      logger.info({ tenantId: 't-1' }, 'user invited');
      return span.spanContext();
    });

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      [LogFields.service]: 'identity',
      [LogFields.level]: 'info',
      [LogFields.message]: 'user invited',
      [LogFields.traceId]: ids.traceId,
      [LogFields.spanId]: ids.spanId,
      [LogFields.traceFlags]: '01',
      tenantId: 't-1',
    });
    expect(lines[0][LogFields.traceId]).toMatch(/^[0-9a-f]{32}$/);
    expect(new Date(lines[0][LogFields.time] as string).toISOString()).toBe(lines[0][LogFields.time]);
  });

  it('writes no trace fields when no span is active', () => {
    const { logger, lines } = setup();
    logger.warn('outside any span');

    expect(lines).toHaveLength(1);
    expect(lines[0][LogFields.service]).toBe('identity');
    expect(lines[0]).not.toHaveProperty(LogFields.traceId);
    expect(lines[0]).not.toHaveProperty(LogFields.spanId);
    expect(lines[0]).not.toHaveProperty(LogFields.traceFlags);
  });

  it('carries the remote trace id inside an extracted context', () => {
    const { logger, lines } = setup();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    withExtractedContext(`00-${traceId}-00f067aa0ba902b7-00`, () => logger.info('continuing'));

    expect(lines[0]).toMatchObject({ [LogFields.traceId]: traceId, [LogFields.traceFlags]: '00' });
  });

  it('drops lines below the level', () => {
    const { logger, lines } = setup('warn');
    logger.info('dropped');
    logger.error('kept');
    expect(lines.map((l) => l[LogFields.message])).toEqual(['kept']);
  });
});

describe('NestJsonLogger', () => {
  it('maps Nest levels and writes the trailing context', () => {
    const { logger, lines } = setup();
    const nest = new NestJsonLogger(logger);
    nest.log('started', 'NestApplication');
    nest.warn('slow', 'Relay');
    nest.debug('tick', 'Relay');
    nest.verbose('detail', 'Relay');
    nest.fatal('dying', 'Main');
    nest.log('no context');

    expect(lines.map((l) => [l[LogFields.level], l[LogFields.message], l[LogFields.context]])).toEqual([
      ['info', 'started', 'NestApplication'],
      ['warn', 'slow', 'Relay'],
      ['debug', 'tick', 'Relay'],
      ['trace', 'detail', 'Relay'],
      ['fatal', 'dying', 'Main'],
      ['info', 'no context', undefined],
    ]);
    expect(lines.every((l) => l[LogFields.service] === 'identity')).toBe(true);
  });

  it('reads error(message, stack, context) the way Nest calls it', () => {
    const { logger, lines } = setup();
    const nest = new NestJsonLogger(logger);
    const stack = new Error('boom').stack ?? '';
    nest.error('failed', stack, 'ExceptionsHandler');
    nest.error('failed without stack', undefined, 'Relay');
    nest.error('only a stack', stack);
    nest.error('only a context', 'Relay');

    expect(lines[0]).toMatchObject({ [LogFields.message]: 'failed', [LogFields.stack]: stack, [LogFields.context]: 'ExceptionsHandler' });
    expect(lines[1]).toMatchObject({ [LogFields.message]: 'failed without stack', [LogFields.context]: 'Relay' });
    expect(lines[1]).not.toHaveProperty(LogFields.stack);
    expect(lines[2]).toMatchObject({ [LogFields.message]: 'only a stack', [LogFields.stack]: stack });
    expect(lines[2]).not.toHaveProperty(LogFields.context);
    expect(lines[3]).toMatchObject({ [LogFields.message]: 'only a context', [LogFields.context]: 'Relay' });
    expect(lines[3]).not.toHaveProperty(LogFields.stack);
    expect(lines.every((l) => l[LogFields.level] === 'error')).toBe(true);
  });

  it('serialises Error and object messages and keeps extra arguments', () => {
    const { logger, lines } = setup();
    const nest = new NestJsonLogger(logger);
    nest.error(new Error('db down'), 'Pool');
    nest.log({ event: 'ready', port: 3000 }, 'Main');
    nest.log('with extras', { a: 1 }, 'Main');

    expect(lines[0]).toMatchObject({
      [LogFields.message]: 'db down',
      [LogFields.context]: 'Pool',
      [LogFields.error]: { type: 'Error', message: 'db down' },
    });
    expect((lines[0][LogFields.error] as { stack: string }).stack).toContain('db down');
    expect(lines[1]).toMatchObject({ [LogFields.data]: { event: 'ready', port: 3000 }, [LogFields.context]: 'Main' });
    expect(lines[1]).not.toHaveProperty('event');
    expect(lines[2]).toMatchObject({ [LogFields.message]: 'with extras', [LogFields.args]: [{ a: 1 }] });
  });

  it('setLogLevels uses the most verbose enabled level, and none silences', () => {
    const { logger, lines } = setup('info');
    const nest = new NestJsonLogger(logger);

    nest.setLogLevels(['error', 'warn', 'debug']);
    expect(logger.level).toBe('debug');
    nest.debug('visible');
    nest.verbose('hidden');

    nest.setLogLevels(['error']);
    nest.warn('hidden');
    nest.error('visible');

    nest.setLogLevels([]);
    nest.fatal('hidden');

    expect(lines.map((l) => l[LogFields.message])).toEqual(['visible', 'visible']);
  });
});
