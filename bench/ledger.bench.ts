/**
 * Audit ledger benchmark: `npm run bench:ledger`.
 *
 * Measures the pure ledger core (libs/audit/domain/src/lib/ledger) in one process, no database:
 *   sequence_event_hashes        appending 1,000,000 event chain hashes to a MerkleTree   (events/s)
 *   inclusion_proof_p50_ms / _p99_ms   one inclusion proof document for a random leaf at tree
 *                                size 1,000,000: proof + signed checkpoint + JSON text      (ms)
 *   verify_export_1000_p50_ms / _max_ms   verifyLedgerExport of 1,000 random events of that
 *                                tree (document already parsed), over VERIFY_RUNS runs      (ms)
 *   tree_heap_mb                 memory the 1,000,000-leaf tree holds (information)
 * and, on a fresh PostgreSQL database (lib/bench-database.ts chooses the server):
 *   sequence_from_database       the audit service's Ledger sequencing BENCH_LEDGER_DB_EVENTS
 *                                (default 50,000) events already in the event store into
 *                                audit.ledger_leaves and its tree, checkpoints included    (events/s, information)
 * Prints a table and writes bench/results/ledger.json (lib/results.ts).
 *
 * Each phase is a function returning its own metrics: a further measure is one more function
 * and one more spread in main().
 *
 * Exit status: 0 whenever the run completes, targets met or not (it reports, it does not
 * judge); non-zero on an error or a failed correctness check (a proof or export that does not
 * verify, a database ledger whose root or leaf count is not the log's). The whole run takes
 * about a minute on 2 cores.
 */
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  keyIdOf,
  MerkleTree,
  signCheckpoint,
  verifyInclusionDocument,
  verifyLedgerExport,
  type InclusionProofDocument,
  type LedgerExportDocument,
  type SignedCheckpoint,
} from '@custodian/audit/domain';
import { cryptoMigrations, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { makeEvents } from '@custodian/event-store/testing';
import { createPool, migrate } from '@custodian/platform';
import { auditMigrations, CheckpointSigner, Ledger as AuditLedger } from '@custodian/audit/service';
import { openBenchDatabase } from './lib/bench-database';
import { ascending, envInt, percentile, round2, seconds } from './lib/platform-processes';
import { formatBenchTable, writeBenchResults, type BenchMetrics } from './lib/results';

const TREE_SIZE = 1_000_000;
const WARMUP_LEAVES = 100_000;
const PROOFS = 10_000;
const PROOF_WARMUP = 1_000;
const EXPORT_EVENTS = 1_000;
const VERIFY_RUNS = 20;
const VERIFY_WARMUP = 3;
/** Events in the database the Ledger sequences (appended beforehand, not measured). */
const DB_EVENTS = envInt('BENCH_LEDGER_DB_EVENTS', 50_000, 1_000, 2_000_000);
/** Setup appends: events per append, spread round-robin over this many streams. */
const DB_APPEND_BATCH = 500;
const DB_STREAMS = 50;
/** Bound on the measured sequencing (a stalled sequencer fails the run instead of hanging it). */
const DB_SEQUENCE_TIMEOUT_MS = 10 * 60_000;

const TARGETS = {
  sequence_event_hashes: 100_000,
  inclusion_proof_p99_ms: 5,
  verify_export_1000_ms: 50,
} as const;

const log = (message: string) => process.stderr.write(`[bench:ledger] ${message}\n`);

/** A full collection, so heap figures mean what is live (the script cannot pass --expose-gc). */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const heldBytes = () => {
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

interface Ledger {
  tree: MerkleTree;
  /** Event chain hashes, hex, by leaf index. */
  eventHash: (leafIndex: number) => string;
  keys: { privateKey: KeyObject; publicKey: KeyObject };
  checkpoint: SignedCheckpoint;
}

const eventIdOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** 1. Sequencing: TREE_SIZE random 32-byte chain hashes appended one by one, after a warm-up tree. */
function sequence(): { ledger: Ledger; metrics: BenchMetrics } {
  const hashes = randomBytes(32 * TREE_SIZE);
  const leaf = (i: number) => hashes.subarray(32 * i, 32 * i + 32);

  const warm = new MerkleTree();
  for (let i = 0; i < WARMUP_LEAVES; i++) warm.append(leaf(i));

  const before = heldBytes();
  const tree = new MerkleTree();
  const started = performance.now();
  for (let i = 0; i < TREE_SIZE; i++) tree.append(leaf(i));
  const elapsedMs = performance.now() - started;
  const heapMb = (heldBytes() - before) / 2 ** 20;
  const rate = (TREE_SIZE / elapsedMs) * 1000;
  log(`sequenced ${TREE_SIZE.toLocaleString('en-US')} event hashes in ${(elapsedMs / 1000).toFixed(2)} s (${Math.round(rate).toLocaleString('en-US')}/s), tree holds ${heapMb.toFixed(1)} MB`);

  // Correctness: the root equals one rebuilt from the leaf hashes in a second tree.
  const check = new MerkleTree();
  for (let i = 0; i < TREE_SIZE; i++) check.appendLeafHash(tree.leafHashAt(i));
  if (!check.root().equals(tree.root())) throw new Error('rebuilding the tree from its leaf hashes gave another root');

  const keys = generateKeyPairSync('ed25519');
  const checkpoint = signCheckpoint(
    { version: 1, origin: 'custodian:bench', treeSize: TREE_SIZE, rootHash: tree.root().toString('hex'), timestamp: new Date().toISOString() },
    keys.privateKey,
    keyIdOf(keys.publicKey),
  );
  return {
    ledger: { tree, eventHash: (i) => leaf(i).toString('hex'), keys, checkpoint },
    metrics: {
      sequence_event_hashes: {
        value: Math.round(rate),
        unit: 'events/s',
        target: TARGETS.sequence_event_hashes,
        note: `MerkleTree.append of ${TREE_SIZE} 32-byte event hashes, one at a time, in memory (leaf + amortised one node hash each); ${(elapsedMs / 1000).toFixed(2)} s`,
      },
      tree_heap_mb: {
        value: round2(heapMb),
        unit: 'count',
        target: null,
        note: `megabytes (MiB) of heap + array buffers held by the ${TREE_SIZE}-leaf tree after a full GC (every complete-subtree hash, ~64 B per leaf)`,
      },
    },
  };
}

/** The inclusion proof document an API would answer with for leaf `i` at the checkpoint's size. */
function inclusionDocument(ledger: Ledger, i: number): InclusionProofDocument {
  return {
    kind: 'custodian.inclusion-proof/v1',
    eventId: eventIdOf(i),
    eventHash: ledger.eventHash(i),
    leafIndex: i,
    treeSize: ledger.checkpoint.treeSize,
    auditPath: ledger.tree.inclusionProof(i, ledger.checkpoint.treeSize).map((h) => h.toString('hex')),
    checkpoint: ledger.checkpoint,
  };
}

/** 2. Inclusion proofs: random leaves at size TREE_SIZE, proof generation + JSON serialisation. */
function inclusionProofs(ledger: Ledger): BenchMetrics {
  const pick = () => Math.floor(Math.random() * TREE_SIZE);
  for (let k = 0; k < PROOF_WARMUP; k++) JSON.stringify(inclusionDocument(ledger, pick()));
  const latencies: number[] = [];
  const samples: string[] = [];
  for (let k = 0; k < PROOFS; k++) {
    const i = pick();
    const t = performance.now();
    const text = JSON.stringify(inclusionDocument(ledger, i));
    latencies.push(performance.now() - t);
    if (k % 500 === 0) samples.push(text);
  }
  for (const text of samples) {
    const result = verifyInclusionDocument(JSON.parse(text) as InclusionProofDocument, ledger.keys.publicKey);
    if (!result.ok) throw new Error(`a generated inclusion proof does not verify: ${result.reason}`);
  }
  const sorted = ascending(latencies);
  log(`inclusion proofs: p50 ${percentile(sorted, 0.5).toFixed(3)} ms, p99 ${percentile(sorted, 0.99).toFixed(3)} ms over ${PROOFS}`);
  const note = `${PROOFS} random leaves at tree size ${TREE_SIZE} (after ${PROOF_WARMUP} unmeasured): MerkleTree.inclusionProof + hex + JSON.stringify of the custodian.inclusion-proof/v1 document (checkpoint signed beforehand)`;
  return {
    inclusion_proof_p50_ms: { value: round2(percentile(sorted, 0.5)), unit: 'ms', target: null, note },
    inclusion_proof_p99_ms: { value: round2(percentile(sorted, 0.99)), unit: 'ms', target: TARGETS.inclusion_proof_p99_ms, note },
  };
}

/** 3. Offline verification of a 1,000-event export, as an auditor runs it on a parsed file. */
function exportVerification(ledger: Ledger): BenchMetrics {
  const leaves = new Set<number>();
  while (leaves.size < EXPORT_EVENTS) leaves.add(Math.floor(Math.random() * TREE_SIZE));
  const doc: LedgerExportDocument = {
    kind: 'custodian.ledger-export/v1',
    checkpoint: ledger.checkpoint,
    events: ascending([...leaves]).map((i) => {
      const { eventId, eventHash, leafIndex, auditPath } = inclusionDocument(ledger, i);
      return { eventId, eventHash, leafIndex, auditPath };
    }),
  };
  const text = JSON.stringify(doc);
  const parsed = JSON.parse(text) as LedgerExportDocument;
  const publicPem = ledger.keys.publicKey.export({ type: 'spki', format: 'pem' }) as string;

  const runs: number[] = [];
  for (let r = 0; r < VERIFY_WARMUP + VERIFY_RUNS; r++) {
    // Start each run from a collected heap: the set-up's garbage is not the verifier's cost.
    collect();
    const t = performance.now();
    const result = verifyLedgerExport(parsed, publicPem);
    const elapsed = performance.now() - t;
    if (!result.ok || result.events !== EXPORT_EVENTS) throw new Error(`the export does not verify: ${JSON.stringify(result)}`);
    if (r >= VERIFY_WARMUP) runs.push(elapsed);
  }
  // Correctness: the verifier can fail — one altered event hash is named.
  const altered = JSON.parse(text) as LedgerExportDocument;
  altered.events[EXPORT_EVENTS - 1].eventHash = createHash('sha256').update('not an event').digest('hex');
  const bad = verifyLedgerExport(altered, publicPem);
  if (bad.ok || bad.eventIndex !== EXPORT_EVENTS - 1) throw new Error(`an altered export was not caught: ${JSON.stringify(bad)}`);

  const sorted = ascending(runs);
  log(`export verification (${EXPORT_EVENTS} events, ${(text.length / 2 ** 20).toFixed(1)} MiB JSON): p50 ${percentile(sorted, 0.5).toFixed(2)} ms, max ${sorted[sorted.length - 1].toFixed(2)} ms`);
  const note =
    `verifyLedgerExport of ${EXPORT_EVENTS} random events at tree size ${TREE_SIZE} (${doc.events[0].auditPath.length}-hash audit paths, key as PEM), ` +
    `document already parsed (${(text.length / 2 ** 20).toFixed(1)} MiB of JSON); ${VERIFY_RUNS} runs after ${VERIFY_WARMUP} unmeasured, each after a full GC; ` +
    `runs (ms): ${runs.map((v) => v.toFixed(1)).join(' ')}; load average ${loadavg()[0].toFixed(2)} on ${cpus().length} cpus`;
  return {
    verify_export_1000_p50_ms: { value: round2(percentile(sorted, 0.5)), unit: 'ms', target: TARGETS.verify_export_1000_ms, note },
    verify_export_1000_max_ms: { value: round2(sorted[sorted.length - 1]), unit: 'ms', target: TARGETS.verify_export_1000_ms, note },
  };
}

/**
 * 4. Sequencing from the database: the audit service's Ledger (service defaults: batches of
 * 2,000, a checkpoint every 10,000 events) reading DB_EVENTS events from a fresh event store,
 * re-hashing each, storing them as leaves and signing checkpoints. Timed from start() until
 * every event is a leaf; checked against a tree rebuilt from the log afterwards.
 */
async function databaseSequencing(): Promise<BenchMetrics> {
  const db = await openBenchDatabase({ prefix: 'custodian_bench_ledger', log });
  try {
    log(`PostgreSQL: ${db.source}; database ${db.name}`);
    const owner = createPool({ connectionString: db.url, max: 1, runtimeRole: false, applicationName: 'custodian-bench-owner' });
    const pool = createPool({ connectionString: db.url, max: 4, applicationName: 'custodian-bench-ledger' });
    for (const p of [owner, pool]) {
      // The drop at dispose terminates sessions, the ledger's lock session among them: without a
      // listener that checked-out client's error would crash the process.
      p.on('connect', (client) => client.on('error', () => undefined));
      db.onCleanup(() => p.end());
    }
    await migrate(owner, [...eventStoreMigrations, ...cryptoMigrations, ...auditMigrations]);

    const store = new PostgresEventStore(pool);
    const tenant = '00000000-0000-4000-8000-00000000be4c';
    const versions = new Array<number>(DB_STREAMS).fill(0);
    const appendStarted = performance.now();
    let last = 0;
    for (let appended = 0, k = 0; appended < DB_EVENTS; k++) {
      const count = Math.min(DB_APPEND_BATCH, DB_EVENTS - appended);
      const s = k % DB_STREAMS;
      const result = await store.append(`bench-ledger-${s}`, makeEvents(count, tenant, 'bench.TaskCompleted', (i) => ({ n: appended + i, note: 'x'.repeat(120) })), versions[s]);
      versions[s] = result.nextExpectedVersion;
      last = result.lastGlobalPosition;
      appended += count;
    }
    log(`appended ${DB_EVENTS.toLocaleString('en-US')} events in ${seconds(performance.now() - appendStarted)} (setup)`);

    const signer = new CheckpointSigner(pool, new PersonalDataCipher(new PostgresSubjectKeyStore(pool), randomBytes(32)));
    await signer.load();
    const errors: string[] = [];
    const ledger = new AuditLedger(pool, store, signer, {
      origin: 'custodian:bench',
      log: { warn: () => undefined, error: (msg, detail) => void errors.push(`${msg} ${JSON.stringify(detail ?? {})}`) },
    });
    db.onCleanup(() => ledger.stop());

    const started = performance.now();
    await ledger.start();
    await ledger.sequencedUpTo(last, DB_SEQUENCE_TIMEOUT_MS);
    const elapsedMs = performance.now() - started;
    await ledger.stop();
    const rate = (DB_EVENTS / elapsedMs) * 1000;
    log(`Ledger sequenced ${DB_EVENTS.toLocaleString('en-US')} events from PostgreSQL in ${seconds(elapsedMs)} (${Math.round(rate).toLocaleString('en-US')}/s)`);

    // Correctness: one leaf per event, and the root a client rebuilds from the log.
    if (errors.length > 0) throw new Error(`the ledger logged errors: ${errors.slice(0, 3).join('; ')}`);
    const leaves = Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM audit.ledger_leaves')).rows[0].n);
    if (leaves !== DB_EVENTS || ledger.size !== DB_EVENTS) throw new Error(`the ledger holds ${ledger.size} leaves (${leaves} stored) for ${DB_EVENTS} events`);
    const rebuilt = new MerkleTree();
    for (let after = 0; ; ) {
      const page = await store.readAll({ after, limit: 10_000 });
      if (page.length === 0) break;
      for (const e of page) rebuilt.append(Buffer.from(e.hash, 'hex'));
      after = page[page.length - 1].globalPosition;
    }
    const signed = await ledger.signNow();
    if (rebuilt.size !== DB_EVENTS || signed.rootHash !== rebuilt.root().toString('hex')) throw new Error('the database ledger root is not the root of the log');
    const checkpoints = Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM audit.checkpoints')).rows[0].n);

    return {
      sequence_from_database: {
        value: Math.round(rate),
        unit: 'events/s',
        target: null,
        note:
          `information: Ledger (audit service) from start() until ${DB_EVENTS} events already in event_store.events are leaves — readAll pages of 2000, ` +
          `each event re-hashed, leaves INSERTed in one statement per page, ${checkpoints} checkpoints signed and stored; ${seconds(elapsedMs)}; ` +
          `PostgreSQL ${db.source}; ${cpus().length} cpus here, load average ${loadavg()[0].toFixed(2)}. ` +
          `The >= 100,000 events/s target is the in-memory tree's (sequence_event_hashes), not this end-to-end figure`,
      },
    };
  } finally {
    await db.dispose();
  }
}

async function main(): Promise<void> {
  log(`${cpus().length} cpus, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const { ledger, metrics: sequencing } = sequence();
  const { tree_heap_mb, ...throughput } = sequencing;
  const inMemory: BenchMetrics = {
    ...throughput,
    ...inclusionProofs(ledger),
    ...exportVerification(ledger),
  };
  const metrics: BenchMetrics = { ...inMemory, ...(await databaseSequencing()), tree_heap_mb };
  const path = writeBenchResults('ledger', metrics);
  process.stdout.write(`\nAudit ledger benchmark — in-memory Merkle tree, Ed25519 checkpoints; the audit service's Ledger on PostgreSQL\n\n${formatBenchTable(metrics)}\n\nwritten ${path}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:ledger] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
