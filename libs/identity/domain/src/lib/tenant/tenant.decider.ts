import type { TenantCreated } from '@custodian/identity/contracts';
import { ConflictError, type Decider } from '@custodian/kernel';
import { assertNever } from '@custodian/kernel';
import { invalid, requireText, requireTimestamp } from '@custodian/kernel';
import type { CreateTenant } from './create-tenant.command';

export const TENANT_NAME_MAX_LENGTH = 200;

/** State of stream `identity-tenant-<tenantId>`. */
export type TenantState =
  | { status: 'none' }
  | { status: 'created'; tenantId: string; name: string; ownerId: string; createdAt: string };

export type TenantCommand = CreateTenant;
export type TenantEvent = TenantCreated;

/**
 * A tenant is created once (ConflictError `tenant_exists` afterwards). Name uniqueness is the
 * tenant-name decider's job; the handler claims the name before creating the tenant.
 */
export const tenantDecider: Decider<TenantState, TenantCommand, TenantEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateTenant': {
        const tenantId = requireText(command.data.tenantId, 'tenantId');
        const ownerId = requireText(command.data.ownerId, 'ownerId');
        const createdAt = requireTimestamp(command.data.now, 'now');
        const name = validTenantName(command.data.name);
        switch (state.status) {
          case 'none':
            return [{ type: 'identity.TenantCreated', schemaVersion: 1, data: { tenantId, name, ownerId, createdAt } }];
          case 'created':
            throw new ConflictError('The tenant already exists', 'tenant_exists');
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
      case 'identity.TenantCreated':
        return { status: 'created', ...event.data };
      default:
        return assertNever(event.type, 'event');
    }
  },
};

/** The trimmed name; ValidationError `invalid_tenant_name` unless 1..200 characters (code points). */
function validTenantName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  const length = [...name].length;
  if (length === 0 || length > TENANT_NAME_MAX_LENGTH) {
    throw invalid('name', `The tenant name must have 1 to ${TENANT_NAME_MAX_LENGTH} characters`, 'invalid_tenant_name');
  }
  return name;
}
