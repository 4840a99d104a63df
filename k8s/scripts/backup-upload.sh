#!/bin/sh
# Step 2 of the backup CronJob (runs in the rclone image): copies the encrypted dump, then its
# manifest, from OUT_DIR to object storage, and checks what arrived.
#
# Environment:
#   OUT_DIR          directory written by backup-dump.sh
#   BACKUP_REMOTE    rclone destination, e.g. "offsite:custodian-backups/production"; the remote
#                    itself is configured by RCLONE_CONFIG_<NAME>_* variables (see k8s/README.md)
#
# --immutable: an object that already exists with other content is never overwritten. Retention
# and deletion belong to the bucket's lifecycle / object-lock policy, not to this job.
set -eu

log() { printf '[backup-upload] %s\n' "$*" >&2; }

: "${OUT_DIR:?OUT_DIR is required}"
: "${BACKUP_REMOTE:?BACKUP_REMOTE is required}"

found=0
for manifest in "$OUT_DIR"/*.manifest.json; do
  [ -e "$manifest" ] || continue
  found=1
  name="$(basename "$manifest" .manifest.json)"
  dump="$OUT_DIR/$name.dump.gpg"
  [ -f "$dump" ] || { log "FAILED: $dump is missing"; exit 1; }
  # Dump first, manifest last: a manifest in the bucket means its dump is complete.
  rclone copyto --immutable "$dump" "$BACKUP_REMOTE/$name.dump.gpg"
  rclone copyto --immutable "$manifest" "$BACKUP_REMOTE/$name.manifest.json"
  rclone check --one-way --include "$name.*" "$OUT_DIR" "$BACKUP_REMOTE"
  log "uploaded $name to $BACKUP_REMOTE"
done
[ "$found" -eq 1 ] || { log "FAILED: no manifest in $OUT_DIR (did the dump step run?)"; exit 1; }
