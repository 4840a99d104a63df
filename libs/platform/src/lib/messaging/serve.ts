import type { LoggerService } from '@nestjs/common';
import { isCustodianError, toWireError } from '@custodian/kernel';
import type { ServiceReply, ServiceRequest } from '@custodian/kernel';
import { SpanAttributes, tracer, withExtractedContext, withSpan } from '../telemetry';

/**
 * Runs a message handler as a span continuing the gateway's trace, and turns its outcome into
 * a ServiceReply: kernel errors travel as values; anything else is logged here and sent as an
 * opaque retriable-false internal error (never a stack trace across the boundary).
 * The pattern's first segment names the service ("identity.login" → custodian.identity).
 */
export function serve<TReq, TRes>(pattern: string, request: ServiceRequest<TReq>, logger: LoggerService, handle: (r: ServiceRequest<TReq>) => Promise<TRes>): Promise<ServiceReply<TRes>> {
  const meta = request?.meta;
  const service = pattern.split('.')[0];
  const t = tracer(`custodian.${service}`);
  return withExtractedContext(meta?.traceparent, () =>
    withSpan(t, pattern, { [SpanAttributes.messagePattern]: pattern, [SpanAttributes.correlationId]: meta?.requestId ?? 'unknown' }, async (): Promise<ServiceReply<TRes>> => {
      try {
        if (!meta || typeof meta.requestId !== 'string' || request.body === undefined) throw new MalformedMessage();
        return { ok: true, value: await handle(request) };
      } catch (error) {
        if (isCustodianError(error)) return { ok: false, error: toWireError(error) };
        if (error instanceof MalformedMessage) return { ok: false, error: { kind: 'validation', code: 'malformed_message', message: 'The message has no meta.requestId or body' } };
        logger.error({ msg: 'message handler failed', pattern, requestId: meta?.requestId, err: error instanceof Error ? error.stack : String(error) }, `${service}-service`);
        return { ok: false, error: { kind: 'infrastructure', code: 'internal_error', message: `Internal error in the ${service} service` } };
      }
    }),
  );
}

class MalformedMessage extends Error {}
