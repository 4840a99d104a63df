import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from './start-telemetry';

export interface InMemoryTelemetry {
  readonly exporter: InMemorySpanExporter;
  /** Every span ended so far, in end order. */
  spans(): ReadableSpan[];
  /** Stops telemetry and unregisters it; the collected spans stay readable. */
  shutdown(): Promise<void>;
}

/**
 * Test helper: real telemetry (same setup as `startTelemetry`) whose spans are kept in
 * memory and readable as soon as they end. One per process at a time — start it in
 * `beforeAll`/`beforeEach` and shut it down after.
 */
export function startInMemoryTelemetry(serviceName = 'test'): InMemoryTelemetry {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({ serviceName, exporter });
  let finished: ReadableSpan[] | undefined;
  return {
    exporter,
    spans: () => finished ?? exporter.getFinishedSpans(),
    shutdown: async () => {
      // InMemorySpanExporter forgets its spans on shutdown; keep them for assertions after.
      finished ??= [...exporter.getFinishedSpans()];
      await telemetry.shutdown();
    },
  };
}
