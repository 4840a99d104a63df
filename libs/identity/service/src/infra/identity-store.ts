import { CommandHandler, type EventStore } from '@custodian/kernel';
import { apiKeyDecider, emailClaimDecider, loginDecider, tenantDecider, tenantNameDecider, userDecider } from '@custodian/identity/domain';

/** The identity context's command handlers, one per decider, over one event store. */
export class IdentityCommands {
  readonly tenantNames;
  readonly tenants;
  readonly emailClaims;
  readonly users;
  readonly logins;
  readonly apiKeys;

  constructor(readonly store: EventStore) {
    this.tenantNames = new CommandHandler(store, tenantNameDecider);
    this.tenants = new CommandHandler(store, tenantDecider);
    this.emailClaims = new CommandHandler(store, emailClaimDecider);
    this.users = new CommandHandler(store, userDecider);
    this.logins = new CommandHandler(store, loginDecider);
    this.apiKeys = new CommandHandler(store, apiKeyDecider);
  }
}
