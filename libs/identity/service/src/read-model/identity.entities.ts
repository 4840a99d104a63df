import { Column, Entity, PrimaryColumn } from 'typeorm';

/** identity_rm.tenants — one row per tenant (from identity.TenantCreated). */
@Entity({ schema: 'identity_rm', name: 'tenants' })
export class TenantView {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') name!: string;
  @Column('uuid', { name: 'owner_id' }) ownerId!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

/** identity_rm.users — personal fields stay encrypted here too; the service decrypts on read. */
@Entity({ schema: 'identity_rm', name: 'users' })
export class UserView {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text', { name: 'email_index' }) emailIndex!: string;
  @Column('text', { name: 'email_encrypted' }) emailEncrypted!: string;
  @Column('text', { name: 'name_encrypted' }) nameEncrypted!: string;
  @Column('boolean', { name: 'is_owner' }) isOwner!: boolean;
  @Column('text') status!: 'invited' | 'active' | 'disabled';
  @Column('boolean') invited!: boolean;
  @Column('timestamptz', { name: 'registered_at' }) registeredAt!: Date;
  @Column('timestamptz', { name: 'last_login_at', nullable: true }) lastLoginAt!: Date | null;
  @Column('timestamptz', { name: 'locked_until', nullable: true }) lockedUntil!: Date | null;
}

/** identity_rm.grants — the current module grants of each user. */
@Entity({ schema: 'identity_rm', name: 'grants' })
export class GrantView {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId!: string;
  @PrimaryColumn('text') module!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') access!: string;
  @Column('jsonb') locations!: 'all' | string[];
}

/** identity_rm.api_keys — API keys for listing; authentication always reads the key's stream. */
@Entity({ schema: 'identity_rm', name: 'api_keys' })
export class ApiKeyView {
  @PrimaryColumn('uuid', { name: 'key_id' }) keyId!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') name!: string;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @Column('jsonb') grants!: Array<{ module: string; access: string; locations: 'all' | string[] }>;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}

export const IDENTITY_READ_MODEL_ENTITIES = [TenantView, UserView, GrantView, ApiKeyView];
