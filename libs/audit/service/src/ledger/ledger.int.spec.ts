import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Client, type Pool } from 'pg';
import { leafHash, MerkleTree, verifyCheckpointSignature, verifyConsistency, verifyInclusion } from '@custodian/audit/domain';
import type { CheckpointView } from '@custodian/audit/contracts';
import { cryptoMigrations, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import { makeEvents, uniqueStream } from '@custodian/event-store/testing';
import type { RecordedEvent } from '@custodian/kernel';
import { createPool, migrate } from '@custodian/platform';
import { projectionMigrations } from '@custodian/projections';
import { createDatabase, dropDatabase, testAdminUrl, waitFor } from '@custodian/testing';
import { auditMigrations } from '../infra/audit.migrations';
import { CheckpointSigner } from './checkpoint-signer';
import { Ledger, type LedgerOptions } from './ledger';
import { LedgerQueries } from './ledger-queries';

/**
 * The ledger on a real PostgreSQL. It sequences every event of its database's log, so each test
 * gets a database of its own (other suites append to the run's shared one concurrently).
 */
describe('Ledger', () => {
  const masterKey = randomBytes(32);
  const origin = 'custodian:ledger-int-test';
  const HOUR = 3_600_000;
  let databases = 0;
  let cleanups: (() => Promise<void>)[] = [];
  /** What the ledgers logged as errors during the test. */
  const errors: string[] = [];

  afterEach(async () => {
    // Ledgers first (they hold a pool client for the lock), then pools, then the databases.
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
    errors.length = 0;
  });

  /** One process's view of the database: a runtime-role pool, its store and its signer. */
  interface Node {
    pool: Pool;
    store: PostgresEventStore;
    signer: CheckpointSigner;
  }

  interface Db {
    url: string;
    /** The owner (a superuser here): what an attacker with full database access holds. */
    owner: Pool;
    node: Node;
    newNode(): Promise<Node>;
  }

  async function freshDatabase(): Promise<Db> {
    const name = `custodian_ledger_${process.pid}_${Date.now()}_${databases++}`;
    const url = await createDatabase(testAdminUrl(), name);
    cleanups.push(() => dropDatabase(testAdminUrl(), name));
    const owner = createPool({ connectionString: url, runtimeRole: false, max: 2 });
    cleanups.push(() => owner.end());
    await migrate(owner, [...eventStoreMigrations, ...projectionMigrations, ...cryptoMigrations, ...auditMigrations]);
    const newNode = async (): Promise<Node> => {
      const pool = createPool({ connectionString: url, max: 4 });
      cleanups.push(() => pool.end());
      const signer = new CheckpointSigner(pool, new PersonalDataCipher(new PostgresSubjectKeyStore(pool), masterKey));
      await signer.load();
      return { pool, store: new PostgresEventStore(pool), signer };
    };
    return { url, owner, node: await newNode(), newNode };
  }

  function ledgerOn(node: Node, options: Partial<LedgerOptions> = {}): Ledger {
    const ledger = new Ledger(node.pool, node.store, node.signer, {
      origin,
      idleMs: 5,
      checkpointIntervalMs: HOUR,
      checkpointEvents: 1_000_000,
      log: { warn: () => undefined, error: (msg, detail) => void errors.push(`${msg} ${JSON.stringify(detail ?? {})}`) },
      ...options,
    });
    cleanups.push(() => ledger.stop());
    return ledger;
  }

  /** Appends `rounds` rounds, round r adding r events to each stream: positions interleave streams. */
  async function appendInterleaved(store: PostgresEventStore, streams: string[], rounds: number): Promise<number> {
    let last = 0;
    for (let round = 1; round <= rounds; round++) {
      for (const stream of streams) last = (await store.append(stream, makeEvents(round), 'any')).lastGlobalPosition;
    }
    return last;
  }

  const everything = (store: PostgresEventStore) => store.readAll({ limit: 100_000 });
  const treeOf = (events: RecordedEvent[]) => {
    const tree = new MerkleTree();
    for (const e of events) tree.append(Buffer.from(e.hash, 'hex'));
    return tree;
  };
  const hexes = (path: string[]) => path.map((h) => Buffer.from(h, 'hex'));
  const leafRows = async (owner: Pool) =>
    (
      await owner.query<{ leaf_index: string; global_position: string; event_id: string; stream_id: string; stream_version: number; event_hash: Buffer }>(
        'SELECT leaf_index, global_position, event_id, stream_id, stream_version, event_hash FROM audit.ledger_leaves ORDER BY leaf_index',
      )
    ).rows.map((r) => ({ leafIndex: Number(r.leaf_index), globalPosition: Number(r.global_position), eventId: r.event_id, streamId: r.stream_id, version: r.stream_version, hash: r.event_hash.toString('hex') }));
  const leavesOf = (events: RecordedEvent[]) => events.map((e, i) => ({ leafIndex: i, globalPosition: e.globalPosition, eventId: e.eventId, streamId: e.streamId, version: e.version, hash: e.hash }));
  const storedSizes = async (owner: Pool) => (await owner.query<{ tree_size: string }>('SELECT tree_size FROM audit.checkpoints ORDER BY tree_size')).rows.map((r) => Number(r.tree_size));
  /** A few idle loops of a ledger polling every 5 ms: long enough for it to act on what it saw. */
  const severalLoops = () => new Promise((resolve) => setTimeout(resolve, 250));

  it('sequences the log in global order into the tree a client rebuilds from the events, with signed checkpoints and inclusion and consistency proofs that verify', async () => {
    const db = await freshDatabase();
    const streams = [uniqueStream('ledger-a'), uniqueStream('ledger-b'), uniqueStream('ledger-c')];
    const last = await appendInterleaved(db.node.store, streams, 4);
    const ledger = ledgerOn(db.node, { batchSize: 7 });

    await ledger.start();
    await ledger.sequencedUpTo(last);

    const events = await everything(db.node.store);
    expect(events).toHaveLength(30);
    expect(new Set(events.slice(0, 3).map((e) => e.streamId)).size).toBe(3);
    expect(ledger.size).toBe(30);
    expect(ledger.sequencedPosition).toBe(last);
    expect(await leafRows(db.owner)).toEqual(leavesOf(events));

    const tree = treeOf(events);
    const cp = await ledger.signNow();
    expect(cp).toMatchObject({ version: 1, origin, treeSize: 30, rootHash: tree.root().toString('hex'), keyId: db.node.signer.publicKey.keyId });
    expect(verifyCheckpointSignature(cp, db.node.signer.publicKey.publicKey)).toBe(true);
    expect(verifyCheckpointSignature(cp, db.node.signer.publicKey.publicKeyPem)).toBe(true);
    expect(verifyCheckpointSignature({ ...cp, rootHash: tree.root(29).toString('hex') }, db.node.signer.publicKey.publicKey)).toBe(false);
    expect(verifyCheckpointSignature(cp, generateKeyPairSync('ed25519').publicKey)).toBe(false);
    expect(await ledger.checkpointAt(30)).toEqual(cp);
    expect(await ledger.latestStored()).toEqual(cp);
    expect(await ledger.latest()).toEqual(cp);

    // The first loop signed whatever its first batch held (at most 7: readAll only returns what
    // is older than every running transaction on the server, so possibly fewer), then nothing
    // until signNow at 30.
    const sizes = await storedSizes(db.owner);
    expect(sizes).toHaveLength(2);
    const [firstSize] = sizes;
    expect(sizes[1]).toBe(30);
    expect(firstSize).toBeLessThanOrEqual(7);
    const first = await ledger.checkpointAt(firstSize);
    expect(first.rootHash).toBe(tree.root(firstSize).toString('hex'));
    expect(verifyCheckpointSignature(first, db.node.signer.publicKey.publicKey)).toBe(true);
    expect(verifyConsistency(firstSize, 30, Buffer.from(first.rootHash, 'hex'), Buffer.from(cp.rootHash, 'hex'), hexes(ledger.consistencyPath(firstSize, 30)))).toBe(true);

    const root = Buffer.from(cp.rootHash, 'hex');
    events.forEach((e, i) => {
      expect(verifyInclusion(leafHash(Buffer.from(e.hash, 'hex')), i, 30, hexes(ledger.inclusionPath(i, 30)), root)).toBe(true);
    });
    // The proof is for that leaf at that index only.
    expect(verifyInclusion(leafHash(Buffer.from(events[4].hash, 'hex')), 5, 30, hexes(ledger.inclusionPath(5, 30)), root)).toBe(false);
    expect(verifyInclusion(leafHash(Buffer.from(events[5].hash, 'hex')), 5, 30, hexes(ledger.inclusionPath(5, 30)), tree.root(29))).toBe(false);
    expect(errors).toEqual([]);
  });

  it('resumes after a restart: no leaf sequenced twice, the same root, and new events appended after the old ones', async () => {
    const db = await freshDatabase();
    const streams = [uniqueStream('restart-a'), uniqueStream('restart-b')];
    const before = await appendInterleaved(db.node.store, streams, 3);
    const firstRun = ledgerOn(db.node, { batchSize: 5 });
    await firstRun.start();
    await firstRun.sequencedUpTo(before);
    const signed = await firstRun.signNow();
    await firstRun.stop();
    expect(signed.treeSize).toBe(12);

    const secondRun = ledgerOn(db.node, { batchSize: 5 });
    await secondRun.start();
    // Loaded from the table at start, and nothing re-read from the log once it sequences again.
    expect(secondRun.size).toBe(12);
    expect(secondRun.sequencedPosition).toBe(before);
    expect(secondRun.failure).toBeUndefined();
    await waitFor(() => (secondRun.isSequencer ? true : undefined), 10_000, 25, 'the restarted ledger to take the sequencer lock');
    await severalLoops();
    expect(secondRun.size).toBe(12);
    expect(await leafRows(db.owner)).toEqual(leavesOf(await everything(db.node.store)));
    const again = await secondRun.signNow();
    expect({ treeSize: again.treeSize, rootHash: again.rootHash }).toEqual({ treeSize: 12, rootHash: signed.rootHash });

    const after = await appendInterleaved(db.node.store, streams, 1);
    await secondRun.sequencedUpTo(after);
    const events = await everything(db.node.store);
    expect(events).toHaveLength(14);
    expect(await leafRows(db.owner)).toEqual(leavesOf(events));
    const grown = await secondRun.signNow();
    expect(grown.rootHash).toBe(treeOf(events).root().toString('hex'));
    expect(verifyConsistency(12, 14, Buffer.from(signed.rootHash, 'hex'), Buffer.from(grown.rootHash, 'hex'), hexes(secondRun.consistencyPath(12, 14)))).toBe(true);
    // [the first run's first batch (≤ 5), 12, 14]: the restart stored nothing at 12 again.
    const sizes = await storedSizes(db.owner);
    expect(sizes.slice(1)).toEqual([12, 14]);
    expect(sizes[0]).toBeLessThanOrEqual(5);
  });

  it('runs one sequencer per database: the other instance follows the table, and takes over when the sequencer stops', async () => {
    const db = await freshDatabase();
    const other = await db.newNode();
    const streams = [uniqueStream('pair-a'), uniqueStream('pair-b')];
    const first = await appendInterleaved(db.node.store, streams, 4);
    const a = ledgerOn(db.node, { batchSize: 3 });
    const b = ledgerOn(other, { batchSize: 3 });

    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.sequencedUpTo(first), b.sequencedUpTo(first)]);
    expect([a.isSequencer, b.isSequencer].filter(Boolean)).toHaveLength(1);

    // Both keep up while both run.
    const second = await appendInterleaved(db.node.store, streams, 2);
    await Promise.all([a.sequencedUpTo(second), b.sequencedUpTo(second)]);
    expect([a.isSequencer, b.isSequencer].filter(Boolean)).toHaveLength(1);
    let events = await everything(db.node.store);
    expect(events).toHaveLength(26);
    expect(await leafRows(db.owner)).toEqual(leavesOf(events));
    const [fromA, fromB] = [await a.signNow(), await b.signNow()];
    expect(fromA.rootHash).toBe(treeOf(events).root().toString('hex'));
    expect({ treeSize: fromB.treeSize, rootHash: fromB.rootHash }).toEqual({ treeSize: fromA.treeSize, rootHash: fromA.rootHash });
    expect(b.inclusionPath(3, 26)).toEqual(a.inclusionPath(3, 26));

    const [sequencer, follower] = a.isSequencer ? [a, b] : [b, a];
    await sequencer.stop();
    const third = await appendInterleaved(db.node.store, streams, 3);
    await follower.sequencedUpTo(third);
    expect(follower.isSequencer).toBe(true);
    events = await everything(db.node.store);
    expect(events).toHaveLength(38);
    expect(await leafRows(db.owner)).toEqual(leavesOf(events));
    expect((await follower.signNow()).rootHash).toBe(treeOf(events).root().toString('hex'));
    expect(errors).toEqual([]);
  });

  it('survives losing its lock session (terminated by the server): no crash, the lock is taken again, nothing sequenced twice', async () => {
    const db = await freshDatabase();
    const streams = [uniqueStream('cut-a'), uniqueStream('cut-b')];
    const first = await appendInterleaved(db.node.store, streams, 3);
    const ledger = ledgerOn(db.node, { batchSize: 4 });
    await ledger.start();
    await ledger.sequencedUpTo(first);
    expect(ledger.isSequencer).toBe(true);

    // The DBA (or a restart, or an idle timeout) cuts the session holding the advisory lock.
    const cut = await db.owner.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(l.pid) AS terminated FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
    );
    expect(cut.rows.map((r) => r.terminated)).toEqual([true]);

    const second = await appendInterleaved(db.node.store, streams, 2);
    await ledger.sequencedUpTo(second);
    await severalLoops();
    expect(ledger.isSequencer).toBe(true);
    const events = await everything(db.node.store);
    expect(await leafRows(db.owner)).toEqual(leavesOf(events));
    expect((await ledger.signNow()).rootHash).toBe(treeOf(events).root().toString('hex'));
  });

  describe('checkpoint cadence', () => {
    it('stores a checkpoint as soon as checkpointEvents more events are sequenced, and not before', async () => {
      const db = await freshDatabase();
      const stream = uniqueStream('cadence');
      const ledger = ledgerOn(db.node, { checkpointEvents: 5 });
      await ledger.start();
      // Nothing signed yet: the first loop signs the empty tree.
      await waitFor(async () => (await ledger.latestStored())?.treeSize, 10_000, 25, 'the first checkpoint');
      expect(await storedSizes(db.owner)).toEqual([0]);

      await ledger.sequencedUpTo((await db.node.store.append(stream, makeEvents(3), 'no_stream')).lastGlobalPosition);
      await severalLoops();
      expect(await storedSizes(db.owner)).toEqual([0]);

      await db.node.store.append(stream, makeEvents(2), 3);
      await waitFor(async () => ((await storedSizes(db.owner)).includes(5) ? true : undefined), 10_000, 25, 'a checkpoint at 5 events');

      for (let i = 0; i < 4; i++) await ledger.sequencedUpTo((await db.node.store.append(stream, makeEvents(1), 'any')).lastGlobalPosition);
      await severalLoops();
      expect(await storedSizes(db.owner)).toEqual([0, 5]);
      await db.node.store.append(stream, makeEvents(1), 'any');
      await waitFor(async () => ((await storedSizes(db.owner)).includes(10) ? true : undefined), 10_000, 25, 'a checkpoint at 10 events');
      expect(await storedSizes(db.owner)).toEqual([0, 5, 10]);

      const tree = treeOf(await everything(db.node.store));
      for (const size of [0, 5, 10]) {
        const cp = await ledger.checkpointAt(size);
        expect(cp.rootHash).toBe(tree.root(size).toString('hex'));
        expect(verifyCheckpointSignature(cp, db.node.signer.publicKey.publicKey)).toBe(true);
      }
    });

    it('signs on the interval by its clock, re-signing an unchanged tree with a new time but storing each size once', async () => {
      const db = await freshDatabase();
      let now = Date.parse('2031-03-01T10:00:00.000Z');
      const ledger = ledgerOn(db.node, { checkpointIntervalMs: 60_000, clock: () => new Date(now) });
      await ledger.start();
      await waitFor(async () => (await ledger.latestStored())?.treeSize, 10_000, 25, 'the first checkpoint');

      await ledger.sequencedUpTo((await db.node.store.append(uniqueStream('interval'), makeEvents(2), 'no_stream')).lastGlobalPosition);
      await severalLoops();
      expect(await storedSizes(db.owner)).toEqual([0]);

      now += 60_000;
      const atTwo = await waitFor(async () => {
        const cp = await ledger.latestStored();
        return cp?.treeSize === 2 ? cp : undefined;
      }, 10_000, 25, 'a checkpoint on the interval');
      expect(atTwo.timestamp).toBe('2031-03-01T10:01:00.000Z');

      now += 60_000;
      const resigned = await waitFor<CheckpointView>(async () => {
        const cp = await ledger.latest();
        return cp.timestamp === '2031-03-01T10:02:00.000Z' ? cp : undefined;
      }, 10_000, 25, 'a re-signed checkpoint');
      expect(resigned).toMatchObject({ treeSize: 2, rootHash: atTwo.rootHash });
      expect(verifyCheckpointSignature(resigned, db.node.signer.publicKey.publicKey)).toBe(true);
      expect(await storedSizes(db.owner)).toEqual([0, 2]);
      expect((await ledger.checkpointAt(2)).timestamp).toBe('2031-03-01T10:01:00.000Z');
    });
  });

  describe('tampering', () => {
    /** As a superuser with triggers disabled: what an attacker with full database access could do. */
    async function asSuperuser(url: string, sql: string, params: unknown[] = []): Promise<number> {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        await c.query('SET session_replication_role = replica');
        return (await c.query(sql, params)).rowCount ?? 0;
      } finally {
        await c.end();
      }
    }
    const forged = createHash('sha256').update('forged').digest();

    async function signedLedgerOf(count: number) {
      const db = await freshDatabase();
      const last = (await db.node.store.append(uniqueStream('tamper'), makeEvents(count), 'no_stream')).lastGlobalPosition;
      const ledger = ledgerOn(db.node);
      await ledger.start();
      await ledger.sequencedUpTo(last);
      const cp = await ledger.signNow();
      await ledger.stop();
      return { db, cp };
    }

    it('a leaf altered in the table: the next ledger names it at start, refuses to sign, and the sweep shows the root no longer matches', async () => {
      const { db, cp } = await signedLedgerOf(10);
      expect(cp.treeSize).toBe(10);
      const signedSizes = await storedSizes(db.owner);
      expect(await asSuperuser(db.url, 'UPDATE audit.ledger_leaves SET event_hash = $1 WHERE leaf_index = 3', [forged])).toBe(1);
      errors.length = 0;

      const restarted = ledgerOn(db.node);
      await restarted.start();

      expect(restarted.failure).toMatch(/do not hash to the signed root of checkpoint 10: the leaves table was altered/);
      expect(errors).toEqual([expect.stringContaining('ledger integrity failure')]);
      await expect(restarted.signNow()).rejects.toThrow(/integrity failure, not signing/);
      // It still sequences, but signs nothing on its cadence.
      const more = (await db.node.store.append(uniqueStream('tamper'), makeEvents(3), 'no_stream')).lastGlobalPosition;
      await restarted.sequencedUpTo(more);
      await severalLoops();
      expect(await storedSizes(db.owner)).toEqual(signedSizes);

      const sweep = await new LedgerQueries(db.node.pool, db.node.store, restarted).verify();
      expect(sweep).toMatchObject({ ok: false, checked: 13, treeSize: 13, checkpointRootMatches: false });
      expect(sweep.discrepancies.map((d) => d.leafIndex)).toEqual([3]);
    });

    it('leaves removed from the end of the table: the next ledger says so and refuses to sign', async () => {
      const { db } = await signedLedgerOf(10);
      expect(await asSuperuser(db.url, 'DELETE FROM audit.ledger_leaves WHERE leaf_index >= 8')).toBe(2);

      const restarted = ledgerOn(db.node);
      await restarted.start();

      expect(restarted.failure).toMatch(/checkpoint 10 is larger than the stored leaves \(8\): leaves were removed/);
      await expect(restarted.signNow()).rejects.toThrow(/integrity failure/);
    });

    it('the sweep names an event row altered in the store, one deleted, and one whose hash column was rewritten', async () => {
      const db = await freshDatabase();
      const streams = [uniqueStream('sweep-a'), uniqueStream('sweep-b')];
      const last = await appendInterleaved(db.node.store, streams, 3);
      const ledger = ledgerOn(db.node);
      await ledger.start();
      await ledger.sequencedUpTo(last);
      await ledger.signNow();
      const queries = new LedgerQueries(db.node.pool, db.node.store, ledger);
      expect(await queries.verify()).toEqual({ ok: true, checked: 12, treeSize: 12, checkpointRootMatches: true, discrepancies: [] });

      const events = await everything(db.node.store);
      const [altered, missing, rehashed] = [events[2], events[7], events[11]];
      expect(await asSuperuser(db.url, `UPDATE event_store.events SET data = '{"n": 1000}' WHERE event_id = $1`, [altered.eventId])).toBe(1);
      expect(await asSuperuser(db.url, 'DELETE FROM event_store.events WHERE event_id = $1', [missing.eventId])).toBe(1);
      expect(await asSuperuser(db.url, 'UPDATE event_store.events SET hash = $1 WHERE event_id = $2', [forged.toString('hex'), rehashed.eventId])).toBe(1);

      const sweep = await queries.verify();
      expect(sweep).toMatchObject({ ok: false, checked: 12, treeSize: 12, checkpointRootMatches: true });
      expect(sweep.discrepancies).toEqual([
        { eventId: altered.eventId, streamId: altered.streamId, version: altered.version, leafIndex: 2, problem: 'altered', detail: expect.stringContaining(altered.hash) },
        { eventId: missing.eventId, streamId: missing.streamId, version: missing.version, leafIndex: 7, problem: 'missing', detail: expect.any(String) },
        { eventId: rehashed.eventId, streamId: rehashed.streamId, version: rehashed.version, leafIndex: 11, problem: 'hash_mismatch', detail: expect.stringContaining(forged.toString('hex')) },
      ]);
    });
  });
});
