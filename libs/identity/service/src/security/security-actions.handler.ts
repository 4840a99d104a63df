import { apiKeyStreamId, userStreamId, type SecurityActionResponse, type SecurityRevokeApiKeyRequest, type SecuritySuspendUserRequest, type ServiceRequest } from '@custodian/identity/contracts';
import { commandContextOf, NotFoundError, requireText } from '@custodian/kernel';
import { uuidOrUndefined } from '@custodian/platform';
import type { IdentityCommands } from '../infra/identity-store';

/**
 * What the security monitor may do to accounts on its own (DESIGN "Security model"): suspend
 * a user under attack, revoke an API key used from a blocked address. Reached only over the
 * internal transport (no gateway route); the acting rule is recorded as the events' actor.
 */
export class SecurityActionsHandler {
  constructor(
    private readonly commands: IdentityCommands,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async suspendUser({ meta, body }: ServiceRequest<SecuritySuspendUserRequest>): Promise<SecurityActionResponse> {
    const { tenantId, id: userId, rule, now } = this.target(body.tenantId, body.userId, body.rule, 'User not found', 'user_not_found');
    const outcome = await this.commands.users.handle(userStreamId(userId), { type: 'SuspendUser', data: { tenantId, userId, at: now.toISOString(), rule } }, commandContextOf(meta, tenantId, now, `rule:${rule}`));
    return { changed: outcome.events.length > 0 && !outcome.replayed };
  }

  async revokeApiKey({ meta, body }: ServiceRequest<SecurityRevokeApiKeyRequest>): Promise<SecurityActionResponse> {
    const { tenantId, id: keyId, rule, now } = this.target(body.tenantId, body.keyId, body.rule, 'API key not found', 'api_key_not_found');
    const actor = { id: `rule:${rule}`, userId: `rule:${rule}`, isOwner: false, grants: [] };
    const outcome = await this.commands.apiKeys.handle(apiKeyStreamId(keyId), { type: 'RevokeApiKey', data: { tenantId, keyId, at: now.toISOString(), actor } }, commandContextOf(meta, tenantId, now, `rule:${rule}`));
    return { changed: outcome.events.length > 0 && !outcome.replayed };
  }

  private target(rawTenant: unknown, rawId: unknown, rawRule: unknown, message: string, code: string) {
    const tenantId = uuidOrUndefined(rawTenant);
    const id = uuidOrUndefined(rawId);
    if (!tenantId || !id) throw new NotFoundError(message, code);
    return { tenantId, id, rule: requireText(rawRule, 'rule'), now: this.clock() };
  }
}
