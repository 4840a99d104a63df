import type { Command } from '@custodian/kernel';
import type { ActorRef } from '@custodian/audit/contracts';

/** Who acts and when; the tenant names the stream (`audit-blocklist-<tenantId>`). */
type Base = { tenantId: string; by: ActorRef; at: string };

/** Refuse `ip` (any spelling; stored normalised) until `until` (exclusive), or until unblocked when null. */
export type BlockIp = Command<'BlockIp', Base & { ip: string; until: string | null; reason: string }>;
export type UnblockIp = Command<'UnblockIp', Base & { ip: string }>;
