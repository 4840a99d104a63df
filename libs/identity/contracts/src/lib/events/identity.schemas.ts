import { ACCESS_LEVELS, MODULES } from '../access';
import type { IdentityEventType } from './identity.events';

/*
 * JSON Schemas (draft 2020-12) of the published identity events, one per type and version.
 * Integrators validate against these; the fixture tests hold every version to its schema.
 * A schema never changes once published: a new shape is a new version with a new schema.
 */

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const id = { type: 'string', minLength: 1 } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const ciphertext = { type: 'string', minLength: 1 } as const;
const hex = { type: 'string', pattern: '^[0-9a-f]+$' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const moduleName = { enum: MODULES } as const;
const accessLevel = { enum: ACCESS_LEVELS } as const;
const locations = {
  oneOf: [
    { const: 'all' },
    { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
  ],
} as const;

const nullableTimestamp = { type: ['string', 'null'], format: 'date-time' } as const;
/** A list of module grants, one per module (API key grants). */
const grantList = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['module', 'access', 'locations'],
    properties: { module: moduleName, access: accessLevel, locations },
  },
} as const;

export const TenantNameClaimedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.TenantNameClaimed:v1',
  title: 'identity.TenantNameClaimed v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.TenantNameClaimed' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'nameKey'],
      properties: {
        tenantId: id,
        nameKey: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      },
    },
  },
} as const;

export const TenantCreatedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.TenantCreated:v1',
  title: 'identity.TenantCreated v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.TenantCreated' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'name', 'ownerId', 'createdAt'],
      properties: {
        tenantId: id,
        name: { type: 'string', minLength: 1, maxLength: 200 },
        ownerId: id,
        createdAt: timestamp,
      },
    },
  },
} as const;

export const EmailClaimedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.EmailClaimed:v1',
  title: 'identity.EmailClaimed v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.EmailClaimed' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'emailIndex'],
      properties: {
        tenantId: id,
        userId: id,
        emailIndex: hex,
      },
    },
  },
} as const;

export const UserRegisteredV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.UserRegistered:v1',
  title: 'identity.UserRegistered v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.UserRegistered' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: [
        'tenantId',
        'userId',
        'emailIndex',
        'emailEncrypted',
        'nameEncrypted',
        'passwordHashEncrypted',
        'isOwner',
        'registeredAt',
      ],
      properties: {
        tenantId: id,
        userId: id,
        emailIndex: hex,
        emailEncrypted: ciphertext,
        nameEncrypted: ciphertext,
        passwordHashEncrypted: ciphertext,
        isOwner: { type: 'boolean' },
        registeredAt: timestamp,
      },
    },
  },
} as const;

export const ModuleAccessGrantedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.ModuleAccessGranted:v1',
  title: 'identity.ModuleAccessGranted v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.ModuleAccessGranted' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'module', 'access', 'locations', 'grantedAt'],
      properties: {
        tenantId: id,
        userId: id,
        module: moduleName,
        access: accessLevel,
        locations,
        grantedAt: timestamp,
      },
    },
  },
} as const;

export const ModuleAccessRevokedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.ModuleAccessRevoked:v1',
  title: 'identity.ModuleAccessRevoked v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.ModuleAccessRevoked' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'module', 'revokedAt'],
      properties: {
        tenantId: id,
        userId: id,
        module: moduleName,
        revokedAt: timestamp,
      },
    },
  },
} as const;

export const LoginSucceededV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.LoginSucceeded:v1',
  title: 'identity.LoginSucceeded v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.LoginSucceeded' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'at', 'ip', 'userAgent'],
      properties: {
        tenantId: id,
        userId: id,
        at: timestamp,
        ip: nullableString,
        userAgent: nullableString,
      },
    },
  },
} as const;

export const LoginFailedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.LoginFailed:v1',
  title: 'identity.LoginFailed v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.LoginFailed' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'at', 'ip', 'userAgent', 'reason'],
      properties: {
        tenantId: id,
        userId: id,
        at: timestamp,
        ip: nullableString,
        userAgent: nullableString,
        reason: { enum: ['bad_password', 'disabled'] },
      },
    },
  },
} as const;

export const UserDisabledV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.UserDisabled:v1',
  title: 'identity.UserDisabled v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.UserDisabled' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'at'],
      properties: {
        tenantId: id,
        userId: id,
        at: timestamp,
      },
    },
  },
} as const;

export const UserEnabledV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.UserEnabled:v1',
  title: 'identity.UserEnabled v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.UserEnabled' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'at'],
      properties: {
        tenantId: id,
        userId: id,
        at: timestamp,
      },
    },
  },
} as const;

export const UserInvitedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.UserInvited:v1',
  title: 'identity.UserInvited v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.UserInvited' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'emailIndex', 'emailEncrypted', 'nameEncrypted', 'activationTokenHash', 'activationExpiresAt', 'invitedAt'],
      properties: {
        tenantId: id,
        userId: id,
        emailIndex: hex,
        emailEncrypted: ciphertext,
        nameEncrypted: ciphertext,
        activationTokenHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        activationExpiresAt: timestamp,
        invitedAt: timestamp,
      },
    },
  },
} as const;

export const UserActivatedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.UserActivated:v1',
  title: 'identity.UserActivated v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.UserActivated' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'passwordHashEncrypted', 'at'],
      properties: {
        tenantId: id,
        userId: id,
        passwordHashEncrypted: ciphertext,
        at: timestamp,
      },
    },
  },
} as const;

export const OwnershipReceivedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.OwnershipReceived:v1',
  title: 'identity.OwnershipReceived v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.OwnershipReceived' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'fromUserId', 'at'],
      properties: {
        tenantId: id,
        userId: id,
        fromUserId: id,
        at: timestamp,
      },
    },
  },
} as const;

export const OwnershipRelinquishedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.OwnershipRelinquished:v1',
  title: 'identity.OwnershipRelinquished v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.OwnershipRelinquished' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'toUserId', 'at'],
      properties: {
        tenantId: id,
        userId: id,
        toUserId: id,
        at: timestamp,
      },
    },
  },
} as const;

export const AccountLockedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.AccountLocked:v1',
  title: 'identity.AccountLocked v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.AccountLocked' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'at', 'until', 'failures'],
      properties: {
        tenantId: id,
        userId: id,
        at: timestamp,
        until: timestamp,
        failures: { type: 'integer', minimum: 1 },
      },
    },
  },
} as const;

export const LoginBlockedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.LoginBlocked:v1',
  title: 'identity.LoginBlocked v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.LoginBlocked' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'at', 'ip', 'userAgent', 'lockedUntil'],
      properties: {
        tenantId: id,
        userId: id,
        at: timestamp,
        ip: nullableString,
        userAgent: nullableString,
        lockedUntil: timestamp,
      },
    },
  },
} as const;

export const UnknownAccountLoginFailedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.UnknownAccountLoginFailed:v1',
  title: 'identity.UnknownAccountLoginFailed v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.UnknownAccountLoginFailed' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'emailIndex', 'at', 'ip', 'userAgent'],
      properties: {
        tenantId: id,
        emailIndex: hex,
        at: timestamp,
        ip: nullableString,
        userAgent: nullableString,
      },
    },
  },
} as const;

export const SessionRevokedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.SessionRevoked:v1',
  title: 'identity.SessionRevoked v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.SessionRevoked' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'userId', 'sessionId', 'reason', 'at'],
      properties: {
        tenantId: id,
        userId: id,
        sessionId: id,
        reason: { enum: ['logout', 'refresh_reuse'] },
        at: timestamp,
      },
    },
  },
} as const;

export const ApiKeyCreatedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.ApiKeyCreated:v1',
  title: 'identity.ApiKeyCreated v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.ApiKeyCreated' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'keyId', 'name', 'createdBy', 'grants', 'secretHash', 'expiresAt', 'at'],
      properties: {
        tenantId: id,
        keyId: id,
        name: { type: 'string', minLength: 1, maxLength: 200 },
        createdBy: id,
        grants: grantList,
        secretHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        expiresAt: nullableTimestamp,
        at: timestamp,
      },
    },
  },
} as const;

export const ApiKeyRotatedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.ApiKeyRotated:v1',
  title: 'identity.ApiKeyRotated v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.ApiKeyRotated' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'keyId', 'secretHash', 'previousSecretHash', 'previousValidUntil', 'at'],
      properties: {
        tenantId: id,
        keyId: id,
        secretHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        previousSecretHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        previousValidUntil: nullableTimestamp,
        at: timestamp,
      },
    },
  },
} as const;

export const ApiKeyRevokedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:identity.ApiKeyRevoked:v1',
  title: 'identity.ApiKeyRevoked v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'identity.ApiKeyRevoked' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'keyId', 'at'],
      properties: {
        tenantId: id,
        keyId: id,
        at: timestamp,
      },
    },
  },
} as const;

/**
 * Every published schema by type, then by schema version. A version present here is one that
 * readers accept (upcasting it to the current one); any other version is rejected.
 */
export const IDENTITY_EVENT_SCHEMAS = {
  'identity.TenantNameClaimed': { 1: TenantNameClaimedV1Schema },
  'identity.TenantCreated': { 1: TenantCreatedV1Schema },
  'identity.EmailClaimed': { 1: EmailClaimedV1Schema },
  'identity.UserRegistered': { 1: UserRegisteredV1Schema },
  'identity.ModuleAccessGranted': { 1: ModuleAccessGrantedV1Schema },
  'identity.ModuleAccessRevoked': { 1: ModuleAccessRevokedV1Schema },
  'identity.LoginSucceeded': { 1: LoginSucceededV1Schema },
  'identity.LoginFailed': { 1: LoginFailedV1Schema },
  'identity.UserDisabled': { 1: UserDisabledV1Schema },
  'identity.UserEnabled': { 1: UserEnabledV1Schema },
  'identity.UserInvited': { 1: UserInvitedV1Schema },
  'identity.UserActivated': { 1: UserActivatedV1Schema },
  'identity.OwnershipReceived': { 1: OwnershipReceivedV1Schema },
  'identity.OwnershipRelinquished': { 1: OwnershipRelinquishedV1Schema },
  'identity.AccountLocked': { 1: AccountLockedV1Schema },
  'identity.LoginBlocked': { 1: LoginBlockedV1Schema },
  'identity.UnknownAccountLoginFailed': { 1: UnknownAccountLoginFailedV1Schema },
  'identity.SessionRevoked': { 1: SessionRevokedV1Schema },
  'identity.ApiKeyCreated': { 1: ApiKeyCreatedV1Schema },
  'identity.ApiKeyRotated': { 1: ApiKeyRotatedV1Schema },
  'identity.ApiKeyRevoked': { 1: ApiKeyRevokedV1Schema },
} as const satisfies Record<IdentityEventType, Record<number, object>>;
