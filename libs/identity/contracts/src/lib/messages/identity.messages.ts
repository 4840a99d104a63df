import type { AccessLevel, LocationScope, Module, ModuleGrant } from '../access';

/*
 * The gateway ↔ identity message contract: patterns and their request/response bodies. The
 * envelope (`ServiceRequest`, `ServiceReply`, `RequestMeta`) is the kernel's.
 */

/** `iss` and `aud` of every access token the identity service signs and the gateway verifies. */
export const ACCESS_TOKEN_ISSUER = 'custodian-identity';
export const ACCESS_TOKEN_AUDIENCE = 'custodian-api';

/** Message patterns served by the identity service. */
export const IDENTITY_PATTERNS = {
  createTenant: 'identity.create-tenant',
  login: 'identity.login',
  me: 'identity.me',
  jwks: 'identity.jwks',
  health: 'identity.health',
  activate: 'identity.activate',
  refresh: 'identity.refresh',
  logout: 'identity.logout',
  principal: 'identity.principal',
  accessChanges: 'identity.access-changes',
  createUser: 'identity.users.create',
  listUsers: 'identity.users.list',
  getUser: 'identity.users.get',
  disableUser: 'identity.users.disable',
  enableUser: 'identity.users.enable',
  listGrants: 'identity.grants.list',
  putGrant: 'identity.grants.put',
  deleteGrant: 'identity.grants.delete',
  transferOwnership: 'identity.ownership.transfer',
  createApiKey: 'identity.api-keys.create',
  listApiKeys: 'identity.api-keys.list',
  rotateApiKey: 'identity.api-keys.rotate',
  revokeApiKey: 'identity.api-keys.revoke',
  rotateSigningKey: 'identity.signing-keys.rotate',
  securitySuspendUser: 'identity.security.suspend-user',
  securityRevokeApiKey: 'identity.security.revoke-api-key',
} as const;

export type IdentityPattern = (typeof IDENTITY_PATTERNS)[keyof typeof IDENTITY_PATTERNS];

/** The envelope lives in the kernel (every context uses it); re-exported here for identity's callers. */
export type { PrincipalRef, RequestMeta, ServiceReply, ServiceRequest } from '@custodian/kernel';

/** Sign-up: a new tenant and its owner, who holds every module at `manage` on all locations. */
export type CreateTenantRequest = {
  name: string;
  owner: { email: string; name: string; password: string };
};
export type CreateTenantResponse = { tenantId: string; ownerId: string };

export type LoginRequest = {
  tenantId: string;
  email: string;
  password: string;
  ip?: string;
  userAgent?: string;
};
export type LoginResponse = {
  /** EdDSA JWT, verifiable with the keys from `jwks`. */
  accessToken: string;
  /** Opaque, revocable. */
  refreshToken: string;
  /** Lifetime of the access token, in seconds. */
  expiresIn: number;
};

export type MeRequest = { userId: string; tenantId: string };
export type MeResponse = {
  userId: string;
  tenantId: string;
  /** Decrypted for the caller; absent from every event. */
  email: string;
  name: string;
  grants: ModuleGrant[];
};

/** No parameters. */
export type JwksRequest = Record<string, never>;
/** An Ed25519 public key as a JWK (RFC 8037). */
export type PublicJwk = {
  kty: 'OKP';
  crv: 'Ed25519';
  /** base64url public key. */
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
};
/** Every key a valid token may be signed with: the current one and those still in rotation. */
export type JwksResponse = { keys: PublicJwk[] };

/** No parameters. */
export type HealthRequest = Record<string, never>;
export type HealthResponse = {
  status: 'up' | 'down';
  checks: Array<{ name: string; status: 'up' | 'down'; detail?: string }>;
};

/** Invite acceptance: the one-time token from `createUser` and the new password. */
export type ActivateRequest = { token: string; password: string };
export type ActivateResponse = { tenantId: string; userId: string };

/** Rotation: the presented refresh token is spent and a new pair issued in the same session. */
export type RefreshRequest = { refreshToken: string; ip?: string; userAgent?: string };
export type RefreshResponse = LoginResponse;

/** Ends the session (refresh-token family) the token belongs to. Unknown tokens are accepted silently. */
export type LogoutRequest = { refreshToken: string };
export type LogoutResponse = Record<string, never>;

/**
 * What a credential may do right now, for the gateway's authorization. An unknown, expired,
 * revoked or disabled credential is UnauthorizedError `invalid_token` / `invalid_api_key`.
 */
export type PrincipalRequest =
  | { kind: 'session'; tenantId: string; userId: string; sessionId: string }
  | { kind: 'api_key'; secret: string };
export type Principal = {
  kind: 'user' | 'api_key';
  tenantId: string;
  /** The user, or for an API key the user who created it. */
  userId: string;
  sessionId?: string;
  keyId?: string;
  isOwner: boolean;
  /** Effective grants, one per module, MODULES order. */
  grants: ModuleGrant[];
};

/**
 * The invalidation feed. Answers at once with every access change after `after`, or waits up to
 * `waitMs` for one. `reset: true` means the caller cannot be told exactly what changed (first
 * call, or `after` older than the feed remembers): it must forget every cached principal.
 */
export type AccessChangesRequest = { after?: number; waitMs: number };
export type AccessChange = { position: number; kind: 'user' | 'session' | 'api_key'; id: string };
export type AccessChangesResponse = { reset: boolean; position: number; changes: AccessChange[] };

export type UserStatus = 'invited' | 'active' | 'disabled';

export type CreateUserRequest = { email: string; name: string; password?: string };
export type CreateUserResponse = {
  userId: string;
  status: UserStatus;
  /** Present for an invite only, shown once: `POST /v1/auth/activate` with it sets the password. */
  activationToken?: string;
  activationExpiresAt?: string;
};

export type UserView = {
  userId: string;
  email: string;
  name: string;
  status: UserStatus;
  isOwner: boolean;
  registeredAt: string;
  lastLoginAt: string | null;
  /** Set while failed logins keep the account locked. */
  lockedUntil: string | null;
  grants: ModuleGrant[];
};

export type ListUsersRequest = {
  status?: UserStatus;
  /** Exact email (matched through the blind index). */
  email?: string;
  /** Only users holding some access to this module. */
  module?: Module;
  /** Only users with a grant naming this location (or 'all'). */
  locationId?: string;
  limit?: number;
  cursor?: string;
};
export type ListUsersResponse = { items: UserView[]; nextCursor: string | null };

export type UserRef = { userId: string };
export type UserStatusResponse = { userId: string; status: UserStatus };

export type GrantsResponse = { userId: string; grants: ModuleGrant[] };
export type PutGrantRequest = { userId: string; module: string; access: string; locations: LocationScope };
export type DeleteGrantRequest = { userId: string; module: string };

export type TransferOwnershipRequest = { toUserId: string };
export type TransferOwnershipResponse = { ownerId: string; previousOwnerId: string };

export type ApiKeyGrant = { module: Module; access: AccessLevel; locations: LocationScope };
export type CreateApiKeyRequest = { name: string; grants: ApiKeyGrant[]; expiresAt?: string };
export type ApiKeyView = {
  keyId: string;
  name: string;
  createdBy: string;
  grants: ApiKeyGrant[];
  createdAt: string;
  expiresAt: string | null;
  status: 'active' | 'expired' | 'revoked';
};
/** `secret` is shown once; send it as `Authorization: ApiKey <secret>`. */
export type CreateApiKeyResponse = ApiKeyView & { secret: string };
export type ListApiKeysResponse = { items: ApiKeyView[] };
export type RotateApiKeyRequest = { keyId: string; overlapSeconds?: number };
export type RotateApiKeyResponse = { keyId: string; secret: string; previousValidUntil: string | null };
export type ApiKeyRef = { keyId: string };

export type RotateSigningKeyResponse = { kid: string; previousKids: string[] };

export type Empty = Record<string, never>;

/** Request and response of each pattern, for a typed client: `send<P extends IdentityPattern>(...)`. */
export type IdentityMessages = {
  [IDENTITY_PATTERNS.createTenant]: { request: CreateTenantRequest; response: CreateTenantResponse };
  [IDENTITY_PATTERNS.login]: { request: LoginRequest; response: LoginResponse };
  [IDENTITY_PATTERNS.me]: { request: MeRequest; response: MeResponse };
  [IDENTITY_PATTERNS.jwks]: { request: JwksRequest; response: JwksResponse };
  [IDENTITY_PATTERNS.health]: { request: HealthRequest; response: HealthResponse };
  [IDENTITY_PATTERNS.activate]: { request: ActivateRequest; response: ActivateResponse };
  [IDENTITY_PATTERNS.refresh]: { request: RefreshRequest; response: RefreshResponse };
  [IDENTITY_PATTERNS.logout]: { request: LogoutRequest; response: LogoutResponse };
  [IDENTITY_PATTERNS.principal]: { request: PrincipalRequest; response: Principal };
  [IDENTITY_PATTERNS.accessChanges]: { request: AccessChangesRequest; response: AccessChangesResponse };
  [IDENTITY_PATTERNS.createUser]: { request: CreateUserRequest; response: CreateUserResponse };
  [IDENTITY_PATTERNS.listUsers]: { request: ListUsersRequest; response: ListUsersResponse };
  [IDENTITY_PATTERNS.getUser]: { request: UserRef; response: UserView };
  [IDENTITY_PATTERNS.disableUser]: { request: UserRef; response: UserStatusResponse };
  [IDENTITY_PATTERNS.enableUser]: { request: UserRef; response: UserStatusResponse };
  [IDENTITY_PATTERNS.listGrants]: { request: UserRef; response: GrantsResponse };
  [IDENTITY_PATTERNS.putGrant]: { request: PutGrantRequest; response: GrantsResponse };
  [IDENTITY_PATTERNS.deleteGrant]: { request: DeleteGrantRequest; response: GrantsResponse };
  [IDENTITY_PATTERNS.transferOwnership]: { request: TransferOwnershipRequest; response: TransferOwnershipResponse };
  [IDENTITY_PATTERNS.createApiKey]: { request: CreateApiKeyRequest; response: CreateApiKeyResponse };
  [IDENTITY_PATTERNS.listApiKeys]: { request: Empty; response: ListApiKeysResponse };
  [IDENTITY_PATTERNS.rotateApiKey]: { request: RotateApiKeyRequest; response: RotateApiKeyResponse };
  [IDENTITY_PATTERNS.revokeApiKey]: { request: ApiKeyRef; response: ApiKeyView };
  [IDENTITY_PATTERNS.rotateSigningKey]: { request: Empty; response: RotateSigningKeyResponse };
  [IDENTITY_PATTERNS.securitySuspendUser]: { request: SecuritySuspendUserRequest; response: SecurityActionResponse };
  [IDENTITY_PATTERNS.securityRevokeApiKey]: { request: SecurityRevokeApiKeyRequest; response: SecurityActionResponse };
};

/*
 * The security monitor's actions (audit service → identity; no public route reaches them).
 * A rule, not a person, acts: `rule` names it and becomes the events' actor (`rule:<name>`).
 * `changed` is false when there was nothing to do (already disabled / revoked).
 */
export type SecuritySuspendUserRequest = { tenantId: string; userId: string; rule: string };
export type SecurityRevokeApiKeyRequest = { tenantId: string; keyId: string; rule: string };
export type SecurityActionResponse = { changed: boolean };
