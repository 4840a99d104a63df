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

/** Stream `identity-logins-<userId>` (older ones: `identity-user-<userId>`). `ip` / `userAgent` are null when the transport had none. */
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

/** Stream `identity-logins-<userId>` (older ones: `identity-user-<userId>`). Failed logins for unknown emails are UnknownAccountLoginFailed. */
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

/**
 * Stream `identity-user-<userId>`: a user created without a password. They cannot log in until
 * they activate with the one-time token, of which only the SHA-256 (hex) is kept.
 */
export type UserInvited = IdentityEventOf<
  'identity.UserInvited',
  1,
  {
    tenantId: string;
    userId: string;
    emailIndex: string;
    emailEncrypted: string;
    nameEncrypted: string;
    activationTokenHash: string;
    activationExpiresAt: string;
    invitedAt: string;
  }
>;

/** Stream `identity-user-<userId>`: an invited user set their password with the activation token. */
export type UserActivated = IdentityEventOf<
  'identity.UserActivated',
  1,
  {
    tenantId: string;
    userId: string;
    passwordHashEncrypted: string;
    at: string;
  }
>;

/**
 * Stream `identity-user-<userId>` of the new owner. Written before the old owner's
 * OwnershipRelinquished, so a tenant is never without an owner (briefly it may have two).
 */
export type OwnershipReceived = IdentityEventOf<
  'identity.OwnershipReceived',
  1,
  {
    tenantId: string;
    userId: string;
    fromUserId: string;
    at: string;
  }
>;

/** Stream `identity-user-<userId>` of the old owner; their explicit grants stay as they were. */
export type OwnershipRelinquished = IdentityEventOf<
  'identity.OwnershipRelinquished',
  1,
  {
    tenantId: string;
    userId: string;
    toUserId: string;
    at: string;
  }
>;

/** Stream `identity-logins-<userId>`: too many failed logins; every login is refused until `until`. */
export type AccountLocked = IdentityEventOf<
  'identity.AccountLocked',
  1,
  {
    tenantId: string;
    userId: string;
    at: string;
    until: string;
    /** Failed attempts inside the window that triggered the lock. */
    failures: number;
  }
>;

/** Stream `identity-logins-<userId>`: a login attempt while the account was locked (password not checked). */
export type LoginBlocked = IdentityEventOf<
  'identity.LoginBlocked',
  1,
  {
    tenantId: string;
    userId: string;
    at: string;
    ip: string | null;
    userAgent: string | null;
    lockedUntil: string;
  }
>;

/**
 * Stream `identity-logins-unknown-<tenantId>`: a failed login for an email that is no account
 * of the (existing) tenant. `emailIndex` is the blind index, never the email.
 */
export type UnknownAccountLoginFailed = IdentityEventOf<
  'identity.UnknownAccountLoginFailed',
  1,
  {
    tenantId: string;
    emailIndex: string;
    at: string;
    ip: string | null;
    userAgent: string | null;
  }
>;

export type SessionRevocationReason = 'logout' | 'refresh_reuse';
export const SESSION_REVOCATION_REASONS: readonly SessionRevocationReason[] = ['logout', 'refresh_reuse'];

/**
 * Stream `identity-logins-<userId>`: a session (one refresh-token family) ended. Its access
 * tokens stop working at once; `refresh_reuse` means an already-rotated refresh token came back.
 */
export type SessionRevoked = IdentityEventOf<
  'identity.SessionRevoked',
  1,
  {
    tenantId: string;
    userId: string;
    sessionId: string;
    reason: SessionRevocationReason;
    at: string;
  }
>;

/**
 * Stream `identity-apikey-<keyId>`. The key acts with `grants` (each covered by what `createdBy`
 * held when creating it) and never more than its creator holds at the time of use. Only the
 * SHA-256 (hex) of the secret is kept.
 */
export type ApiKeyCreated = IdentityEventOf<
  'identity.ApiKeyCreated',
  1,
  {
    tenantId: string;
    keyId: string;
    name: string;
    createdBy: string;
    grants: Array<{ module: Module; access: AccessLevel; locations: LocationScope }>;
    secretHash: string;
    expiresAt: string | null;
    at: string;
  }
>;

/** Stream `identity-apikey-<keyId>`: a new secret; the previous one works until `previousValidUntil` (null: not at all). */
export type ApiKeyRotated = IdentityEventOf<
  'identity.ApiKeyRotated',
  1,
  {
    tenantId: string;
    keyId: string;
    secretHash: string;
    previousSecretHash: string;
    previousValidUntil: string | null;
    at: string;
  }
>;

/** Stream `identity-apikey-<keyId>`: the key no longer authenticates, with any of its secrets. */
export type ApiKeyRevoked = IdentityEventOf<
  'identity.ApiKeyRevoked',
  1,
  {
    tenantId: string;
    keyId: string;
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
  | UserEnabled
  | UserInvited
  | UserActivated
  | OwnershipReceived
  | OwnershipRelinquished
  | AccountLocked
  | LoginBlocked
  | UnknownAccountLoginFailed
  | SessionRevoked
  | ApiKeyCreated
  | ApiKeyRotated
  | ApiKeyRevoked;

/** The events of a user stream (logins before v0.2 were recorded here; now in the login stream). */
export type UserEvent =
  | UserRegistered
  | ModuleAccessGranted
  | ModuleAccessRevoked
  | LoginSucceeded
  | LoginFailed
  | UserDisabled
  | UserEnabled
  | UserInvited
  | UserActivated
  | OwnershipReceived
  | OwnershipRelinquished;

/** The events of a login stream `identity-logins-<userId>`: attempts, locks, ended sessions. */
export type LoginEvent = LoginSucceeded | LoginFailed | AccountLocked | LoginBlocked | SessionRevoked;

/** The events of an API key stream `identity-apikey-<keyId>`. */
export type ApiKeyEvent = ApiKeyCreated | ApiKeyRotated | ApiKeyRevoked;

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
  'identity.UserInvited',
  'identity.UserActivated',
  'identity.OwnershipReceived',
  'identity.OwnershipRelinquished',
  'identity.AccountLocked',
  'identity.LoginBlocked',
  'identity.UnknownAccountLoginFailed',
  'identity.SessionRevoked',
  'identity.ApiKeyCreated',
  'identity.ApiKeyRotated',
  'identity.ApiKeyRevoked',
] as const satisfies readonly IdentityEvent['type'][];

export type IdentityEventType = (typeof IDENTITY_EVENT_TYPES)[number];

// Compile-time: the runtime list names every member of the union, and nothing else.
type _EveryTypeListed = IdentityEvent['type'] extends IdentityEventType ? true : never;
const _everyTypeListed: _EveryTypeListed = true;
void _everyTypeListed;

export function isIdentityEventType(type: string): type is IdentityEventType {
  return (IDENTITY_EVENT_TYPES as readonly string[]).includes(type);
}
