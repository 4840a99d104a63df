import { ArgumentsHost, Catch, HttpException, type ExceptionFilter, type LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, isCustodianError, type ErrorBody } from '@custodian/kernel';

/**
 * Maps every error to the one JSON shape, once, for the HTTP transport:
 * kernel errors by kind (httpStatusOf); Nest/Fastify HTTP errors by status with a derived
 * code (bad JSON, body too large, unknown route, unsupported media type); anything else is a
 * 500 whose message reveals nothing, logged with the request id.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: LoggerService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body } = toErrorResponse(exception);
    (req as FastifyRequest & { errorCode?: string }).errorCode = body.code;
    // A dependency outage (503) is expected operation and logged as a warning; anything else is a bug.
    if (status === 503) this.logger.warn({ msg: 'request failed: dependency unavailable', requestId: req.id, status, err: (exception as Error).message }, 'ErrorFilter');
    else if (status >= 500) this.logger.error({ msg: 'request failed', requestId: req.id, status, err: describe(exception) }, 'ErrorFilter');
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send({ error: { ...body, requestId: String(req.id) } });
  }
}

export function toErrorResponse(exception: unknown): { status: number; body: ErrorBody } {
  if (isCustodianError(exception)) return { status: httpStatusOf(exception.kind), body: exception.toBody() };
  const status = statusOf(exception);
  if (status !== undefined && status < 500) {
    const code = fastifyCode(exception) ?? codeForStatus(status);
    return { status, body: { code, message: messageOf(exception, status) } };
  }
  if (status === 503) return { status, body: { code: 'unavailable', message: 'Service unavailable' } };
  return { status: 500, body: { code: 'internal_error', message: 'Internal error' } };
}

function statusOf(e: unknown): number | undefined {
  if (e instanceof HttpException) return e.getStatus();
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : undefined;
}

function fastifyCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'malformed_json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'payload_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    default:
      return undefined;
  }
}

function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    default:
      return 'request_failed';
  }
}

function messageOf(e: unknown, status: number): string {
  if (e instanceof HttpException) {
    const r = e.getResponse();
    if (typeof r === 'string') return r;
    const m = (r as { message?: unknown }).message;
    if (typeof m === 'string') return m;
    if (Array.isArray(m)) return m.join('; ');
  }
  if (e instanceof Error && e.message) return e.message.replace(/^FST_\w+:\s*/, '');
  return `Request failed with status ${status}`;
}

function describe(e: unknown): unknown {
  return e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : e;
}
