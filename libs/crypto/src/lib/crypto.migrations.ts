import { RUNTIME_ROLE, type Migration } from '@custodian/platform';

/**
 * crypto.subject_keys: one row per (tenant_id, subject_id), never deleted.
 * - active: wrapped_key set, erased_at NULL;  erased: wrapped_key NULL, erased_at set.
 * - key_version: the version the wrapped key is bound to (its AAD); 1 until a master-key
 *   rotation re-wraps keys. The data key itself never changes.
 * - A trigger makes erasure final (no UPDATE can bring a key back); the runtime role has no
 *   DELETE, so the tombstone stays and the subject id can never get a new key.
 */
export const cryptoMigrations: Migration[] = [
  {
    id: 'crypto/001-subject-keys',
    sql: `
CREATE SCHEMA IF NOT EXISTS crypto;

CREATE TABLE crypto.subject_keys (
  tenant_id   text        NOT NULL,
  subject_id  text        NOT NULL,
  key_version integer     NOT NULL DEFAULT 1 CHECK (key_version >= 1),
  wrapped_key bytea       CHECK (octet_length(wrapped_key) = 60),
  created_at  timestamptz NOT NULL DEFAULT now(),
  erased_at   timestamptz,
  PRIMARY KEY (tenant_id, subject_id),
  CONSTRAINT subject_keys_key_xor_erased CHECK ((wrapped_key IS NULL) <> (erased_at IS NULL))
);

CREATE FUNCTION crypto.subject_keys_erasure_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.erased_at IS NOT NULL AND (NEW.wrapped_key IS NOT NULL OR NEW.erased_at IS DISTINCT FROM OLD.erased_at) THEN
    RAISE EXCEPTION 'subject % in tenant % is erased; erasure is final', OLD.subject_id, OLD.tenant_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER subject_keys_erasure_is_final
  BEFORE UPDATE ON crypto.subject_keys
  FOR EACH ROW EXECUTE FUNCTION crypto.subject_keys_erasure_is_final();

GRANT USAGE ON SCHEMA crypto TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE ON crypto.subject_keys TO ${RUNTIME_ROLE};
`,
  },
];
