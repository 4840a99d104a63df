import type { TenantCreated } from '@custodian/identity/contracts';
import { ConflictError, ValidationError } from '@custodian/kernel';
import { deciderSpec } from '@custodian/testing';
import type { CreateTenant } from './create-tenant.command';
import { tenantDecider } from './tenant.decider';

const spec = deciderSpec(tenantDecider);
const now = '2025-03-14T09:26:53.589Z';

const create = (name: string, overrides: Partial<CreateTenant['data']> = {}): CreateTenant => ({
  type: 'CreateTenant',
  data: { tenantId: 'tenant-1', name, ownerId: 'owner-1', now, ...overrides },
});
const created = (name: string): TenantCreated => ({
  type: 'identity.TenantCreated',
  schemaVersion: 1,
  data: { tenantId: 'tenant-1', name, ownerId: 'owner-1', createdAt: now },
});

describe('tenant decider', () => {
  it('creates a tenant at the commanded time', () => {
    spec.given([]).when(create('Acme Cleaning')).then([created('Acme Cleaning')]);
  });

  it('stores the name trimmed', () => {
    spec.given([]).when(create('  Acme Cleaning \n')).then([created('Acme Cleaning')]);
  });

  it('refuses to create the same tenant twice', () => {
    spec.given([created('Acme Cleaning')]).when(create('Other Name')).thenThrows(ConflictError, 'tenant_exists');
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   \t '],
    ['201 characters', 'x'.repeat(201)],
  ])('refuses a name that is %s', (_label, name) => {
    spec.given([]).when(create(name)).thenThrows(ValidationError, 'invalid_tenant_name');
  });

  it('accepts 1 and 200 characters, counting code points', () => {
    spec.given([]).when(create('x')).then([created('x')]);
    spec.given([]).when(create(` ${'x'.repeat(200)} `)).then([created('x'.repeat(200))]);
    spec.given([]).when(create('😀'.repeat(200))).then([created('😀'.repeat(200))]);
  });

  it('requires the time from the command', () => {
    spec.given([]).when(create('Acme', { now: '' })).thenThrows(ValidationError, 'validation_failed');
    spec.given([]).when(create('Acme', { now: 'yesterday' })).thenThrows(ValidationError, 'validation_failed');
  });

  it('keeps the created tenant in state', () => {
    spec
      .given([])
      .when(create('Acme'))
      .thenState({ status: 'created', tenantId: 'tenant-1', name: 'Acme', ownerId: 'owner-1', createdAt: now });
  });
});
