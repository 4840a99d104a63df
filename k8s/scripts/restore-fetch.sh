#!/bin/sh
# Restore drill, step 1 (rclone image): starts the drill clock, then downloads the NEWEST
# complete backup (the newest manifest and its dump) from object storage into WORK_DIR.
#
# Environment:
#   WORK_DIR        shared scratch directory of the drill pod (emptyDir)
#   BACKUP_REMOTE   rclone source, e.g. "offsite:custodian-backups/production"
#
# Writes: WORK_DIR/t0 (drill start, epoch seconds), WORK_DIR/t_fetched, WORK_DIR/backup-name,
#         WORK_DIR/<name>.manifest.json, WORK_DIR/<name>.dump.gpg
set -eu

log() { printf '[drill-fetch] %s\n' "$*" >&2; }

: "${WORK_DIR:?WORK_DIR is required}"
: "${BACKUP_REMOTE:?BACKUP_REMOTE is required}"
mkdir -p "$WORK_DIR"
date -u +%s >"$WORK_DIR/t0"

# Names carry a UTC timestamp after a fixed prefix, so the lexical maximum is the newest.
latest="$(rclone lsf --files-only --include '*.manifest.json' "$BACKUP_REMOTE" | sort | tail -n 1)"
[ -n "$latest" ] || { log "FAILED: no backup manifest under $BACKUP_REMOTE"; exit 1; }
name="${latest%.manifest.json}"
log "newest backup: $name"
rclone copyto "$BACKUP_REMOTE/$name.manifest.json" "$WORK_DIR/$name.manifest.json"
rclone copyto "$BACKUP_REMOTE/$name.dump.gpg" "$WORK_DIR/$name.dump.gpg"
printf '%s\n' "$name" >"$WORK_DIR/backup-name"
date -u +%s >"$WORK_DIR/t_fetched"
log "downloaded $name ($(wc -c <"$WORK_DIR/$name.dump.gpg") bytes)"
