import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { IDENTITY_PATTERNS, type AccessChange, type AccessChangesResponse, type Principal, type PrincipalRequest } from '@custodian/identity/contracts';
import { LongPollFollower } from '../services/long-poll-follower';
import { IdentityClient } from '../identity/identity.client';
import { GatewayConfig } from '../gateway.config';

const MAX_ENTRIES = 20_000;
/** Longest long-poll; kept well inside the service timeout so a quiet feed never looks like a lost one. */
const POLL_WAIT_MS = 5_000;

/**
 * What each credential may do, cached in this gateway and forgotten the moment the identity
 * service's access-change feed says it changed (a grant, revocation, disable, logout, key
 * rotation) — invalidation by event, not by expiry.
 * - Fail safe: while the feed is not connected nothing is served from the cache (every request
 *   asks identity), and a feed `reset` drops everything.
 * - No stale write-back: an answer fetched while any invalidation arrived is not cached.
 */
@Injectable()
export class PrincipalCache implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly entries = new Map<string, Principal>();
  private position: number | undefined;
  /** Bumped by every invalidation; a fetch that saw it change does not cache. */
  private epoch = 0;
  private readonly follower: LongPollFollower<AccessChangesResponse>;

  private readonly pollWaitMs: number;

  constructor(
    private readonly identity: IdentityClient,
    config: GatewayConfig,
  ) {
    this.pollWaitMs = Math.max(0, Math.min(POLL_WAIT_MS, Math.floor(config.serviceTimeoutMs / 2)));
    // Fail safe: while the feed is lost nothing is cached, and the position is forgotten.
    this.follower = new LongPollFollower(
      'access-change feed',
      new Logger('PrincipalCache'),
      () => this.identity.send(IDENTITY_PATTERNS.accessChanges, { after: this.position, waitMs: this.pollWaitMs }, { requestId: 'access-changes' }),
      {
        onAnswer: (res) => {
          if (res.reset) this.clear();
          else this.invalidate(res.changes);
          this.position = res.position;
        },
        onLost: () => {
          this.clear();
          this.position = undefined;
        },
      },
    );
  }

  onApplicationBootstrap(): void {
    this.follower.start();
  }

  onModuleDestroy(): void {
    this.follower.stop();
    this.clear();
  }

  private get connected(): boolean {
    return this.follower.connected;
  }

  /** The principal of a session access token (already signature-checked). */
  session(tenantId: string, userId: string, sessionId: string): Promise<Principal> {
    // Keyed by every claim identity checks, so a hit never serves a token naming another user or tenant.
    return this.get(`s:${tenantId}:${userId}:${sessionId}`, { kind: 'session', tenantId, userId, sessionId });
  }

  /** The principal of an API key secret (cached under the secret's hash, never the secret). */
  apiKey(secret: string): Promise<Principal> {
    return this.get(`k:${createHash('sha256').update(secret).digest('hex')}`, { kind: 'api_key', secret });
  }

  /** True while the feed is connected (exposed for readiness and tests). */
  get live(): boolean {
    return this.connected;
  }

  private async get(key: string, request: PrincipalRequest): Promise<Principal> {
    const cached = this.connected ? this.entries.get(key) : undefined;
    if (cached) return cached;
    const epoch = this.epoch;
    const principal = await this.identity.send(IDENTITY_PATTERNS.principal, request, { requestId: `principal-${key.slice(0, 10)}` });
    if (this.connected && epoch === this.epoch) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, principal);
    }
    return principal;
  }

  private clear(): void {
    this.epoch++;
    this.entries.clear();
  }

  private invalidate(changes: AccessChange[]): void {
    if (changes.length === 0) return;
    this.epoch++;
    const users = new Set(changes.filter((c) => c.kind === 'user').map((c) => c.id));
    const sessions = new Set(changes.filter((c) => c.kind === 'session').map((c) => c.id));
    const keys = new Set(changes.filter((c) => c.kind === 'api_key').map((c) => c.id));
    for (const [key, p] of this.entries) {
      // A user change also reaches the API keys that user created (their grants are capped by the creator's).
      if (users.has(p.userId) || (p.sessionId && sessions.has(p.sessionId)) || (p.keyId && keys.has(p.keyId))) this.entries.delete(key);
    }
  }
}
