import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { TRACE_PARENT_HEADER, W3CTraceContextPropagator } from '@opentelemetry/core';

// Used directly, not through the global propagator: these helpers speak W3C traceparent
// whatever the process registered, and work whether or not telemetry was started.
const w3c = new W3CTraceContextPropagator();

/**
 * The W3C `traceparent` of the active span (or of `ctx`), to put in a message payload for a
 * non-HTTP hop. `undefined` when no valid span is active or tracing is suppressed.
 * `tracestate` and baggage are not carried.
 */
export function injectTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier[TRACE_PARENT_HEADER];
}

/**
 * Runs `fn` as the continuation of a remote trace: spans it starts are children of the span
 * named by `traceparent`, keeping its trace id and sampled flag. When `traceparent` is
 * missing or malformed (it comes off the wire), `fn` runs in the root context and its spans
 * start a new trace — never attached to whatever span happens to be ambient.
 */
export function withExtractedContext<T>(traceparent: string | null | undefined, fn: () => T): T {
  const ctx =
    typeof traceparent === 'string'
      ? w3c.extract(ROOT_CONTEXT, { [TRACE_PARENT_HEADER]: traceparent }, defaultTextMapGetter)
      : ROOT_CONTEXT;
  return context.with(ctx, fn);
}
