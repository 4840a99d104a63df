import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AUDIT_PATTERNS, normalizeIp, type BlocklistFeedResponse } from '@custodian/audit/contracts';
import { LongPollFollower } from '../services/long-poll-follower';
import { ForbiddenError } from '@custodian/kernel';
import { AuditClient } from '../audit/audit.client';
import { GatewayConfig } from '../gateway.config';

const POLL_WAIT_MS = 5_000;

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
  private readonly pollWaitMs: number;
  private readonly follower: LongPollFollower<BlocklistFeedResponse>;

  constructor(
    private readonly audit: AuditClient,
    config: GatewayConfig,
  ) {
    this.pollWaitMs = Math.max(0, Math.min(POLL_WAIT_MS, Math.floor(config.serviceTimeoutMs / 2)));
    // A lost feed keeps enforcing the last list received (onLost does nothing).
    this.follower = new LongPollFollower(
      'audit blocklist feed',
      new Logger('BlocklistCache'),
      () => this.audit.send(AUDIT_PATTERNS.blocklistFeed, { after: this.version, waitMs: this.pollWaitMs }, { requestId: 'blocklist-feed' }),
      {
        onAnswer: (res) => {
          if (res.version === this.version) return;
          this.blocks = new Map(res.blocks.map((b) => [`${b.tenantId}|${b.ip}`, b.until === null ? Number.POSITIVE_INFINITY : Date.parse(b.until)]));
          this.version = res.version;
        },
        onLost: () => undefined,
      },
    );
  }

  onApplicationBootstrap(): void {
    this.follower.start();
  }

  onModuleDestroy(): void {
    this.follower.stop();
  }

  get live(): boolean {
    return this.follower.connected;
  }

  /** ForbiddenError `ip_blocked` when the tenant blocked this client address. */
  assertAllowed(tenantId: string | undefined, ip: string): void {
    if (tenantId && this.isBlocked(tenantId, ip)) throw new ForbiddenError('Requests from this address are blocked for this account', 'ip_blocked');
  }

  isBlocked(tenantId: string, ip: string): boolean {
    const until = this.blocks.get(`${tenantId}|${normalizeIp(ip) ?? ip}`);
    return until !== undefined && Date.now() < until;
  }
}
