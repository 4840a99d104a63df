import { AUDIT_EVENT_TYPES, blocklistStreamId, normalizeIp, upcastAuditEvent, type ActorRef, type BlockedIpView, type BlockIpRequest, type BlocklistEvent, type BlocklistFeedRequest, type BlocklistFeedResponse, type ListBlockedIpsResponse, type UnblockIpRequest } from '@custodian/audit/contracts';
import { activeBlocks, blocklistDecider, type BlocklistCommand, type BlocklistState } from '@custodian/audit/domain';
import type { PostgresEventStore } from '@custodian/event-store';
import { commandContextOf, CommandHandler, ValidationError, type RequestMeta, type ServiceRequest, type Subscription } from '@custodian/kernel';
import { ModuleCaller } from '@custodian/platform';

const MAX_WAIT_MS = 10_000;
const BLOCKLIST_TYPES = AUDIT_EVENT_TYPES.filter((t) => t === 'audit.IpBlocked' || t === 'audit.IpUnblocked');

/**
 * Each tenant's blocked client addresses (stream `audit-blocklist-<tenant>`), changed by
 * admins (security:manage on all locations) and by the security monitor's rules. Every block
 * is an event; the active list of all tenants is held in memory from the log and served to
 * gateways as a long-poll feed (`version` = global position of the last change applied).
 */
export class BlocklistHandler {
  private readonly commands: CommandHandler<BlocklistState, BlocklistCommand, BlocklistEvent>;
  private readonly states = new Map<string, BlocklistState>();
  private version = 0;
  private subscription: Subscription | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly store: PostgresEventStore,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.commands = new CommandHandler(store, blocklistDecider);
  }

  start(onError: (error: unknown) => void): void {
    this.subscription = this.store.subscribeAll({
      typePrefixes: [...BLOCKLIST_TYPES],
      idleMs: 20,
      onError,
      onEvent: async (recorded) => {
        const event = upcastAuditEvent(recorded) as BlocklistEvent;
        const tenantId = event.data.tenantId;
        this.states.set(tenantId, blocklistDecider.evolve(this.states.get(tenantId) ?? blocklistDecider.initialState(), event));
        this.version = recorded.globalPosition;
        for (const wake of this.waiters) wake();
        this.waiters.clear();
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    for (const wake of this.waiters) wake();
  }

  /** Gateways: answers at once when the list moved past `after`, else when it moves or after waitMs. */
  async feed({ body }: ServiceRequest<BlocklistFeedRequest>): Promise<BlocklistFeedResponse> {
    const waitMs = Math.max(0, Math.min(MAX_WAIT_MS, Number(body.waitMs) || 0));
    if (body.after !== undefined && body.after === this.version && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const now = this.clock().toISOString();
    const blocks: BlocklistFeedResponse['blocks'] = [];
    for (const [tenantId, state] of this.states) for (const b of activeBlocks(state, now)) blocks.push({ tenantId, ip: b.ip, until: b.until });
    return { version: this.version, blocks };
  }

  async list({ meta }: ServiceRequest<unknown>): Promise<ListBlockedIpsResponse> {
    const caller = manager(meta);
    return { items: await this.current(caller.tenantId) };
  }

  async block({ meta, body }: ServiceRequest<BlockIpRequest>): Promise<BlockedIpView> {
    const caller = manager(meta);
    const ip = requireIp(body.ip);
    await this.apply(meta, caller.tenantId, { type: 'BlockIp', data: { tenantId: caller.tenantId, ip, until: body.until ?? null, reason: String(body.reason ?? ''), by: { kind: 'user', id: caller.userId }, at: this.clock().toISOString() } });
    const view = (await this.current(caller.tenantId)).find((b) => b.ip === ip);
    if (!view) throw new ValidationError('The block ends before it starts', { field: 'until' }, 'invalid_until');
    return view;
  }

  async unblock({ meta, body }: ServiceRequest<UnblockIpRequest>): Promise<ListBlockedIpsResponse> {
    const caller = manager(meta);
    const ip = requireIp(body.ip);
    await this.apply(meta, caller.tenantId, { type: 'UnblockIp', data: { tenantId: caller.tenantId, ip, by: { kind: 'user', id: caller.userId }, at: this.clock().toISOString() } });
    return { items: await this.current(caller.tenantId) };
  }

  /** The security monitor's block (a rule acting). */
  async blockByRule(tenantId: string, ip: string, until: string, reason: string, rule: string): Promise<void> {
    const meta: RequestMeta = { requestId: `rule-${rule}`, actor: { id: `rule:${rule}` } };
    const by: ActorRef = { kind: 'rule', id: rule };
    await this.apply(meta, tenantId, { type: 'BlockIp', data: { tenantId, ip, until, reason, by, at: this.clock().toISOString() } });
  }

  /** True when `ip` is blocked for the tenant now (from the stream, not the feed's copy). */
  async isBlocked(tenantId: string, ip: string): Promise<boolean> {
    return (await this.current(tenantId)).some((b) => b.ip === (normalizeIp(ip) ?? ip));
  }

  private async apply(meta: RequestMeta, tenantId: string, command: BlocklistCommand): Promise<void> {
    const now = this.clock();
    await this.commands.handle(blocklistStreamId(tenantId), command, commandContextOf(meta, tenantId, now, meta.actor?.id));
  }

  private async current(tenantId: string): Promise<BlockedIpView[]> {
    const events = await this.store.readStream(blocklistStreamId(tenantId));
    const state = events.reduce((s, e) => blocklistDecider.evolve(s, upcastAuditEvent(e) as BlocklistEvent), blocklistDecider.initialState());
    return activeBlocks(state, this.clock().toISOString()).map((b) => ({ ip: b.ip, until: b.until, reason: b.reason, blockedBy: b.by, since: b.since }));
  }
}

function manager(meta: RequestMeta): ModuleCaller {
  const caller = ModuleCaller.of(meta, 'security');
  caller.requireTenantWide('manage');
  return caller;
}

function requireIp(raw: unknown): string {
  const ip = normalizeIp(raw);
  if (!ip) throw new ValidationError('ip must be one IPv4 or IPv6 address', { field: 'ip' }, 'invalid_ip');
  return ip;
}
