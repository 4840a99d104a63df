import type { Principal, PrincipalRequest, ServiceRequest } from '@custodian/identity/contracts';
import { UnauthorizedError } from '@custodian/kernel';
import type { AuthorityReader } from '../infra/authority';

/** The gateway's question for every credential it has not cached: who is this, and what may it do now? */
export class PrincipalHandler {
  constructor(private readonly authority: AuthorityReader) {}

  async handle({ body }: ServiceRequest<PrincipalRequest>): Promise<Principal> {
    switch (body?.kind) {
      case 'session':
        return this.authority.sessionPrincipal(body.tenantId, body.userId, body.sessionId);
      case 'api_key':
        return this.authority.apiKeyPrincipal(body.secret);
      default:
        throw new UnauthorizedError('Unknown credential kind', 'invalid_token');
    }
  }
}
