import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Builds the OpenAPI 3 document from the controllers' decorators (never hand-written). */
export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Custodian API')
    .setDescription('Compliance-grade operations platform for commercial cleaning. Every error has the shape { "error": { code, message, details?, requestId } }.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'access-token')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Operator bootstrap token (CUSTODIAN_BOOTSTRAP_TOKEN)' }, 'bootstrap')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'Integrator API key: `Authorization: ApiKey <secret>`' }, 'api-key')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves the UI at /docs and the document at /docs/openapi.json. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json', yamlDocumentUrl: 'docs/openapi.yaml' });
}
