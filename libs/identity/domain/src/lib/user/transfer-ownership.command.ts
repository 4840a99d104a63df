import type { Command } from '@custodian/kernel';
import type { ActorAuthority } from '../authority/actor-authority';

/**
 * Ownership moves in two steps, each on its own user stream: the new owner receives it (and
 * with it manage on every module everywhere), then the old owner relinquishes it. In that
 * order a tenant is never without an owner. Only the current owner may start it.
 */
export type ReceiveOwnership = Command<'ReceiveOwnership', { tenantId: string; userId: string; fromUserId: string; at: string; actor: ActorAuthority }>;
export type RelinquishOwnership = Command<'RelinquishOwnership', { tenantId: string; userId: string; toUserId: string; at: string; actor: ActorAuthority }>;
