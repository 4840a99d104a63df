import type { TenantNameClaimed } from '@custodian/identity/contracts';
import { ConflictError, type Decider } from '@custodian/kernel';
import { assertNever } from '@custodian/kernel';
import { requireHex, requireText } from '@custodian/kernel';
import type { ClaimTenantName } from './claim-tenant-name.command';

/** State of stream `identity-tenant-name-<nameKey>`: who holds the name, if anyone. */
export type TenantNameState =
  | { status: 'unclaimed' }
  | { status: 'claimed'; tenantId: string; nameKey: string };

export type TenantNameCommand = ClaimTenantName;
export type TenantNameEvent = TenantNameClaimed;

/**
 * Uniqueness of tenant names (one stream per normalised name, so the store's version check
 * is the lock). A name is never released. Claiming it again for the same tenant is a no-op,
 * so a retried sign-up can resume; for any other tenant it is ConflictError `tenant_name_taken`.
 */
export const tenantNameDecider: Decider<TenantNameState, TenantNameCommand, TenantNameEvent> = {
  initialState: () => ({ status: 'unclaimed' }),

  decide(command, state) {
    switch (command.type) {
      case 'ClaimTenantName': {
        const tenantId = requireText(command.data.tenantId, 'tenantId');
        const nameKey = requireHex(command.data.nameKey, 'nameKey', 64);
        switch (state.status) {
          case 'unclaimed':
            return [{ type: 'identity.TenantNameClaimed', schemaVersion: 1, data: { tenantId, nameKey } }];
          case 'claimed':
            if (state.tenantId === tenantId) return [];
            throw new ConflictError('This tenant name is already taken', 'tenant_name_taken');
          default:
            return assertNever(state, 'state');
        }
      }
      default:
        return assertNever(command.type, 'command');
    }
  },

  evolve(_state, event) {
    switch (event.type) {
      case 'identity.TenantNameClaimed':
        return { status: 'claimed', tenantId: event.data.tenantId, nameKey: event.data.nameKey };
      default:
        return assertNever(event.type, 'event');
    }
  },
};
