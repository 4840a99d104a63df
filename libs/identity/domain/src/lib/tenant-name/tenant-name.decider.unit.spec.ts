import { tenantNameKey, type TenantNameClaimed } from '@custodian/identity/contracts';
import { ConflictError, ValidationError } from '@custodian/kernel';
import { deciderSpec } from '@custodian/testing';
import type { ClaimTenantName } from './claim-tenant-name.command';
import { tenantNameDecider } from './tenant-name.decider';

const spec = deciderSpec(tenantNameDecider);
const nameKey = tenantNameKey('Acme Cleaning');

const claim = (tenantId: string, key = nameKey): ClaimTenantName => ({ type: 'ClaimTenantName', data: { tenantId, nameKey: key } });
const claimed = (tenantId: string): TenantNameClaimed => ({
  type: 'identity.TenantNameClaimed',
  schemaVersion: 1,
  data: { tenantId, nameKey },
});

describe('tenant name decider', () => {
  it('claims a free name for the tenant', () => {
    spec.given([]).when(claim('tenant-a')).then([claimed('tenant-a')]);
  });

  it('refuses a name another tenant holds', () => {
    spec.given([claimed('tenant-a')]).when(claim('tenant-b')).thenThrows(ConflictError, 'tenant_name_taken');
  });

  it('accepts a repeated claim by the holder without new events', () => {
    spec.given([claimed('tenant-a')]).when(claim('tenant-a')).thenNothing();
  });

  it('keeps the holder in state', () => {
    spec.given([]).when(claim('tenant-a')).thenState({ status: 'claimed', tenantId: 'tenant-a', nameKey });
  });

  it('refuses a key that is not a hex SHA-256', () => {
    spec.given([]).when(claim('tenant-a', 'Acme Cleaning')).thenThrows(ValidationError, 'validation_failed');
    spec.given([]).when(claim('tenant-a', nameKey.slice(1))).thenThrows(ValidationError, 'validation_failed');
  });

  it('refuses a missing tenant id', () => {
    spec.given([]).when(claim('')).thenThrows(ValidationError, 'validation_failed');
  });
});
