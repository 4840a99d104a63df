import {
  context,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';

/**
 * A tracer that resolves the globally registered provider on every span it starts, so a
 * module-level `const t = tracer('x')` keeps working across `startTelemetry` / `shutdown`
 * cycles (tests restart telemetry; a plain API tracer binds to the first provider it sees).
 * Before telemetry starts, spans are no-ops.
 */
class GlobalTracer implements Tracer {
  constructor(
    private readonly name: string,
    private readonly version: string | undefined,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    return trace.getTracer(this.name, this.version).startSpan(name, options, ctx);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    a: F | SpanOptions,
    b?: F | Context,
    c?: F,
  ): ReturnType<F> {
    const [options, parent, fn] =
      typeof a === 'function'
        ? [undefined, undefined, a]
        : typeof b === 'function'
          ? [a, undefined, b]
          : [a, b, c];
    if (typeof fn !== 'function') throw new TypeError('startActiveSpan needs a callback');
    const ctx = parent ?? context.active();
    const span = this.startSpan(name, options, ctx);
    return context.with(trace.setSpan(ctx, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/** A tracer named after the instrumented component, e.g. `tracer('custodian.event-store')`. */
export function tracer(name: string, version?: string): Tracer {
  return new GlobalTracer(name, version);
}

/**
 * Runs `fn` inside a new span, active for everything `fn` awaits, and ends the span when
 * `fn` settles. A throw or rejection is recorded as an exception event, sets status ERROR
 * with the error's message, and is rethrown unchanged. Success leaves the status UNSET
 * (the OpenTelemetry convention: only errors are marked).
 */
export async function withSpan<T>(
  t: Tracer,
  name: string,
  attributes: Attributes,
  fn: (span: Span) => T | Promise<T>,
): Promise<T> {
  return t.startActiveSpan(name, { attributes }, async (span: Span): Promise<T> => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
