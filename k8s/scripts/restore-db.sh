#!/bin/bash
# Restore drill, step 2 (postgres:15 image): checks the downloaded backup against its manifest,
# restores it into a NEW scratch database on the drill server, and runs the structural checks
# that need only SQL. The full hash recomputation is step 3 (verify-chains.cjs).
#
#   gpg --decrypt  |  pg_restore --single-transaction  ->  custodian_drill_<backup stamp>
#
# Environment:
#   WORK_DIR                           scratch directory filled by restore-fetch.sh
#   DRILL_ADMIN_URL                    connection to the SCRATCH server, with a database path
#                                      (e.g. .../postgres); its role needs CREATEDB, and
#                                      CREATEROLE unless custodian_runtime already exists there
#   BACKUP_PRIVATE_KEY                 file with the ASCII-armoured OpenPGP secret key
#   BACKUP_PRIVATE_KEY_PASSPHRASE_FILE optional file holding the key's passphrase
#
# Never point DRILL_ADMIN_URL at the production server: this step drops databases named
# custodian_drill_* left by earlier drills.
#
# Writes: WORK_DIR/drill-db, WORK_DIR/t_restored, WORK_DIR/restore-checks.json
set -euo pipefail

log() { printf '[drill-restore] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

: "${WORK_DIR:?WORK_DIR is required}"
: "${DRILL_ADMIN_URL:?DRILL_ADMIN_URL is required}"
: "${BACKUP_PRIVATE_KEY:?BACKUP_PRIVATE_KEY is required}"
name="$(cat "$WORK_DIR/backup-name")"
dump="$WORK_DIR/$name.dump.gpg"
manifest="$WORK_DIR/$name.manifest.json"

# The manifest is our own one-key-per-line JSON (backup-dump.sh).
field() { sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$manifest" | head -n 1; }
expected_sha="$(field sha256)"
actual_sha="$(sha256sum "$dump" | awk '{ print $1 }')"
[ -n "$expected_sha" ] && [ "$expected_sha" = "$actual_sha" ] || die "sha256 of $name.dump.gpg is $actual_sha, manifest says $expected_sha"
log "checksum matches the manifest"

stamp="${name##*-}"
db="custodian_drill_$(printf '%s' "$stamp" | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9_')"
case "$DRILL_ADMIN_URL" in
  *\?*) admin_base="${DRILL_ADMIN_URL%%\?*}"; admin_query="?${DRILL_ADMIN_URL#*\?}" ;;
  *) admin_base="$DRILL_ADMIN_URL"; admin_query="" ;;
esac
[[ "$admin_base" =~ ^postgres(ql)?://[^/]+/[^/]+$ ]] || die "DRILL_ADMIN_URL must be postgres://…/<database>"
drill_url="${admin_base%/*}/$db$admin_query"

admin() { psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 --dbname "$DRILL_ADMIN_URL" "$@"; }
drill() { psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 --dbname "$drill_url" "$@"; }

# Leftovers of earlier drills (a failed drill keeps its database for inspection until now).
leftovers="$(admin --command "SELECT datname FROM pg_database WHERE datname LIKE 'custodian\\_drill\\_%'")"
for old in $leftovers; do
  log "dropping leftover drill database $old"
  admin --command "DROP DATABASE \"$old\" WITH (FORCE)"
done

# The dump carries GRANTs to custodian_runtime; the role must exist before the restore, and the
# restoring role must be able to assume it for the services to run on the restored database.
admin <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custodian_runtime') THEN
    CREATE ROLE custodian_runtime NOLOGIN;
  END IF;
  -- Being able to SET ROLE custodian_runtime is only needed to run the services on the restored
  -- copy, not for the drill itself: a refusal is reported, not fatal.
  BEGIN
    IF current_setting('server_version_num')::int >= 160000 THEN
      -- PostgreSQL 16+: creating a role grants its creator only ADMIN on it; SET is separate.
      IF NOT pg_has_role(current_user, 'custodian_runtime', 'SET') THEN
        EXECUTE format('GRANT custodian_runtime TO %I WITH SET TRUE', current_user);
      END IF;
    ELSIF NOT pg_has_role(current_user, 'custodian_runtime', 'MEMBER') THEN
      EXECUTE format('GRANT custodian_runtime TO %I', current_user);
    END IF;
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'cannot grant custodian_runtime to %: services could not run on the restored copy as this role (the drill itself is unaffected)', current_user;
  END;
END $$;
SQL
admin --command "CREATE DATABASE \"$db\""
printf '%s\n' "$db" >"$WORK_DIR/drill-db"
log "restoring $name into $db"

export GNUPGHOME
GNUPGHOME="$(mktemp -d)"
trap 'gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
gpg_common=(--batch --no-tty --quiet --homedir "$GNUPGHOME" --pinentry-mode loopback)
if [ -n "${BACKUP_PRIVATE_KEY_PASSPHRASE_FILE:-}" ]; then
  gpg_common+=(--passphrase-file "$BACKUP_PRIVATE_KEY_PASSPHRASE_FILE")
fi
gpg "${gpg_common[@]}" --import "$BACKUP_PRIVATE_KEY"

gpg "${gpg_common[@]}" --decrypt "$dump" \
  | pg_restore --no-owner --exit-on-error --single-transaction --dbname "$drill_url"
log "pg_restore finished"

# Structural checks (SQL only). Hash recomputation follows in verify-chains.cjs.
events_at_least="$(field eventsAtLeast)"
# (Each query result is captured in an assignment first, so a failing psql stops the script.)
counts="$(drill --command "SELECT count(*), coalesce(max(global_position), 0), (SELECT count(*) FROM event_store.streams) FROM event_store.events")"
read -r events max_position streams <<<"${counts//|/ }"
links="$(drill <<'SQL'
WITH e AS (
  SELECT version, prev_hash,
         lag(hash) OVER w AS previous_hash,
         row_number() OVER w AS n
  FROM event_store.events
  WINDOW w AS (PARTITION BY stream_id ORDER BY version)
)
SELECT count(*) FILTER (WHERE version <> n),
       count(*) FILTER (WHERE n = 1 AND prev_hash <> repeat('0', 64)),
       count(*) FILTER (WHERE n > 1 AND prev_hash <> previous_hash)
FROM e;
SQL
)"
read -r version_gaps bad_genesis broken_links <<<"${links//|/ }"
heads_mismatch="$(drill <<'SQL'
SELECT count(*)
FROM event_store.streams s
LEFT JOIN LATERAL (
  SELECT e.version, e.hash FROM event_store.events e
  WHERE e.stream_id = s.stream_id ORDER BY e.version DESC LIMIT 1
) last ON true
WHERE s.version <> coalesce(last.version, 0)
   OR s.head_hash <> coalesce(last.hash, repeat('0', 64));
SQL
)"
# The protections must survive a restore: trigger present and enabled, no UPDATE/DELETE grant.
protection="$(drill <<'SQL'
SELECT (SELECT count(*) FROM pg_trigger
          WHERE tgrelid = 'event_store.events'::regclass
            AND tgname IN ('events_append_only', 'events_no_truncate') AND tgenabled = 'O') = 2
   AND NOT has_table_privilege('custodian_runtime', 'event_store.events', 'UPDATE')
   AND NOT has_table_privilege('custodian_runtime', 'event_store.events', 'DELETE');
SQL
)"
date -u +%s >"$WORK_DIR/t_restored"

cat >"$WORK_DIR/restore-checks.json" <<JSON
{"events": $events, "maxGlobalPosition": $max_position, "streams": $streams, "eventsAtLeast": ${events_at_least:-0}, "versionGaps": $version_gaps, "badGenesis": $bad_genesis, "brokenLinks": $broken_links, "streamHeadMismatches": $heads_mismatch, "appendOnlyProtectionIntact": $([ "$protection" = t ] && echo true || echo false)}
JSON
log "checks: $(cat "$WORK_DIR/restore-checks.json")"

[ "$events" -ge "${events_at_least:-0}" ] || die "restored $events events, the manifest promised at least $events_at_least"
[ "$version_gaps" -eq 0 ] && [ "$bad_genesis" -eq 0 ] && [ "$broken_links" -eq 0 ] || die "hash-chain links are broken in the restored log"
[ "$heads_mismatch" -eq 0 ] || die "$heads_mismatch stream heads disagree with their last event"
[ "$protection" = t ] || die "append-only trigger or runtime-role grants did not survive the restore"
log "restored and structurally consistent"
