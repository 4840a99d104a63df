import { RUNTIME_ROLE, type Migration } from '@custodian/platform';

/**
 * Identity's own tables. `identity_rm` holds read models (rebuilt from events by projections);
 * `identity` holds service state that is not a compliance record: token signing keys and
 * refresh-token sessions (both disposable: losing them only forces new logins).
 */
export const identityMigrations: Migration[] = [
  {
    id: 'identity/001-read-models',
    sql: `
CREATE SCHEMA IF NOT EXISTS identity_rm;
CREATE TABLE identity_rm.tenants (
  tenant_id  uuid PRIMARY KEY,
  name       text NOT NULL,
  owner_id   uuid NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE identity_rm.users (
  user_id          uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL,
  email_index      text NOT NULL,
  email_encrypted  text NOT NULL,
  name_encrypted   text NOT NULL,
  is_owner         boolean NOT NULL,
  status           text NOT NULL,
  registered_at    timestamptz NOT NULL,
  last_login_at    timestamptz,
  UNIQUE (tenant_id, email_index)
);
CREATE TABLE identity_rm.grants (
  user_id    uuid NOT NULL,
  tenant_id  uuid NOT NULL,
  module     text NOT NULL,
  access     text NOT NULL,
  locations  jsonb NOT NULL,
  PRIMARY KEY (user_id, module)
);
GRANT USAGE ON SCHEMA identity_rm TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA identity_rm TO ${RUNTIME_ROLE};
`,
  },
  {
    id: 'identity/002-keys-and-sessions',
    sql: `
CREATE SCHEMA IF NOT EXISTS identity;
CREATE TABLE identity.signing_keys (
  kid                    text PRIMARY KEY,
  public_jwk             jsonb NOT NULL,
  private_jwk_encrypted  text NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  retired_at             timestamptz
);
CREATE TABLE identity.refresh_tokens (
  token_hash  text PRIMARY KEY,
  session_id  uuid NOT NULL,
  user_id     uuid NOT NULL,
  tenant_id   uuid NOT NULL,
  issued_at   timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_session ON identity.refresh_tokens (session_id);
GRANT USAGE ON SCHEMA identity TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA identity TO ${RUNTIME_ROLE};
`,
  },
  {
    id: 'identity/003-access-control',
    sql: `
ALTER TABLE identity_rm.users ADD COLUMN locked_until timestamptz, ADD COLUMN invited boolean NOT NULL DEFAULT false;
CREATE INDEX users_tenant_page ON identity_rm.users (tenant_id, registered_at, user_id);
CREATE INDEX grants_tenant ON identity_rm.grants (tenant_id, module);
CREATE TABLE identity_rm.api_keys (
  key_id      uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  name        text NOT NULL,
  created_by  uuid NOT NULL,
  grants      jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX api_keys_tenant ON identity_rm.api_keys (tenant_id, created_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA identity_rm TO ${RUNTIME_ROLE};

-- A session is one refresh-token family. Revoking it ends its refresh tokens and, through the
-- gateway's principal check, its access tokens. (The SessionRevoked event is the record.)
CREATE TABLE identity.sessions (
  session_id     uuid PRIMARY KEY,
  user_id        uuid NOT NULL,
  tenant_id      uuid NOT NULL,
  created_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoked_reason text
);
CREATE INDEX sessions_user ON identity.sessions (user_id);
INSERT INTO identity.sessions (session_id, user_id, tenant_id, created_at, revoked_at)
  SELECT session_id, min(user_id::text)::uuid, min(tenant_id::text)::uuid, min(issued_at), max(revoked_at)
    FROM identity.refresh_tokens GROUP BY session_id;
-- Set when the token was exchanged for a new one; presenting it again is reuse.
ALTER TABLE identity.refresh_tokens ADD COLUMN rotated_at timestamptz;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA identity TO ${RUNTIME_ROLE};
`,
  },
];
