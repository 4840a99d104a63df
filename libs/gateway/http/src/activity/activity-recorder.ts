import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { activityResultOf, AUDIT_PATTERNS, type ActivityActor, type ActivityEntry } from '@custodian/audit/contracts';
import { uuidOrUndefined } from '@custodian/platform';
import type { CustodianRequest } from '../auth/caller';
import { AuditClient } from '../audit/audit.client';
import { GatewayConfig } from '../gateway.config';
import { ActivitySpool } from './activity-spool';

const BATCH = 1_000;
const MAX_BACKOFF_MS = 5_000;
/** Probes and API docs are not user activity. */
const NOT_RECORDED = /^\/(health|docs)(\/|$)/;

/**
 * Records every API request (allowed or denied, failed logins included) in the activity log.
 * The request path only appends to the local durable spool, so requests are served whatever
 * the audit service's state; a background shipper delivers sealed segments to audit and
 * deletes each only once acknowledged. While audit is down the backlog grows on disk and is
 * logged; nothing is dropped. Entries carry the gateway's own UUID, so a segment delivered
 * twice (a crash between delivery and deletion) is stored once.
 */
@Injectable()
export class ActivityRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly spool: ActivitySpool;
  private readonly logger = new Logger('ActivityRecorder');
  private timer: NodeJS.Timeout | undefined;
  private shipping: Promise<void> | undefined;
  private backoffMs = 0;
  private nextAttempt = 0;
  private outage = false;
  private stopped = false;

  constructor(
    private readonly audit: AuditClient,
    private readonly config: GatewayConfig,
  ) {
    this.spool = new ActivitySpool(config.activity.spoolDir ?? mkdtempSync(join(tmpdir(), 'custodian-activity-')));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.activity.shipIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.shipping;
    this.spool.seal();
    // One last bounded attempt; what is not delivered stays in the spool for the next start.
    await Promise.race([this.ship().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000).unref())]);
    this.spool.close();
  }

  /** Called by the gateway's onResponse hook for every request. */
  record(req: FastifyRequest, reply: FastifyReply): void {
    const path = req.url.split('?')[0];
    if (NOT_RECORDED.test(path)) return;
    const r = req as CustodianRequest;
    const route = req.routeOptions?.url ?? 'unmatched';
    const entry: ActivityEntry = {
      activityId: randomUUID(),
      at: new Date().toISOString(),
      requestId: String(req.id),
      tenantId: r.caller?.tenantId ?? uuidOrUndefined((req.body as { tenantId?: unknown } | undefined)?.tenantId) ?? null,
      actor: actorOf(r),
      action: `${req.method} ${route}`,
      operation: r.operation ?? 'unmatched',
      targetIds: targetIdsOf(req.params),
      status: reply.statusCode,
      result: activityResultOf(reply.statusCode),
      errorCode: r.errorCode ?? null,
      ip: req.ip,
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 512) : null,
      durationMs: Math.round(reply.elapsedTime),
      gateway: this.config.activity.gatewayId,
    };
    try {
      this.spool.append(entry);
    } catch (error) {
      // The disk refused: the one case an entry cannot be kept. Said loudly, never silently.
      this.logger.error(`activity entry could not be spooled (${error instanceof Error ? error.message : String(error)}): ${JSON.stringify(entry)}`);
    }
  }

  private async tick(): Promise<void> {
    if (this.shipping || this.stopped) return;
    this.shipping = (async () => {
      try {
        await this.spool.flush();
      } catch (error) {
        this.logger.error(`activity spool fsync failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        if (Date.now() < this.nextAttempt) return;
        this.spool.seal();
        await this.ship();
        if (this.outage) this.logger.log('audit service reachable again: activity backlog delivered');
        this.outage = false;
        this.backoffMs = 0;
      } catch (error) {
        this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(250, this.backoffMs * 2));
        this.nextAttempt = Date.now() + this.backoffMs;
        if (!this.outage) this.logger.warn(`audit service unreachable (${error instanceof Error ? error.message : String(error)}): activity is kept in the spool and delivered when it is back`);
        this.outage = true;
      } finally {
        this.shipping = undefined;
      }
    })();
    await this.shipping;
  }

  private async ship(): Promise<void> {
    for (const segment of this.spool.sealedSegments()) {
      const { entries, corrupt } = this.spool.read(segment);
      if (corrupt.length > 0) this.logger.error(`activity segment ${segment} holds ${corrupt.length} unreadable line(s) (torn by a crash); first: ${corrupt[0]}`);
      for (let i = 0; i < entries.length; i += BATCH) {
        await this.audit.send(AUDIT_PATTERNS.recordActivity, { entries: entries.slice(i, i + BATCH) as ActivityEntry[] }, { requestId: `activity-${segment}` });
      }
      this.spool.remove(segment);
    }
  }
}

function actorOf(r: CustodianRequest): ActivityActor {
  const p = r.caller?.principal;
  if (p?.kind === 'user') return { kind: 'user', userId: p.userId, sessionId: p.sessionId ?? null };
  if (p?.kind === 'api_key') return { kind: 'api_key', keyId: p.keyId ?? '', userId: p.userId };
  return r.bootstrap ? { kind: 'bootstrap' } : { kind: 'anonymous' };
}

function targetIdsOf(params: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (params && typeof params === 'object') {
    for (const [k, v] of Object.entries(params)) if (typeof v === 'string') out[k] = v.slice(0, 200);
  }
  return out;
}
