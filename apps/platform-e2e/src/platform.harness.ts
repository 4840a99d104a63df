import { randomBytes } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGatewayApp, GatewayConfig } from '@custodian/gateway/http';
export { routesOf } from '@custodian/gateway/http';
import { IdentityConfig, startIdentityService, type IdentityService } from '@custodian/identity/service';
import { SchedulingConfig, startSchedulingService, type SchedulingService } from '@custodian/scheduling/service';
import { RecordsConfig, startRecordsService, type RecordsService } from '@custodian/records/service';
import { AuditConfig, DEFAULT_SECURITY_RULES, startAuditService, type AuditService, type SecurityRules } from '@custodian/audit/service';
import { createLogger, freePort, NestJsonLogger } from '@custodian/platform';
import { testDatabaseUrl, waitFor } from '@custodian/testing';

export function quietLogger(): LoggerService {
  return new NestJsonLogger(createLogger({ service: 'e2e', level: 'error' }));
}

export interface RunningGateway {
  app: NestFastifyApplication;
  url: string;
  bootstrapToken: string;
  close(): Promise<void>;
}

/** The gateway on a free port, talking to an identity service at `identityPort`; by default returns once it is ready. */
export async function startGateway(
  identityPort: number,
  bootstrapToken = randomBytes(24).toString('base64url'),
  trustedProxies: string[] = [],
  {
    waitReady = true,
    schedulingPort,
    recordsPort,
    auditPort,
    spoolDir,
  }: { waitReady?: boolean; schedulingPort?: number; recordsPort?: number; auditPort?: number; spoolDir?: string } = {},
): Promise<RunningGateway> {
  const scheduling = { host: '127.0.0.1', port: schedulingPort ?? (await freePort()) };
  const records = { host: '127.0.0.1', port: recordsPort ?? (await freePort()) };
  // Without an audit service, port 9 (discard; nothing listens): activity stays in the spool and
  // no other suite's service, reusing a free port later, receives it.
  const audit = { host: '127.0.0.1', port: auditPort ?? 9 };
  const config = new GatewayConfig('127.0.0.1', 0, bootstrapToken, { host: '127.0.0.1', port: identityPort }, 5_000, 1024 * 1024, trustedProxies, scheduling, records, audit, {
    spoolDir,
    shipIntervalMs: 100,
    gatewayId: 'e2e-gateway',
  });
  const app = await createGatewayApp(config, quietLogger());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  // Ready = identity and the services this suite started answer, and the access-change feed is followed.
  const needed = ['identity', 'gateway.access-feed', ...(schedulingPort ? ['scheduling'] : []), ...(recordsPort ? ['records'] : []), ...(auditPort ? ['audit', 'gateway.blocklist-feed'] : [])];
  if (waitReady) await waitFor(async () => (checksUp((await http('GET', `${url}/health/ready`)).body, needed) ? true : undefined), 15_000, 20, 'the gateway to be ready');
  return { app, url, bootstrapToken, close: () => app.close() };
}

/** True when every named readiness check is up (suites start only the services they need). */
function checksUp(body: { checks?: Array<{ name: string; status: string }> } | undefined, names: string[]): boolean {
  return names.every((name) => body?.checks?.some((c) => c.name === name && c.status === 'up') ?? false);
}

export interface RunningRecords {
  service: RecordsService;
  port: number;
  close(): Promise<void>;
}

/** The records service in this process on a free port, on the run's test database. */
export async function startRecords(masterKey: Buffer, port?: number): Promise<RunningRecords> {
  const p = port ?? (await freePort());
  const running = await startRecordsService(new RecordsConfig(testDatabaseUrl(), masterKey, '127.0.0.1', p), quietLogger());
  return { service: running.service, port: p, close: running.close };
}

export interface RunningAudit {
  service: AuditService;
  port: number;
  close(): Promise<void>;
}

/**
 * The audit service in this process on a free port, on the run's test database. Checkpoints
 * every 200 ms by default (tests wait on them); rules as configured, defaults otherwise; a
 * security monitor of its own (consumer group) so suites' rules do not judge each other's events.
 */
export async function startAudit(masterKey: Buffer, identityPort: number, options: { port?: number; rules?: Partial<SecurityRules>; checkpointIntervalMs?: number } = {}): Promise<RunningAudit> {
  const p = options.port ?? (await freePort());
  const config = new AuditConfig(
    testDatabaseUrl(),
    masterKey,
    '127.0.0.1',
    p,
    { host: '127.0.0.1', port: identityPort },
    { origin: 'custodian-e2e', checkpointIntervalMs: options.checkpointIntervalMs ?? 200, checkpointEvents: 10_000 },
    { ...DEFAULT_SECURITY_RULES, ...options.rules },
    60_000,
    // Suites share one database: each audit runs its own monitor (its rules, its signals) rather
    // than one suite's monitor judging another suite's logins by its thresholds.
    `audit.security-monitor.e2e-${randomBytes(4).toString('hex')}`,
  );
  const running = await startAuditService(config, quietLogger());
  return { service: running.service, port: p, close: running.close };
}

export interface RunningScheduling {
  service: SchedulingService;
  port: number;
  close(): Promise<void>;
}

/** The scheduling service in this process on a free port, on the run's test database. */
export async function startScheduling(masterKey: Buffer, port?: number): Promise<RunningScheduling> {
  const p = port ?? (await freePort());
  const running = await startSchedulingService(new SchedulingConfig(testDatabaseUrl(), masterKey, '127.0.0.1', p), quietLogger());
  return { service: running.service, port: p, close: running.close };
}

export interface RunningIdentity {
  service: IdentityService;
  port: number;
  close(): Promise<void>;
}

/** The identity service in this process on a free port, on the run's test database. */
export async function startIdentity(masterKey: Buffer, port?: number): Promise<RunningIdentity> {
  const p = port ?? (await freePort());
  const running = await startIdentityService(new IdentityConfig(testDatabaseUrl(), masterKey, '127.0.0.1', p, 900, 86_400), quietLogger());
  return { service: running.service, port: p, close: running.close };
}

/** JSON over HTTP with a bounded timeout; returns status, headers and parsed body. */
export async function http(
  method: string,
  url: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body };
}

export const uniqueName = (prefix = 'Tenant') => `${prefix} ${randomBytes(6).toString('hex')}`;
