import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LoggerService } from '@nestjs/common';
import secureJson from 'secure-json-parse';
import { ValidationError } from '@custodian/kernel';
import { undeclaredRoutes } from './auth/route-declarations';
import { buildOpenApi, serveOpenApi } from './docs/openapi';
import { GatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { ErrorFilter } from './http/error.filter';
import { StrictValidationPipe } from './http/validation.pipe';
import { ActivityRecorder } from './activity/activity-recorder';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Builds the gateway (not yet listening): Fastify with a body limit, request ids (a client's
 * X-Request-Id when well formed, else a UUID, echoed on every reply), JSON-only bodies, strict
 * validation, the one error shape for Nest and Fastify errors alike, OpenAPI at /docs. Refuses to build when a
 * route declares no access rule.
 */
export async function createGatewayApp(config: GatewayConfig, logger: LoggerService): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    logger: false,
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onSend', (req, reply, payload, done) => {
    void reply.header('x-request-id', req.id);
    done(null, payload);
  });
  // Only JSON bodies. Our own parser (prototype-poisoning safe) turns malformed JSON into a
  // ValidationError, which Nest hands to the ErrorFilter untouched; Fastify's own errors
  // (body too large, unsupported media type) arrive there as HttpExceptions with their status.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: config.bodyLimitBytes }, (_req, body, done) => {
    try {
      done(null, body === '' ? undefined : secureJson.parse(body as string, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(new ValidationError('The request body is not valid JSON', undefined, 'malformed_json'), undefined);
    }
  });

  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forConfig(config), adapter, { logger, abortOnError: false, bodyParser: false });
  app.useGlobalPipes(new StrictValidationPipe());
  app.useGlobalFilters(new ErrorFilter(logger));
  app.enableShutdownHooks();
  // Every request's activity, allowed or denied, once its reply is sent (see ActivityRecorder).
  const recorder = app.get(ActivityRecorder);
  fastify.addHook('onResponse', (req, reply, done) => {
    recorder.record(req, reply);
    done();
  });

  const missing = undeclaredRoutes(app);
  if (missing.length > 0) throw new Error(`Routes without an access declaration (deny by default): ${missing.join(', ')}`);
  serveOpenApi(app, buildOpenApi(app));
  await app.init();
  return app;
}
