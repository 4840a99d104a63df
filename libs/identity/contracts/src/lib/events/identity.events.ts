import type { AccessLevel, LocationScope, Module } from '../access';

/*
 * Published events of the identity context, schema version 1.
 *
 * - `type` strings are stable forever; a changed shape gets a new `schemaVersion`, an upcaster
 *   and a new fixture, and the v1 fixture stays (src/fixtures/<type>.v1.json).
 * - Timestamps are ISO-8601 UTC strings chosen by the caller (never by the decider).
 * - Personal data travels only as ciphertext produced by the app layer (per-subject key,
 *   DESIGN.md "Security model"); such fields end in `Encrypted`. Erasing the subject's key
 *   makes them unreadable while stream hashes (taken over ciphertext) still verify.
 * - `emailIndex` is a keyed blind index (hex) of the normalised email, never the email.
 */

/** A versioned published event: plain data, assignable to the kernel's DomainEvent. */
export type IdentityEventOf<TType extends string, TVersion extends number, TData> = {
  type: TType;
  schemaVersion: TVersion;
  data: TData;
};

/** Stream `identity-tenant-name-<nameKey>`: the name is taken by this tenant. */
export type TenantNameClaimed = IdentityEventOf<
  'identity.TenantNameClaimed',
  1,
  {
    tenantId: string;
    /** Hex SHA-256 of the normalised name (`tenantNameKey`). */
    nameKey: string;
  }
>;

/** Stream `identity-tenant-<tenantId>`. */
export type TenantCreated = IdentityEventOf<
  'identity.TenantCreated',
  1,
  {
    tenantId: string;
    /** Display name, trimmed. A company name, not personal data. */
    name: string;
    ownerId: string;
    createdAt: string;
  }
>;

/** Stream `identity-email-<tenantId>-<emailIndex>`: the email is taken by this user in this tenant. */
export type EmailClaimed = IdentityEventOf<
  'identity.EmailClaimed',
  1,
  {
    tenantId: string;
    userId: string;
    emailIndex: string;
  }
>;

/** Stream `identity-user-<userId>`. */
export type UserRegistered = IdentityEventOf<
  'identity.UserRegistered',
  1,
  {
    tenantId: string;
    userId: string;
    emailIndex: string;
    emailEncrypted: string;
    nameEncrypted: string;
    /** The Argon2id hash, itself encrypted: erasure leaves nothing to crack. */
    passwordHashEncrypted: string;
    isOwner: boolean;
    registeredAt: string;
  }
>;

/** Stream `identity-user-<userId>`. Replaces any earlier grant of the same module. */
export type ModuleAccessGranted = IdentityEventOf<
  'identity.ModuleAccessGranted',
  1,
  {
    tenantId: string;
    userId: string;
    module: Module;
    access: AccessLevel;
    locations: LocationScope;
    grantedAt: string;
  }
>;

/** Stream `identity-user-<userId>`. The user holds nothing on the module afterwards. */
export type ModuleAccessRevoked = IdentityEventOf<
  'identity.ModuleAccessRevoked',
  1,
  {
    tenantId: string;
    userId: string;
    module: Module;
    revokedAt: string;
  }
>;

/** Stream `identity-user-<userId>`. `ip` / `userAgent` are null when the transport had none. */
export type LoginSucceeded = IdentityEventOf<
  'identity.LoginSucceeded',
  1,
  {
    tenantId: string;
    userId: string;
    at: string;
    ip: string | null;
    userAgent: string | null;
  }
>;

export type LoginFailureReason = 'bad_password' | 'disabled';
export const LOGIN_FAILURE_REASONS: readonly LoginFailureReason[] = ['bad_password', 'disabled'];

/** Stream `identity-user-<userId>`. Logins for unknown users have no stream and are not recorded here. */
export type LoginFailed = IdentityEventOf<
  'identity.LoginFailed',
  1,
  {
    tenantId: string;
    userId: string;
    at: string;
    ip: string | null;
    userAgent: string | null;
    reason: LoginFailureReason;
  }
>;

/** Stream `identity-user-<userId>`. A disabled user cannot log in; grants are kept. */
export type UserDisabled = IdentityEventOf<
  'identity.UserDisabled',
  1,
  {
    tenantId: string;
    userId: string;
    at: string;
  }
>;

/** Stream `identity-user-<userId>`. */
export type UserEnabled = IdentityEventOf<
  'identity.UserEnabled',
  1,
  {
    tenantId: string;
    userId: string;
    at: string;
  }
>;

/** Every published identity event, current versions. */
export type IdentityEvent =
  | TenantNameClaimed
  | TenantCreated
  | EmailClaimed
  | UserRegistered
  | ModuleAccessGranted
  | ModuleAccessRevoked
  | LoginSucceeded
  | LoginFailed
  | UserDisabled
  | UserEnabled;

/** The events of a user stream. */
export type UserEvent =
  | UserRegistered
  | ModuleAccessGranted
  | ModuleAccessRevoked
  | LoginSucceeded
  | LoginFailed
  | UserDisabled
  | UserEnabled;

/** Every identity event type, at runtime (for subscriptions, topic routing, fixture checks). */
export const IDENTITY_EVENT_TYPES = [
  'identity.TenantNameClaimed',
  'identity.TenantCreated',
  'identity.EmailClaimed',
  'identity.UserRegistered',
  'identity.ModuleAccessGranted',
  'identity.ModuleAccessRevoked',
  'identity.LoginSucceeded',
  'identity.LoginFailed',
  'identity.UserDisabled',
  'identity.UserEnabled',
] as const satisfies readonly IdentityEvent['type'][];

export type IdentityEventType = (typeof IDENTITY_EVENT_TYPES)[number];

// Compile-time: the runtime list names every member of the union, and nothing else.
type _EveryTypeListed = IdentityEvent['type'] extends IdentityEventType ? true : never;
const _everyTypeListed: _EveryTypeListed = true;
void _everyTypeListed;

export function isIdentityEventType(type: string): type is IdentityEventType {
  return (IDENTITY_EVENT_TYPES as readonly string[]).includes(type);
}
