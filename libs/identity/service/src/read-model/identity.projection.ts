import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '@custodian/kernel';
import type { Projection } from '@custodian/projections';
import { upcastIdentityEvent } from '@custodian/identity/contracts';
import { GrantView, TenantView, UserView } from './identity.entities';

/**
 * Builds identity_rm.{tenants, users, grants} from identity events. Every write is an upsert
 * or keyed update, so applying the log from zero reproduces the same rows.
 */
export const identityProjection: Projection = {
  name: 'identity.read-model.v1',
  typePrefixes: ['identity.'],
  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = upcastIdentityEvent(recorded);
    switch (event.type) {
      case 'identity.TenantCreated':
        await manager.upsert(TenantView, { tenantId: event.data.tenantId, name: event.data.name, ownerId: event.data.ownerId, createdAt: new Date(event.data.createdAt) }, ['tenantId']);
        return;
      case 'identity.UserRegistered':
        await manager.upsert(
          UserView,
          {
            userId: event.data.userId,
            tenantId: event.data.tenantId,
            emailIndex: event.data.emailIndex,
            emailEncrypted: event.data.emailEncrypted,
            nameEncrypted: event.data.nameEncrypted,
            isOwner: event.data.isOwner,
            status: 'active',
            registeredAt: new Date(event.data.registeredAt),
          },
          ['userId'],
        );
        return;
      case 'identity.ModuleAccessGranted':
        await manager.upsert(
          GrantView,
          { userId: event.data.userId, tenantId: event.data.tenantId, module: event.data.module, access: event.data.access, locations: event.data.locations },
          ['userId', 'module'],
        );
        return;
      case 'identity.ModuleAccessRevoked':
        await manager.delete(GrantView, { userId: event.data.userId, module: event.data.module });
        return;
      case 'identity.UserDisabled':
        await manager.update(UserView, { userId: event.data.userId }, { status: 'disabled' });
        return;
      case 'identity.UserEnabled':
        await manager.update(UserView, { userId: event.data.userId }, { status: 'active' });
        return;
      case 'identity.LoginSucceeded':
        await manager.update(UserView, { userId: event.data.userId }, { lastLoginAt: new Date(event.data.at) });
        return;
      case 'identity.TenantNameClaimed':
      case 'identity.EmailClaimed':
      case 'identity.LoginFailed':
        return;
      default: {
        const never: never = event;
        throw new Error(`identity projection: unhandled event ${JSON.stringify(never)}`);
      }
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query('DELETE FROM identity_rm.grants; DELETE FROM identity_rm.users; DELETE FROM identity_rm.tenants;');
  },
};
