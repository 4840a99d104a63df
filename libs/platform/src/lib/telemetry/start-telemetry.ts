import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  /** Resource `service.name`, e.g. `gateway`. */
  serviceName: string;
  /** Resource `service.version`. */
  serviceVersion?: string;
  /**
   * An in-process sink; each span is exported as it ends (SimpleSpanProcessor), so it is
   * visible to the caller immediately. Meant for tests and local tools; network sinks use
   * `otlpEndpoint`, which batches.
   */
  exporter?: SpanExporter;
  /**
   * Base URL of an OTLP/HTTP collector, e.g. `http://otel-collector:4318`. Spans are batched
   * and POSTed as JSON to `<otlpEndpoint>/v1/traces`; a batch that cannot be delivered is
   * dropped after the exporter's timeout (tracing is best-effort, never a source of truth).
   */
  otlpEndpoint?: string;
  /** Also print every ended span to stdout (ConsoleSpanExporter), for local debugging. @defaultValue false */
  console?: boolean;
}

export interface Telemetry {
  /** Exports every ended span still buffered. */
  forceFlush(): Promise<void>;
  /**
   * Flushes and stops exporting, then unregisters the global tracer provider, context manager
   * and propagator so telemetry can be started again. Idempotent.
   */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP traces URL for a collector base URL. */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts OpenTelemetry tracing for this process: an AsyncLocalStorage context manager, the
 * W3C trace-context propagator and a tracer provider, registered as the process globals.
 * Spans are real (recorded, with valid ids, sampled parent-based / always-on at the root)
 * even when no sink is configured; they are then simply not exported. Every configured sink
 * receives every span. No auto-instrumentation: spans are created explicitly.
 * Reads no environment variables itself; call once from `main.ts`. Throws if telemetry is
 * already registered in this process (shut the previous one down first).
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const spanProcessors: SpanProcessor[] = [];
  if (options.exporter !== undefined) spanProcessors.push(new SimpleSpanProcessor(options.exporter));
  if (options.otlpEndpoint !== undefined) {
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(options.otlpEndpoint) })));
  }
  if (options.console === true) spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));

  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion === undefined ? {} : { [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    }),
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();

  const unregister: Array<() => void> = [];
  const registered =
    register(context.setGlobalContextManager(contextManager), () => context.disable(), unregister) &&
    register(propagation.setGlobalPropagator(new W3CTraceContextPropagator()), () => propagation.disable(), unregister) &&
    register(trace.setGlobalTracerProvider(provider), () => trace.disable(), unregister);
  if (!registered) {
    unregister.forEach((undo) => undo());
    contextManager.disable();
    throw new Error('OpenTelemetry is already registered in this process; shut the running telemetry down first');
  }

  let stopped: Promise<void> | undefined;
  return {
    forceFlush: () => provider.forceFlush(),
    shutdown: () => {
      stopped ??= provider.shutdown().finally(() => {
        unregister.forEach((undo) => undo());
        contextManager.disable();
      });
      return stopped;
    },
  };
}

/** Records how to undo a successful global registration; returns whether it succeeded. */
function register(succeeded: boolean, undo: () => void, unregister: Array<() => void>): boolean {
  if (succeeded) unregister.push(undo);
  return succeeded;
}
