import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpanAttributes } from './span-attributes';

const execFileAsync = promisify(execFile);
const REGISTER = join(__dirname, '../../../../../tools/register.cjs');

interface OtlpJsonBody {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{
      scope: { name: string };
      spans: Array<{ name: string; traceId: string; attributes: Array<{ key: string; value: { stringValue?: string } }> }>;
    }>;
  }>;
}

describe('startTelemetry with an OTLP/HTTP collector', () => {
  const requests: Array<{ method?: string; url?: string; contentType?: string; body: string }> = [];
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({
          method: req.method,
          url: req.url,
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  // The OTLP exporter loads node:http through a dynamic import(), which Jest's CommonJS VM
  // refuses; so the exporting side runs in a real Node process, as an app does.
  it('POSTs spans as OTLP JSON to <endpoint>/v1/traces, flushed on shutdown', async () => {
    const script = `
      const t = require(${JSON.stringify(require.resolve('./index'))});
      const telemetry = t.startTelemetry({ serviceName: 'otlp-test', otlpEndpoint: process.argv[1] });
      t.withSpan(t.tracer('custodian.test'), 'sent-over-otlp', { [t.SpanAttributes.streamId]: 'records-1' }, () => undefined)
        .then(() => telemetry.shutdown())
        .catch((e) => { console.error(e); process.exit(1); });
    `;
    await execFileAsync(process.execPath, ['-r', REGISTER, '-e', script, endpoint], { timeout: 30_000 });

    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', url: '/v1/traces' });
    expect(requests[0].contentType).toContain('application/json');
    const body = JSON.parse(requests[0].body) as OtlpJsonBody;
    const [resourceSpans] = body.resourceSpans;
    expect(resourceSpans.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'otlp-test' } });
    const [scopeSpans] = resourceSpans.scopeSpans;
    expect(scopeSpans.scope.name).toBe('custodian.test');
    expect(scopeSpans.spans).toHaveLength(1);
    expect(scopeSpans.spans[0].name).toBe('sent-over-otlp');
    expect(scopeSpans.spans[0].traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(scopeSpans.spans[0].attributes).toContainEqual({
      key: SpanAttributes.streamId,
      value: { stringValue: 'records-1' },
    });
  });
});
