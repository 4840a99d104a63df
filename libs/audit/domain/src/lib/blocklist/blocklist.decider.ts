import { assertNever, invalid, requireText, requireTimestamp, type Decider } from '@custodian/kernel';
import { BLOCK_REASON_MAX_LENGTH, normalizeIp, parseActorRef, type ActorRef, type BlocklistEvent } from '@custodian/audit/contracts';
import type { BlockIp, UnblockIp } from './blocklist.commands';

export type BlocklistCommand = BlockIp | UnblockIp;

/** One blocked address. `since` is when the block began, kept across re-blocks that extend or change it without a gap. */
export type IpBlock = { until: string | null; reason: string; by: ActorRef; since: string };

/**
 * State of stream `audit-blocklist-<tenantId>`: normalised address → its block. A block whose
 * `until` has passed may linger until the next event; read it through `activeBlock`, `isBlocked`
 * or `activeBlocks`, never directly.
 */
export type BlocklistState = Readonly<Record<string, IpBlock>>;

/**
 * A tenant's IP blocklist.
 * - Addresses are stored and compared normalised (`normalizeIp`); anything else is refused
 *   (400 `invalid_ip`). A block ends at `until` (exclusive) or lasts until unblocked when null;
 *   `until` must be after `at` (400 `invalid_until`).
 * - Blocking an address that is blocked at `at` with the same end and reason emits nothing
 *   (idempotent repeat); a different end or reason re-blocks (a new IpBlocked replaces the block).
 * - A rule never shortens a block: when the current block ends at or after the rule's `until`
 *   (or never ends) a rule's BlockIp emits nothing. A user may shorten or lengthen freely.
 * - Unblocking an address that is not blocked at `at` (never, unblocked, or expired) emits nothing.
 */
export const blocklistDecider: Decider<BlocklistState, BlocklistCommand, BlocklistEvent> = {
  initialState: () => ({}),
  decide(command, state) {
    switch (command.type) {
      case 'BlockIp':
        return block(command, state);
      case 'UnblockIp':
        return unblock(command, state);
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    const { ip, at } = event.data;
    // Blocks that have ended by this event's time are dropped, so state holds only live ones.
    const live: Record<string, IpBlock> = {};
    for (const [address, b] of Object.entries(state)) if (activeAt(b, at) && address !== ip) live[address] = b;
    switch (event.type) {
      case 'audit.IpBlocked': {
        const current = Object.prototype.hasOwnProperty.call(state, ip) && activeAt(state[ip], at) ? state[ip] : undefined;
        live[ip] = { until: event.data.until, reason: event.data.reason, by: event.data.by, since: current ? current.since : at };
        return live;
      }
      case 'audit.IpUnblocked':
        return live;
      default:
        return assertNever(event, 'event');
    }
  },
};

function block({ data }: BlockIp, state: BlocklistState): BlocklistEvent[] {
  const { tenantId, ip, by, at } = common(data);
  const reason = requireText(data.reason, 'reason');
  if ([...reason].length > BLOCK_REASON_MAX_LENGTH) throw invalid('reason', `reason is at most ${BLOCK_REASON_MAX_LENGTH} characters`);
  const until = data.until === null ? null : requireTimestamp(data.until, 'until');
  if (until !== null && Date.parse(until) <= Date.parse(at)) throw invalid('until', 'until must be after at', 'invalid_until');
  const current = activeBlock(state, ip, at);
  if (current && sameEnd(current.until, until) && current.reason === reason) return [];
  if (current && by.kind === 'rule' && endsNoEarlier(current.until, until)) return [];
  return [{ type: 'audit.IpBlocked', schemaVersion: 1, data: { tenantId, ip, until, reason, by, at } }];
}

function unblock({ data }: UnblockIp, state: BlocklistState): BlocklistEvent[] {
  const { tenantId, ip, by, at } = common(data);
  if (!activeBlock(state, ip, at)) return [];
  return [{ type: 'audit.IpUnblocked', schemaVersion: 1, data: { tenantId, ip, by, at } }];
}

function common(data: { tenantId: string; ip: string; by: ActorRef; at: string }): { tenantId: string; ip: string; by: ActorRef; at: string } {
  const tenantId = requireText(data.tenantId, 'tenantId');
  const ip = normalizeIp(data.ip);
  if (ip === undefined) throw invalid('ip', 'ip must be an IPv4 or IPv6 address', 'invalid_ip');
  const by = parseActorRef(data.by);
  if (!by) throw invalid('by', 'by must name a user or a rule');
  return { tenantId, ip, by, at: requireTimestamp(data.at, 'at') };
}

/** The block refusing `ip` (any spelling) at `now`, if any. */
export function activeBlock(state: BlocklistState, ip: string, now: string): IpBlock | undefined {
  const key = normalizeIp(ip);
  if (key === undefined || !Object.prototype.hasOwnProperty.call(state, key)) return undefined;
  return activeAt(state[key], now) ? state[key] : undefined;
}

/** True when `ip` (any spelling) is refused at `now`. An address that does not parse is never blocked. */
export function isBlocked(state: BlocklistState, ip: string, now: string): boolean {
  return activeBlock(state, ip, now) !== undefined;
}

/** Every block in force at `now`, ordered by address. */
export function activeBlocks(state: BlocklistState, now: string): Array<IpBlock & { ip: string }> {
  return Object.entries(state)
    .filter(([, b]) => activeAt(b, now))
    .map(([ip, b]) => ({ ip, ...b }))
    .sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

function activeAt(b: IpBlock, now: string): boolean {
  return b.until === null || Date.parse(now) < Date.parse(b.until);
}

function sameEnd(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : Date.parse(a) === Date.parse(b);
}

/** True when an end `a` is no earlier than `b` (null = never ends). */
function endsNoEarlier(a: string | null, b: string | null): boolean {
  return a === null || (b !== null && Date.parse(a) >= Date.parse(b));
}
