import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '@custodian/kernel';
import type { Projection } from '@custodian/projections';
import { upcastIdentityEvent } from '@custodian/identity/contracts';
import { ApiKeyView, GrantView, TenantView, UserView } from './identity.entities';

/**
 * Builds identity_rm.{tenants, users, grants, api_keys} from identity events. Every write is an upsert
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
        await manager.query(`UPDATE identity_rm.users SET status = CASE WHEN invited THEN 'invited' ELSE 'active' END WHERE user_id = $1`, [event.data.userId]);
        return;
      case 'identity.UserInvited':
        await manager.upsert(
          UserView,
          {
            userId: event.data.userId,
            tenantId: event.data.tenantId,
            emailIndex: event.data.emailIndex,
            emailEncrypted: event.data.emailEncrypted,
            nameEncrypted: event.data.nameEncrypted,
            isOwner: false,
            status: 'invited',
            invited: true,
            registeredAt: new Date(event.data.invitedAt),
          },
          ['userId'],
        );
        return;
      case 'identity.UserActivated':
        await manager.query(`UPDATE identity_rm.users SET invited = false, status = CASE WHEN status = 'disabled' THEN 'disabled' ELSE 'active' END WHERE user_id = $1`, [event.data.userId]);
        return;
      case 'identity.OwnershipReceived':
        await manager.update(UserView, { userId: event.data.userId }, { isOwner: true });
        await manager.update(TenantView, { tenantId: event.data.tenantId }, { ownerId: event.data.userId });
        return;
      case 'identity.OwnershipRelinquished':
        await manager.update(UserView, { userId: event.data.userId }, { isOwner: false });
        return;
      case 'identity.LoginSucceeded':
        await manager.update(UserView, { userId: event.data.userId }, { lastLoginAt: new Date(event.data.at), lockedUntil: null });
        return;
      case 'identity.AccountLocked':
        await manager.update(UserView, { userId: event.data.userId }, { lockedUntil: new Date(event.data.until) });
        return;
      case 'identity.ApiKeyCreated':
        await manager.upsert(
          ApiKeyView,
          {
            keyId: event.data.keyId,
            tenantId: event.data.tenantId,
            name: event.data.name,
            createdBy: event.data.createdBy,
            grants: event.data.grants,
            createdAt: new Date(event.data.at),
            expiresAt: event.data.expiresAt ? new Date(event.data.expiresAt) : null,
          },
          ['keyId'],
        );
        return;
      case 'identity.ApiKeyRevoked':
        await manager.update(ApiKeyView, { keyId: event.data.keyId }, { revokedAt: new Date(event.data.at) });
        return;
      case 'identity.TenantNameClaimed':
      case 'identity.EmailClaimed':
      case 'identity.LoginFailed':
      case 'identity.LoginBlocked':
      case 'identity.UnknownAccountLoginFailed':
      case 'identity.SessionRevoked':
      case 'identity.ApiKeyRotated':
        return;
      default: {
        const never: never = event;
        throw new Error(`identity projection: unhandled event ${JSON.stringify(never)}`);
      }
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query('DELETE FROM identity_rm.api_keys; DELETE FROM identity_rm.grants; DELETE FROM identity_rm.users; DELETE FROM identity_rm.tenants;');
  },
};
