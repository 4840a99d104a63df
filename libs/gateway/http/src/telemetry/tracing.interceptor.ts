import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SpanAttributes } from '@custodian/platform';

const tracer = trace.getTracer('custodian-gateway');

/**
 * One SERVER span per request, active while the handler runs, so the service call made by the
 * handler carries this trace (IdentityClient injects `traceparent` into the message).
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const route = req.routeOptions?.url ?? req.url;
    return new Observable((subscriber) => {
      tracer.startActiveSpan(`${req.method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': route, [SpanAttributes.correlationId]: String(req.id) } }, (span) => {
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            span.recordException(error instanceof Error ? error : String(error));
            span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
            subscriber.error(error);
          },
          complete: () => {
            const reply = context.switchToHttp().getResponse<FastifyReply>();
            span.setAttribute('http.response.status_code', reply.statusCode);
            span.end();
            subscriber.complete();
          },
        });
      });
    });
  }
}
