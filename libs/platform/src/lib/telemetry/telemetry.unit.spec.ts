import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  injectTraceparent,
  otlpTracesUrl,
  SpanAttributes,
  startInMemoryTelemetry,
  startTelemetry,
  tracer,
  TRACEPARENT_FIELD,
  withExtractedContext,
  withSpan,
  type InMemoryTelemetry,
} from './index';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;
// Created before any telemetry starts, as a module-level tracer in app code would be.
const gatewayTracer = tracer('custodian.test.gateway');
const serviceTracer = tracer('custodian.test.identity');

function spanNamed(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

/** A hop over a transport that carries no async context: JSON payload, fresh macrotask. */
async function overTheWire<T>(payload: Record<string, unknown>, handler: (p: Record<string, unknown>) => Promise<T>): Promise<T> {
  const received = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
  return new Promise<T>((resolve, reject) => {
    setImmediate(() => handler(received).then(resolve, reject));
  });
}

describe('telemetry with an in-memory exporter', () => {
  let telemetry: InMemoryTelemetry;
  beforeEach(() => {
    telemetry = startInMemoryTelemetry('custodian-test');
  });
  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('continues a trace across a hop that carries only a traceparent', async () => {
    await withSpan(gatewayTracer, 'gateway.request', {}, async () => {
      const traceparent = injectTraceparent();
      expect(traceparent).toMatch(TRACEPARENT);
      // Nothing but the payload crosses: the remote side starts from the root context.
      await overTheWire({ [TRACEPARENT_FIELD]: traceparent, command: 'identity.InviteUser' }, (payload) =>
        withExtractedContext(payload[TRACEPARENT_FIELD] as string, () =>
          withSpan(serviceTracer, 'identity.handle', { [SpanAttributes.command]: 'identity.InviteUser' }, async () => {
            await sleep(1);
          }),
        ),
      );
    });

    const parent = spanNamed(telemetry.spans(), 'gateway.request');
    const child = spanNamed(telemetry.spans(), 'identity.handle');
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(child.parentSpanContext?.isRemote).toBe(true);
    expect(child.attributes[SpanAttributes.command]).toBe('identity.InviteUser');
    expect(parent.parentSpanContext).toBeUndefined();
  });

  it('starts a new trace when the traceparent is missing or malformed, ignoring the ambient span', async () => {
    await withSpan(gatewayTracer, 'ambient', {}, async () => {
      for (const [i, bad] of [undefined, null, '', 'garbage', '00-00000000000000000000000000000000-0000000000000000-01'].entries()) {
        await withExtractedContext(bad, () => withSpan(serviceTracer, `orphan-${i}`, {}, async () => undefined));
      }
    });

    const ambient = spanNamed(telemetry.spans(), 'ambient');
    const orphans = telemetry.spans().filter((s) => s.name.startsWith('orphan-'));
    expect(orphans).toHaveLength(5);
    for (const orphan of orphans) {
      expect(orphan.parentSpanContext).toBeUndefined();
      expect(orphan.spanContext().traceId).not.toBe(ambient.spanContext().traceId);
    }
  });

  it('injects nothing when no span is active', () => {
    expect(injectTraceparent()).toBeUndefined();
  });

  it('withSpan: parents nested spans through awaits, sets attributes, ends the span, leaves status UNSET', async () => {
    const result = await withSpan(gatewayTracer, 'outer', { [SpanAttributes.tenantId]: 't-1' }, async (outer) => {
      await sleep(1);
      expect(trace.getActiveSpan()).toBe(outer);
      return withSpan(serviceTracer, 'event-store.append', { [SpanAttributes.eventCount]: 2 }, () => 42);
    });

    expect(result).toBe(42);
    const outer = spanNamed(telemetry.spans(), 'outer');
    const inner = spanNamed(telemetry.spans(), 'event-store.append');
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(inner.parentSpanContext?.isRemote).toBeFalsy();
    expect(outer.attributes[SpanAttributes.tenantId]).toBe('t-1');
    expect(inner.attributes[SpanAttributes.eventCount]).toBe(2);
    expect(outer.ended && inner.ended).toBe(true);
    expect(outer.status.code).toBe(SpanStatusCode.UNSET);
    expect(outer.resource.attributes['service.name']).toBe('custodian-test');
    expect(outer.instrumentationScope.name).toBe('custodian.test.gateway');
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('withSpan: records a thrown error, sets status ERROR, ends the span and rethrows', async () => {
    const failure = new Error('stream is at 3, expected 2');
    await expect(
      withSpan(gatewayTracer, 'fails', {}, async () => {
        await sleep(1);
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(
      withSpan(gatewayTracer, 'fails-sync', {}, () => {
        throw 'not an Error';
      }),
    ).rejects.toBe('not an Error');

    const span = spanNamed(telemetry.spans(), 'fails');
    expect(span.ended).toBe(true);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'stream is at 3, expected 2' });
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0].attributes?.['exception.message']).toBe('stream is at 3, expected 2');
    expect(spanNamed(telemetry.spans(), 'fails-sync').status).toEqual({ code: SpanStatusCode.ERROR, message: 'not an Error' });
  });

  it('startActiveSpan on a lib tracer honours options and an explicit parent context', () => {
    const root = gatewayTracer.startSpan('root');
    const result = gatewayTracer.startActiveSpan('child', { attributes: { a: 1 } }, trace.setSpan(ROOT_CONTEXT, root), (span) => {
      expect(trace.getActiveSpan()).toBe(span);
      span.end();
      return 'done';
    });
    root.end();

    expect(result).toBe('done');
    const child = spanNamed(telemetry.spans(), 'child');
    expect(child.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(child.attributes['a']).toBe(1);
  });

  it('keeps collected spans readable after shutdown', async () => {
    await withSpan(gatewayTracer, 'kept', {}, () => undefined);
    await telemetry.shutdown();
    expect(telemetry.spans().map((s) => s.name)).toEqual(['kept']);
  });
});

describe('startTelemetry', () => {
  it('creates real, propagating spans with no exporter configured', async () => {
    const telemetry = startTelemetry({ serviceName: 'no-sink' });
    try {
      await withSpan(gatewayTracer, 'unexported', {}, (span) => {
        expect(span.isRecording()).toBe(true);
        expect(injectTraceparent()).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      });
    } finally {
      await telemetry.shutdown();
    }
  });

  it('refuses a second start while one runs, and restarts after shutdown with the same tracers', async () => {
    const first = startInMemoryTelemetry();
    expect(() => startTelemetry({ serviceName: 'second' })).toThrow(/already registered/);
    // The failed start must not have unregistered the running one.
    await withSpan(gatewayTracer, 'first', {}, () => undefined);
    await first.shutdown();
    await first.shutdown();
    expect(first.spans().map((s) => s.name)).toEqual(['first']);

    const second = startInMemoryTelemetry();
    await withSpan(gatewayTracer, 'second', {}, () => undefined);
    await second.shutdown();
    expect(second.spans().map((s) => s.name)).toEqual(['second']);
  });

  it('before any start, spans are no-ops and nothing is injected', async () => {
    await withSpan(gatewayTracer, 'noop', {}, (span) => {
      expect(span.isRecording()).toBe(false);
      expect(injectTraceparent()).toBeUndefined();
    });
  });

  it('prints spans with console: true', async () => {
    const dir = jest.spyOn(console, 'dir').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const telemetry = startTelemetry({ serviceName: 'console', console: true });
    try {
      await withSpan(gatewayTracer, 'printed', {}, () => undefined);
      const printed = JSON.stringify([...dir.mock.calls, ...log.mock.calls]);
      expect(printed).toContain('printed');
    } finally {
      await telemetry.shutdown();
      dir.mockRestore();
      log.mockRestore();
    }
  });

  it('builds the OTLP/HTTP traces URL from a base endpoint', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
  });
});
