import type { Pool } from 'pg';
import { MerkleTree, type SignedCheckpoint } from '@custodian/audit/domain';
import type { CheckpointView } from '@custodian/audit/contracts';
import { computeEventHash, type PostgresEventStore } from '@custodian/event-store';
import { InfrastructureError, NotFoundError, type RecordedEvent } from '@custodian/kernel';
import { SessionLock, WakeableSleep } from '@custodian/platform';
import type { CheckpointSigner } from './checkpoint-signer';

export interface LedgerOptions {
  /** The checkpoint's origin line: names this deployment's log. */
  origin: string;
  /** A checkpoint is signed at least this often (ms). @defaultValue 10_000 */
  checkpointIntervalMs?: number;
  /** …and as soon as this many events were sequenced since the last one. @defaultValue 10_000 */
  checkpointEvents?: number;
  /** Events read and stored per transaction. @defaultValue 2_000 */
  batchSize?: number;
  /** Poll interval when caught up (ms). @defaultValue 50 */
  idleMs?: number;
  log?: { warn(msg: string, detail?: Record<string, unknown>): void; error(msg: string, detail?: Record<string, unknown>): void };
  clock?: () => Date;
}

const AUDIT_LOCK_SPACE = 0x61756474; // 'audt'

type LeafRow = { leaf_index: string; event_hash: Buffer };

/**
 * The audit ledger: every event of the platform's log becomes, in global order, one leaf of an
 * RFC 6962 Merkle tree (leaf data = the 32 bytes of the event's chain hash), stored in
 * audit.ledger_leaves; signed checkpoints (tree size, root, time) are stored in
 * audit.checkpoints at least every `checkpointIntervalMs` or `checkpointEvents` events.
 *
 * - One sequencer: the instance holding the advisory lock reads the log and appends leaves;
 *   others follow the leaves table and serve proofs from it.
 * - Crash safety: leaves are committed before they enter the in-memory tree, and a restart
 *   resumes after the last stored global position; a checkpoint only covers stored leaves.
 * - At start the tree is rebuilt from the table and checked against the latest stored
 *   checkpoint; a mismatch (the table was altered) stops signing and marks the ledger unhealthy.
 */
export class Ledger {
  private readonly tree = new MerkleTree();
  private position = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pause = new WakeableSleep();
  /** One sequencer per database; other instances follow the table. */
  private readonly lock: SessionLock;
  private lastSigned: { treeSize: number; at: number } | undefined;
  private latestView: CheckpointView | undefined;
  private integrityFailure: string | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly intervalMs: number;
  private readonly everyEvents: number;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly clock: () => Date;

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly signer: CheckpointSigner,
    private readonly options: LedgerOptions,
  ) {
    this.intervalMs = options.checkpointIntervalMs ?? 10_000;
    this.everyEvents = options.checkpointEvents ?? 10_000;
    this.batchSize = options.batchSize ?? 2_000;
    this.idleMs = options.idleMs ?? 50;
    this.clock = options.clock ?? (() => new Date());
    // A cut lock session (restart, idle timeout) must never crash the process: the role is given
    // up, and the next round takes the lock again.
    this.lock = new SessionLock(pool, AUDIT_LOCK_SPACE, 'ledger-sequencer', {
      onLost: (error) => this.options.log?.warn('ledger sequencer lost its lock session; will try to take it again', { err: error.message }),
    });
  }

  get size(): number {
    return this.tree.size;
  }

  /** Global position of the last sequenced event. */
  get sequencedPosition(): number {
    return this.position;
  }

  /** Why the ledger refuses to sign (its table disagrees with a signed checkpoint), if it does. */
  get failure(): string | undefined {
    return this.integrityFailure;
  }

  get isSequencer(): boolean {
    return this.lock.held;
  }

  async start(): Promise<void> {
    await this.loadLeaves();
    await this.checkAgainstLatestCheckpoint();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
    await this.lock.release();
  }

  /** Resolves once every event up to `globalPosition` is a leaf (tests, tools). */
  async sequencedUpTo(globalPosition: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.position < globalPosition) {
      if (Date.now() > deadline) throw new Error(`ledger did not reach position ${globalPosition} within ${timeoutMs} ms (at ${this.position})`);
      await new Promise<void>((resolve) => {
        this.waiters.add(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /**
   * Resolves once the in-memory tree holds `treeSize` leaves. An instance that follows the
   * table may briefly lag a checkpoint another instance stored; past the timeout the caller
   * gets a retriable 503 rather than a proof it cannot build.
   */
  async reachSize(treeSize: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.tree.size < treeSize) {
      if (Date.now() > deadline) throw new InfrastructureError(`the ledger holds ${this.tree.size} leaves, not yet ${treeSize}; retry`, true, 'ledger_catching_up');
      await new Promise<void>((resolve) => {
        this.waiters.add(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Signs (and stores) a checkpoint of the current tree now; used on the cadence and by tests. */
  async signNow(): Promise<CheckpointView> {
    if (this.integrityFailure) throw new Error(`ledger integrity failure, not signing: ${this.integrityFailure}`);
    const treeSize = this.tree.size;
    const signed = this.signer.sign({ version: 1, origin: this.options.origin, treeSize, rootHash: this.tree.root(treeSize).toString('hex'), timestamp: this.clock().toISOString() });
    if (!this.lastSigned || this.lastSigned.treeSize !== treeSize) {
      await this.pool.query(
        `INSERT INTO audit.checkpoints (tree_size, root_hash, origin, signed_at, key_id, signature)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tree_size) DO NOTHING`,
        [treeSize, Buffer.from(signed.rootHash, 'hex'), signed.origin, signed.timestamp, signed.keyId, signed.signature],
      );
    }
    this.lastSigned = { treeSize, at: Date.parse(signed.timestamp) };
    this.latestView = viewOf(signed);
    return this.latestView;
  }

  /**
   * The freshest checkpoint. When the tree has not grown it is re-signed on the cadence with a
   * new time (a liveness proof) but stored only once per size.
   */
  async latest(): Promise<CheckpointView> {
    if (this.latestView) return this.latestView;
    const row = await this.pool.query<CheckpointRow>(`${CHECKPOINT_SELECT} ORDER BY tree_size DESC LIMIT 1`);
    if (!row.rows[0]) throw new NotFoundError('No checkpoint has been signed yet', 'checkpoint_not_found');
    return rowView(row.rows[0]);
  }

  /** The stored checkpoint of exactly `treeSize` leaves. */
  async checkpointAt(treeSize: number): Promise<CheckpointView> {
    const row = await this.pool.query<CheckpointRow>(`${CHECKPOINT_SELECT} WHERE tree_size = $1`, [treeSize]);
    if (!row.rows[0]) throw new NotFoundError(`No checkpoint was signed at tree size ${treeSize}`, 'checkpoint_not_found');
    return rowView(row.rows[0]);
  }

  /** The newest stored checkpoint (the one proofs are given against by default), or undefined. */
  async latestStored(): Promise<CheckpointView | undefined> {
    const row = await this.pool.query<CheckpointRow>(`${CHECKPOINT_SELECT} ORDER BY tree_size DESC LIMIT 1`);
    return row.rows[0] ? rowView(row.rows[0]) : undefined;
  }

  inclusionPath(leafIndex: number, treeSize: number): string[] {
    return this.tree.inclusionProof(leafIndex, treeSize).map(hex);
  }

  consistencyPath(fromSize: number, toSize: number): string[] {
    return this.tree.consistencyProof(fromSize, toSize).map(hex);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let progressed = false;
      try {
        if (!this.lock.held) await this.tryBecomeSequencer();
        progressed = this.lock.held ? await this.sequenceBatch() : await this.followBatch();
        if (this.lock.held) await this.signIfDue();
      } catch (error) {
        this.options.log?.error('ledger step failed; retrying', { err: error instanceof Error ? error.message : String(error) });
        await this.lock.release(true);
        await this.pause.sleep(500);
        continue;
      }
      for (const wake of this.waiters) wake();
      this.waiters.clear();
      if (!progressed) await this.pause.sleep(this.idleMs);
    }
  }

  private async tryBecomeSequencer(): Promise<void> {
    if (!(await this.lock.tryAcquire())) return;
    // Another sequencer may have appended leaves since we loaded: catch up from the table first.
    try {
      while (await this.followBatch());
    } catch (error) {
      await this.lock.release();
      throw error;
    }
  }

  /** Reads the next events of the log and stores them as leaves, in one transaction. */
  private async sequenceBatch(): Promise<boolean> {
    const events = await this.store.readAll({ after: this.position, limit: this.batchSize });
    if (events.length === 0) return false;
    for (const e of events) this.checkStoredHash(e);
    const first = this.tree.size;
    // Written through the session that holds the advisory lock: if that session is gone (and
    // with it the lock), the insert fails and this instance stops sequencing — two instances
    // can never both append leaves.
    await this.lock.query(
      `INSERT INTO audit.ledger_leaves (leaf_index, global_position, event_id, tenant_id, stream_id, stream_version, recorded_at, event_hash)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::int[], $7::timestamptz[], $8::bytea[])`,
      [
        events.map((_, i) => first + i),
        events.map((e) => e.globalPosition),
        events.map((e) => e.eventId),
        events.map((e) => e.tenantId),
        events.map((e) => e.streamId),
        events.map((e) => e.version),
        events.map((e) => e.recordedAt),
        events.map((e) => Buffer.from(e.hash, 'hex')),
      ],
    );
    for (const e of events) this.tree.append(Buffer.from(e.hash, 'hex'));
    this.position = events[events.length - 1].globalPosition;
    return true;
  }

  /** Follower: takes leaves another instance stored. */
  private async followBatch(): Promise<boolean> {
    const rows = await this.pool.query<LeafRow & { global_position: string }>(
      'SELECT leaf_index, event_hash, global_position FROM audit.ledger_leaves WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2',
      [this.tree.size, this.batchSize],
    );
    for (const r of rows.rows) {
      if (Number(r.leaf_index) !== this.tree.size) throw new Error(`ledger leaves are not contiguous at ${this.tree.size}`);
      this.tree.append(r.event_hash);
      this.position = Number(r.global_position);
    }
    if (rows.rows.length > 0) this.latestView = undefined;
    return rows.rows.length > 0;
  }

  private async signIfDue(): Promise<void> {
    const now = this.clock().getTime();
    const due = !this.lastSigned || now - this.lastSigned.at >= this.intervalMs || this.tree.size - this.lastSigned.treeSize >= this.everyEvents;
    if (due && !this.integrityFailure) await this.signNow();
  }

  /** A stored event whose hash is not its content's: recorded loudly, sequenced as stored. */
  private checkStoredHash(e: RecordedEvent): void {
    if (computeEventHash(e) !== e.hash) {
      this.options.log?.error('event content does not match its stored hash at sequencing', { eventId: e.eventId, streamId: e.streamId, version: e.version });
    }
  }

  private async loadLeaves(): Promise<void> {
    while (await this.followBatch());
  }

  private async checkAgainstLatestCheckpoint(): Promise<void> {
    const cp = await this.latestStored();
    if (!cp) return;
    if (cp.treeSize > this.tree.size) {
      this.integrityFailure = `checkpoint ${cp.treeSize} is larger than the stored leaves (${this.tree.size}): leaves were removed`;
    } else if (this.tree.root(cp.treeSize).toString('hex') !== cp.rootHash) {
      this.integrityFailure = `the stored leaves do not hash to the signed root of checkpoint ${cp.treeSize}: the leaves table was altered`;
    }
    if (this.integrityFailure) this.options.log?.error('ledger integrity failure', { detail: this.integrityFailure });
    this.lastSigned = { treeSize: cp.treeSize, at: Date.parse(cp.timestamp) };
  }
}

type CheckpointRow = { tree_size: string; root_hash: Buffer; origin: string; signed_at: Date; key_id: string; signature: string };
const CHECKPOINT_SELECT = 'SELECT tree_size, root_hash, origin, signed_at, key_id, signature FROM audit.checkpoints';

function rowView(r: CheckpointRow): CheckpointView {
  return { version: 1, origin: r.origin, treeSize: Number(r.tree_size), rootHash: r.root_hash.toString('hex'), timestamp: r.signed_at.toISOString(), keyId: r.key_id, signature: r.signature };
}

function viewOf(s: SignedCheckpoint): CheckpointView {
  return { version: 1, origin: s.origin, treeSize: s.treeSize, rootHash: s.rootHash, timestamp: s.timestamp, keyId: s.keyId, signature: s.signature };
}

function hex(b: Buffer): string {
  return b.toString('hex');
}
