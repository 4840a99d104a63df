import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AUDIT_PATTERNS, normalizeIp } from '@custodian/audit/contracts';
import { ForbiddenError } from '@custodian/kernel';
import { AuditClient } from '../audit/audit.client';
import { GatewayConfig } from '../gateway.config';

const POLL_WAIT_MS = 5_000;
const RETRY_MS = 250;

/**
 * The tenants' blocked client addresses, held in this gateway and kept current by long-polling
 * the audit service's blocklist feed: a block (by an admin or a security rule) bites at every
 * gateway as soon as the feed answers — well inside a second. Expiry is applied locally.
 * While the feed is unreachable the last list received keeps being enforced (a block is not
 * lifted by an audit outage); before the first answer nothing is blocked.
 */
@Injectable()
export class BlocklistCache implements OnApplicationBootstrap, OnModuleDestroy {
  private blocks = new Map<string, number>();
  private version: number | undefined;
  private running = false;
  private connected = false;
  private warned = false;
  private loop: Promise<void> | undefined;
  private readonly logger = new Logger('BlocklistCache');
  private readonly pollWaitMs: number;

  constructor(
    private readonly audit: AuditClient,
    config: GatewayConfig,
  ) {
    this.pollWaitMs = Math.max(0, Math.min(POLL_WAIT_MS, Math.floor(config.serviceTimeoutMs / 2)));
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.follow();
  }

  onModuleDestroy(): void {
    this.running = false;
    void this.loop?.catch(() => undefined);
  }

  get live(): boolean {
    return this.connected;
  }

  /** ForbiddenError `ip_blocked` when the tenant blocked this client address. */
  assertAllowed(tenantId: string | undefined, ip: string): void {
    if (tenantId && this.isBlocked(tenantId, ip)) throw new ForbiddenError('Requests from this address are blocked for this account', 'ip_blocked');
  }

  isBlocked(tenantId: string, ip: string): boolean {
    const until = this.blocks.get(`${tenantId}|${normalizeIp(ip) ?? ip}`);
    return until !== undefined && Date.now() < until;
  }

  private async follow(): Promise<void> {
    while (this.running) {
      try {
        const res = await this.audit.send(AUDIT_PATTERNS.blocklistFeed, { after: this.version, waitMs: this.pollWaitMs }, { requestId: 'blocklist-feed' });
        if (res.version !== this.version) {
          this.blocks = new Map(res.blocks.map((b) => [`${b.tenantId}|${b.ip}`, b.until === null ? Number.POSITIVE_INFINITY : Date.parse(b.until)]));
          this.version = res.version;
        }
        if (!this.connected) this.logger.log('following the audit blocklist feed');
        this.connected = true;
        this.warned = false;
      } catch (error) {
        if (!this.warned) this.logger.warn(`blocklist feed unreachable (${error instanceof Error ? error.message : String(error)}): enforcing the last list received`);
        this.warned = true;
        this.connected = false;
        if (this.running) await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}
