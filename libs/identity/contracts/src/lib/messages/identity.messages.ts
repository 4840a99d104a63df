import type { WireError } from '@custodian/kernel';
import type { ModuleGrant } from '../access';

/*
 * The gateway ↔ identity message contract. The identity service is a Nest TCP microservice;
 * the gateway sends `ServiceRequest<Req>` to a pattern and receives `ServiceReply<Res>`.
 * Failures travel as values (`ok: false` with a kernel WireError), never as transport
 * exceptions, so the gateway rebuilds the typed error with `fromWireError` and maps it once.
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
} as const;

export type IdentityPattern = (typeof IDENTITY_PATTERNS)[keyof typeof IDENTITY_PATTERNS];

/** Who asks, for which request: carried by every message. */
export type RequestMeta = {
  /** W3C trace context of the gateway request. */
  traceparent?: string;
  /** The gateway's request id; echoed in error bodies and recorded as correlation id. */
  requestId: string;
  /** The authenticated caller, when there is one (absent for login and tenant sign-up). */
  actor?: { id: string; ip?: string; userAgent?: string };
  /** Client-supplied Idempotency-Key: a retried command returns the first result. */
  idempotencyKey?: string;
};

export type ServiceRequest<T> = { meta: RequestMeta; body: T };

export type ServiceReply<T> = { ok: true; value: T } | { ok: false; error: WireError };

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

/** Request and response of each pattern, for a typed client: `send<P extends IdentityPattern>(...)`. */
export type IdentityMessages = {
  [IDENTITY_PATTERNS.createTenant]: { request: CreateTenantRequest; response: CreateTenantResponse };
  [IDENTITY_PATTERNS.login]: { request: LoginRequest; response: LoginResponse };
  [IDENTITY_PATTERNS.me]: { request: MeRequest; response: MeResponse };
  [IDENTITY_PATTERNS.jwks]: { request: JwksRequest; response: JwksResponse };
  [IDENTITY_PATTERNS.health]: { request: HealthRequest; response: HealthResponse };
};
