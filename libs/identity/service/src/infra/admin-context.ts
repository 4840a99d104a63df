import type { CommandContext } from '@custodian/kernel';
import type { RequestMeta } from '@custodian/identity/contracts';
import type { ActorAuthority } from '@custodian/identity/domain';
import type { AuthorityReader } from './authority';
import { commandContextOf as commandContext } from '@custodian/kernel';

/** An authenticated administrative request: the caller's tenant, authority (re-read now) and command context. */
export type AdminContext = { tenantId: string; authority: ActorAuthority; ctx: CommandContext; now: Date };

export async function adminContext(authority: AuthorityReader, meta: RequestMeta, now: Date): Promise<AdminContext> {
  const actor = await authority.actorOf(meta);
  return { tenantId: actor.tenantId, authority: actor.authority, now, ctx: commandContext(meta, actor.tenantId, now, actor.authority.id) };
}
