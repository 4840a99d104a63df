'use strict';
/**
 * Recomputes the hash of EVERY event in a Custodian database, independently of the application
 * code, from the published algorithm (docs/verification.md; libs/event-store/src/lib/hash-chain.ts):
 *   envelope = { eventId, type, schemaVersion, streamId, version, recordedAt, tenantId, data,
 *                metadata, prevHash }           (no hash, no globalPosition)
 *   hash     = hex( SHA-256( bytes(prevHash) || UTF-8( JCS(envelope) ) ) )
 * with recordedAt as the ISO-8601 UTC text with milliseconds, prevHash of version 1 = 64 zeros.
 * Also checks every stream row (event_store.streams) against its last event. Runs in one
 * REPEATABLE READ, READ ONLY transaction (a consistent snapshot; writers are not blocked).
 * Needs `pg` and `canonicalize`: run it with NODE_PATH=<repo or image>/node_modules.
 *
 * Two modes.
 *
 * 1. Restore drill, step 3 (restore-drill-cronjob.yaml), when WORK_DIR is set:
 *   WORK_DIR                 scratch directory of the drill pod (t0, t_fetched, t_restored,
 *                            backup-name, drill-db, <name>.manifest.json, restore-checks.json)
 *   DRILL_ADMIN_URL          the scratch server (same as restore-db.sh)
 *   DRILL_MAX_BACKUP_AGE_HOURS  the drill fails when the newest backup is older (default 26)
 *   DRILL_KEEP_DATABASE      "true" keeps the scratch database after a successful drill
 *   Output: one JSON line on stdout ({"drill":"restore",...}); a row in the table
 *   custodian_restore_drills of the DRILL_ADMIN_URL database; exit 0 only if the drill passed.
 *
 * 2. Standalone (docs/operations.md "Verifying the event log"), when VERIFY_DATABASE_URL is set:
 *   VERIFY_DATABASE_URL      any role that can read event_store (a read-only role is enough)
 *   VERIFY_HEADS_OUT         optional file: writes one JSON line per stream
 *                            {"streamId","version","headHash"} to keep OUTSIDE the database
 *   VERIFY_COMPARE_HEADS     optional file written earlier by VERIFY_HEADS_OUT: every recorded
 *                            (stream, version) must still carry the recorded hash. This catches
 *                            a rewritten stream tail whose hashes were all recomputed, which
 *                            the chain alone cannot.
 *   Output: one JSON line on stdout ({"verify":"event-log","ok":…}); exit 0 only if it verified.
 */
const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Client } = require('pg');
const canonicalize = require('canonicalize');

const GENESIS = '0'.repeat(64);
const PAGE = 5000;
const MAX_REPORTED_FAILURES = 20;

const workDir = process.env.WORK_DIR;
const maxAgeHours = Number(process.env.DRILL_MAX_BACKUP_AGE_HOURS || 26);
const keepDatabase = process.env.DRILL_KEEP_DATABASE === 'true';

function required(name) {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`[verify-chains] ${name} is required\n`);
    process.exit(2);
  }
  return value;
}

const read = (file) => readFileSync(join(workDir, file), 'utf8').trim();
const log = (line) => process.stderr.write(`[verify-chains] ${line}\n`);

function eventHash(row) {
  const envelope = {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    version: row.version,
    recordedAt: row.recorded_at.toISOString(),
    tenantId: row.tenant_id,
    data: row.data,
    metadata: row.metadata,
    prevHash: row.prev_hash,
  };
  return createHash('sha256').update(Buffer.from(row.prev_hash, 'hex')).update(canonicalize(envelope), 'utf8').digest('hex');
}

/**
 * Walks every stream in (stream_id, version) order; returns counts, the first failures and,
 * when asked, each stream's head. `recordedHeads`: Map streamId -> {version, headHash} to
 * compare against.
 */
async function verifyAll(client, { collectHeads = false, recordedHeads } = {}) {
  const failures = [];
  const heads = [];
  let events = 0;
  let streams = 0;
  let current; // { id, nextVersion, prev, headVersion, headHash, broken }
  const finish = () => {
    if (!current) return;
    const recorded = recordedHeads?.get(current.id);
    if (recorded && !current.broken && recorded.version > current.nextVersion - 1) {
      failures.push({ streamId: current.id, version: recorded.version, reason: `recorded head version ${recorded.version} is no longer in the log` });
    }
    recordedHeads?.delete(current.id);
    if (current.broken) return;
    if (collectHeads) heads.push({ streamId: current.id, version: current.nextVersion - 1, headHash: current.prev });
    if (current.nextVersion - 1 !== current.headVersion || current.prev !== current.headHash) {
      failures.push({ streamId: current.id, reason: `stream head (version ${current.headVersion}) does not match its last event (version ${current.nextVersion - 1})` });
    }
  };
  let after = null;
  for (;;) {
    const res = await client.query(
      `SELECT e.event_id, e.type, e.schema_version, e.stream_id, e.version, e.recorded_at, e.tenant_id,
              e.data, e.metadata, e.prev_hash, e.hash, s.version AS head_version, s.head_hash
         FROM event_store.events e JOIN event_store.streams s USING (stream_id)
        ${after ? 'WHERE (e.stream_id, e.version) > ($1, $2)' : ''}
        ORDER BY e.stream_id, e.version
        LIMIT ${PAGE}`,
      after ? [after.streamId, after.version] : [],
    );
    for (const row of res.rows) {
      events++;
      if (!current || current.id !== row.stream_id) {
        finish();
        streams++;
        current = { id: row.stream_id, nextVersion: 1, prev: GENESIS, headVersion: row.head_version, headHash: row.head_hash, broken: false };
      }
      if (current.broken) continue;
      let reason;
      if (row.version !== current.nextVersion) reason = `version ${current.nextVersion} is missing`;
      else if (row.prev_hash !== current.prev) reason = 'prevHash does not match the previous event';
      else if (eventHash(row) !== row.hash) reason = 'hash does not match the event content';
      if (reason) {
        current.broken = true;
        failures.push({ streamId: row.stream_id, version: row.version, reason });
        continue;
      }
      const recorded = recordedHeads?.get(row.stream_id);
      if (recorded && recorded.version === row.version && recorded.headHash !== row.hash) {
        current.broken = true;
        failures.push({ streamId: row.stream_id, version: row.version, reason: 'hash differs from the head recorded earlier (stream rewritten)' });
        continue;
      }
      current.prev = row.hash;
      current.nextVersion++;
    }
    if (res.rows.length < PAGE) break;
    const last = res.rows[res.rows.length - 1];
    after = { streamId: last.stream_id, version: last.version };
  }
  finish();
  const orphanHeads = await client.query(
    `SELECT count(*)::int AS n FROM event_store.streams s
      WHERE s.version > 0 AND NOT EXISTS (SELECT 1 FROM event_store.events e WHERE e.stream_id = s.stream_id)`,
  );
  if (orphanHeads.rows[0].n > 0) failures.push({ reason: `${orphanHeads.rows[0].n} streams claim events that are not in the log` });
  for (const [streamId, recorded] of recordedHeads ?? []) {
    failures.push({ streamId, version: recorded.version, reason: 'stream recorded earlier is no longer in the log' });
  }
  return { events, streams, failures, heads };
}

/** Runs verifyAll in one consistent, read-only snapshot. */
async function verifyDatabase(connectionString, options) {
  const client = new Client({ connectionString, application_name: 'custodian-verify-chains' });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await verifyAll(client, options);
    await client.query('COMMIT');
    return result;
  } finally {
    await client.end();
  }
}

const describe = (f) => `${f.streamId ?? ''}${f.version ? `@${f.version}` : ''}: ${f.reason}`;

function databaseUrl(base, database) {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function record(adminUrl, result) {
  const admin = new Client({ connectionString: adminUrl, application_name: 'custodian-restore-drill' });
  await admin.connect();
  try {
    await admin.query(`CREATE TABLE IF NOT EXISTS custodian_restore_drills (
      id           bigserial PRIMARY KEY,
      started_at   timestamptz NOT NULL,
      finished_at  timestamptz NOT NULL,
      ok           boolean NOT NULL,
      rto_seconds  integer NOT NULL,
      backup       text NOT NULL,
      backup_age_seconds integer,
      result       jsonb NOT NULL)`);
    await admin.query(
      `INSERT INTO custodian_restore_drills (started_at, finished_at, ok, rto_seconds, backup, backup_age_seconds, result)
       VALUES (to_timestamp($1), to_timestamp($2), $3, $4, $5, $6, $7)`,
      [result.startedAt, result.finishedAt, result.ok, result.rtoSeconds, result.backup, result.backupAgeSeconds, JSON.stringify(result)],
    );
    if (result.ok && !keepDatabase) {
      await admin.query(`DROP DATABASE "${result.database}" WITH (FORCE)`);
      result.databaseDropped = true;
    }
  } finally {
    await admin.end();
  }
}

async function drill() {
  const adminUrl = required('DRILL_ADMIN_URL');
  const t0 = Number(read('t0'));
  const tFetched = Number(read('t_fetched'));
  const tRestored = Number(read('t_restored'));
  const backup = read('backup-name');
  const database = read('drill-db');
  if (!/^custodian_drill_[a-z0-9_]+$/.test(database)) throw new Error(`unexpected drill database name ${database}`);
  const manifest = JSON.parse(read(`${backup}.manifest.json`));
  const restoreChecks = JSON.parse(read('restore-checks.json'));

  const verification = await verifyDatabase(databaseUrl(adminUrl, database));

  const finishedAt = Math.floor(Date.now() / 1000);
  const backupCreatedAt = Math.floor(Date.parse(manifest.createdAt) / 1000);
  const backupAgeSeconds = Number.isFinite(backupCreatedAt) ? t0 - backupCreatedAt : null;
  const problems = verification.failures.map(describe);
  if (backupAgeSeconds === null || backupAgeSeconds > maxAgeHours * 3600) problems.unshift(`newest backup is older than ${maxAgeHours} h (created ${manifest.createdAt})`);
  if (verification.events < manifest.eventsAtLeast) problems.unshift(`verified ${verification.events} events, the manifest promised at least ${manifest.eventsAtLeast}`);

  const result = {
    drill: 'restore',
    ok: problems.length === 0,
    startedAt: t0,
    finishedAt,
    rtoSeconds: finishedAt - t0,
    phases: { fetchSeconds: tFetched - t0, restoreSeconds: tRestored - tFetched, verifySeconds: finishedAt - tRestored },
    backup,
    backupCreatedAt: manifest.createdAt,
    backupAgeSeconds,
    backupBytes: manifest.bytes,
    database,
    events: verification.events,
    streams: verification.streams,
    restoreChecks,
    problems: problems.slice(0, MAX_REPORTED_FAILURES),
    problemCount: problems.length,
  };
  await record(adminUrl, result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  log(result.ok ? `PASSED in ${result.rtoSeconds} s` : `FAILED: ${problems.length} problem(s); scratch database ${database} kept for inspection`);
  process.exitCode = result.ok ? 0 : 1;
}

async function standalone() {
  const url = required('VERIFY_DATABASE_URL');
  let recordedHeads;
  if (process.env.VERIFY_COMPARE_HEADS) {
    recordedHeads = new Map();
    for (const line of readFileSync(process.env.VERIFY_COMPARE_HEADS, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const h = JSON.parse(line);
      recordedHeads.set(h.streamId, { version: h.version, headHash: h.headHash });
    }
  }
  const compared = recordedHeads?.size ?? 0;
  const started = Date.now();
  const verification = await verifyDatabase(url, { collectHeads: Boolean(process.env.VERIFY_HEADS_OUT), recordedHeads });
  if (process.env.VERIFY_HEADS_OUT) {
    writeFileSync(process.env.VERIFY_HEADS_OUT, verification.heads.map((h) => JSON.stringify(h)).join('\n') + '\n', { flag: 'wx' });
  }
  const problems = verification.failures.map(describe);
  const result = {
    verify: 'event-log',
    ok: problems.length === 0,
    at: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    events: verification.events,
    streams: verification.streams,
    headsCompared: compared,
    headsWritten: process.env.VERIFY_HEADS_OUT ? verification.heads.length : 0,
    problems: problems.slice(0, MAX_REPORTED_FAILURES),
    problemCount: problems.length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  log(result.ok ? `OK: ${result.events} events in ${result.streams} streams` : `BROKEN: ${problems.length} problem(s)`);
  process.exitCode = result.ok ? 0 : 1;
}

function main() {
  if (workDir) return drill();
  if (process.env.VERIFY_DATABASE_URL) return standalone();
  process.stderr.write('[verify-chains] set WORK_DIR (restore drill) or VERIFY_DATABASE_URL (standalone)\n');
  process.exit(2);
}

main().catch((error) => {
  log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
