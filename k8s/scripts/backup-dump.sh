#!/bin/bash
# Encrypted logical backup of the Custodian database (step 1 of the backup CronJob; runs in the
# postgres:15 image, which ships pg_dump, psql and gpg).
#
#   pg_dump --format=custom  |  gpg --encrypt (public key only)  ->  OUT_DIR/<name>.dump.gpg
#
# The plaintext dump exists only inside the pipe; nothing unencrypted is written to disk. This
# step cannot decrypt what it wrote: only the holder of the private key can.
#
# Environment:
#   DATABASE_URL        connection of the schema owner (reads every schema, incl. event_store)
#   BACKUP_PUBLIC_KEY   file with the ASCII-armoured OpenPGP public key of the recipient
#   OUT_DIR             output directory (an emptyDir shared with the upload step)
#   BACKUP_PREFIX       file name prefix (default: custodian)
#
# Output, in OUT_DIR:
#   <prefix>-<UTC yyyymmddThhmmssZ>.dump.gpg       the encrypted dump (pg_dump custom format)
#   <prefix>-<UTC yyyymmddThhmmssZ>.manifest.json  what the restore drill checks against;
#                                                 written last, so its presence means "complete"
# The *_at_least counts are read just before the dump starts; the dump's own snapshot is a
# moment later, so a restore must contain at least that many events.
set -euo pipefail

log() { printf '[backup] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

: "${DATABASE_URL:?DATABASE_URL is required}"
: "${BACKUP_PUBLIC_KEY:?BACKUP_PUBLIC_KEY is required (path to the recipient public key)}"
: "${OUT_DIR:?OUT_DIR is required}"
prefix="${BACKUP_PREFIX:-custodian}"
[ -r "$BACKUP_PUBLIC_KEY" ] || die "cannot read public key $BACKUP_PUBLIC_KEY"
mkdir -p "$OUT_DIR"

export GNUPGHOME
GNUPGHOME="$(mktemp -d)"
trap 'gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
gpg_common=(--batch --no-tty --quiet --homedir "$GNUPGHOME")
fingerprint="$(gpg "${gpg_common[@]}" --with-colons --show-keys "$BACKUP_PUBLIC_KEY" | awk -F: '/^fpr:/ { print $10; exit }')"
[ -n "$fingerprint" ] || die "no OpenPGP key found in $BACKUP_PUBLIC_KEY"
if gpg "${gpg_common[@]}" --with-colons --show-keys "$BACKUP_PUBLIC_KEY" | grep -q '^sec'; then
  die "$BACKUP_PUBLIC_KEY contains a SECRET key; the backup job must only hold the public key"
fi

psql_q() { psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 --dbname "$DATABASE_URL" --command "$1"; }

server_num="$(psql_q 'SHOW server_version_num')"
server_major=$((server_num / 10000))
dump_version="$(pg_dump --version | sed -E 's/^pg_dump \(PostgreSQL\) ([0-9]+(\.[0-9]+)?).*$/\1/')"
dump_major="${dump_version%%.*}"
[ "$dump_major" -ge "$server_major" ] || die "pg_dump $dump_version is older than the server (major $server_major); use a postgres image >= $server_major"

database="$(psql_q 'SELECT current_database()')"
facts="$(psql_q "SELECT count(*) || ' ' || coalesce(max(global_position), 0) || ' ' || (SELECT count(*) FROM event_store.streams) FROM event_store.events")" \
  || die "cannot read event_store (has a service run its migrations on this database?)"
read -r events_at_least max_position_at_least streams_at_least <<<"$facts"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
name="${prefix}-${stamp}"
dump="$OUT_DIR/$name.dump.gpg"
manifest="$OUT_DIR/$name.manifest.json"
started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
log "dumping database $database (>= $events_at_least events) to $dump, encrypted for $fingerprint"

# --no-owner: a restore assigns the objects to whichever role restores them. GRANTs are kept:
# the restored schema still gives custodian_runtime no UPDATE/DELETE on event_store.events.
# pg_dump compresses (custom format), so gpg does not compress again.
pg_dump --format=custom --no-owner --lock-wait-timeout=300s --dbname "$DATABASE_URL" \
  | gpg "${gpg_common[@]}" --trust-model always --compress-algo none --cipher-algo AES256 \
        --recipient-file "$BACKUP_PUBLIC_KEY" --encrypt --output "$dump.partial"
mv "$dump.partial" "$dump"
finished_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

sha256="$(sha256sum "$dump" | awk '{ print $1 }')"
bytes="$(stat -c %s "$dump")"
cat >"$manifest.partial" <<JSON
{
  "format": "custodian-backup/1",
  "file": "$name.dump.gpg",
  "sha256": "$sha256",
  "bytes": $bytes,
  "database": "$database",
  "createdAt": "$started_at",
  "finishedAt": "$finished_at",
  "serverVersionNum": $server_num,
  "pgDumpVersion": "$dump_version",
  "dumpFormat": "pg_dump custom, --no-owner",
  "encryption": "OpenPGP (gpg), AES256",
  "recipientFingerprint": "$fingerprint",
  "eventsAtLeast": $events_at_least,
  "maxGlobalPositionAtLeast": $max_position_at_least,
  "streamsAtLeast": $streams_at_least
}
JSON
mv "$manifest.partial" "$manifest"
log "done: $name.dump.gpg ($bytes bytes, sha256 $sha256)"
printf '{"backup":"%s","ok":true,"bytes":%s,"sha256":"%s","eventsAtLeast":%s,"createdAt":"%s","finishedAt":"%s"}\n' \
  "$name" "$bytes" "$sha256" "$events_at_least" "$started_at" "$finished_at"
