import type { Pool } from 'pg';
import { MerkleTree } from '@custodian/audit/domain';
import type {
  ConsistencyProofRequest,
  ConsistencyProofView,
  InclusionProofRequest,
  InclusionProofView,
  LedgerDiscrepancy,
  ReplayedEvent,
  ReplayStreamRequest,
  ReplayStreamResponse,
  VerifyLedgerResponse,
} from '@custodian/audit/contracts';
import { computeEventHash, type PostgresEventStore } from '@custodian/event-store';
import { NotFoundError, ValidationError, type RecordedEvent, type ServiceRequest } from '@custodian/kernel';
import { ModuleCaller, uuidOrUndefined } from '@custodian/platform';
import type { Ledger } from './ledger';

const MAX_REPLAY_EVENTS = 10_000;
const SWEEP_PAGE = 5_000;

/**
 * What auditors ask the ledger (module `audit`, read, on all locations): proofs against signed
 * checkpoints and streams replayed with their proofs. An event or stream of another tenant is
 * 404, exactly like one that does not exist. Checkpoints and consistency proofs are
 * platform-wide (sizes and hashes only, no tenant's data).
 */
export class LedgerQueries {
  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly ledger: Ledger,
  ) {}

  async inclusion({ meta, body }: ServiceRequest<InclusionProofRequest>): Promise<InclusionProofView> {
    const caller = auditor(meta);
    const eventId = uuidOrUndefined(body.eventId);
    if (!eventId) throw new NotFoundError('Event not found in the ledger', 'event_not_found');
    const leaf = await this.pool.query<{ leaf_index: string; tenant_id: string; event_hash: Buffer }>('SELECT leaf_index, tenant_id, event_hash FROM audit.ledger_leaves WHERE event_id = $1', [eventId]);
    const row = leaf.rows[0];
    if (!row || row.tenant_id !== caller.tenantId) throw new NotFoundError('Event not found in the ledger (it may not be sequenced yet)', 'event_not_found');
    const checkpoint = body.treeSize === undefined ? await this.requireLatestStored() : await this.ledger.checkpointAt(treeSizeOf(body.treeSize, 'treeSize'));
    const leafIndex = Number(row.leaf_index);
    if (leafIndex >= checkpoint.treeSize) throw new NotFoundError(`The event is leaf ${leafIndex}, not inside checkpoint ${checkpoint.treeSize} yet`, 'event_not_in_checkpoint');
    await this.ledger.reachSize(checkpoint.treeSize);
    return {
      kind: 'custodian.inclusion-proof/v1',
      eventId,
      eventHash: row.event_hash.toString('hex'),
      leafIndex,
      treeSize: checkpoint.treeSize,
      auditPath: this.ledger.inclusionPath(leafIndex, checkpoint.treeSize),
      checkpoint,
    };
  }

  async consistency({ meta, body }: ServiceRequest<ConsistencyProofRequest>): Promise<ConsistencyProofView> {
    auditor(meta);
    const from = treeSizeOf(body.from, 'from');
    const to = treeSizeOf(body.to, 'to');
    if (from < 1 || from > to) throw new ValidationError('from must be at least 1 and at most to', { field: 'from' }, 'invalid_range');
    const [a, b] = [await this.ledger.checkpointAt(from), await this.ledger.checkpointAt(to)];
    await this.ledger.reachSize(to);
    return { kind: 'custodian.consistency-proof/v1', from: a, to: b, proof: this.ledger.consistencyPath(from, to) };
  }

  /**
   * A stream as it stood at `asOf` (events recorded at or before it), as stored — encrypted
   * personal fields stay encrypted — each event with its inclusion proof against the newest
   * stored checkpoint (null for events sequenced after it), and the chain recomputed.
   */
  async replay({ meta, body }: ServiceRequest<ReplayStreamRequest>): Promise<ReplayStreamResponse> {
    const caller = auditor(meta);
    if (typeof body.streamId !== 'string' || body.streamId.length === 0 || body.streamId.length > 300) throw new NotFoundError('Stream not found', 'stream_not_found');
    const asOf = body.asOf === undefined ? undefined : instant(body.asOf, 'asOf');
    const all = await this.store.readStream(body.streamId, { limit: MAX_REPLAY_EVENTS });
    if (all.length === 0 || all[0].tenantId !== caller.tenantId) throw new NotFoundError('Stream not found', 'stream_not_found');
    const events = asOf === undefined ? all : all.filter((e) => Date.parse(e.recordedAt) <= asOf);
    const checkpoint = (await this.ledger.latestStored()) ?? null;
    if (checkpoint) await this.ledger.reachSize(checkpoint.treeSize);
    const leaves = await this.pool.query<{ event_id: string; leaf_index: string }>('SELECT event_id, leaf_index FROM audit.ledger_leaves WHERE stream_id = $1', [body.streamId]);
    const leafOf = new Map(leaves.rows.map((r) => [r.event_id, Number(r.leaf_index)]));
    const chain = await this.store.verifyStream(body.streamId);
    return {
      streamId: body.streamId,
      asOf: asOf === undefined ? null : new Date(asOf).toISOString(),
      checkpoint,
      chain: chain.ok ? { ok: true } : { ok: false, brokenAtVersion: chain.brokenAtVersion, reason: chain.reason },
      events: events.map((e) => replayed(e, leafOf.get(e.eventId), checkpoint?.treeSize ?? 0, this.ledger)),
    };
  }

  /**
   * Operator sweep: every leaf's event re-read from the store and re-hashed, and the leaves
   * re-hashed into a fresh tree compared with the newest signed root. Names every event whose
   * row was altered or removed since it was sequenced.
   */
  async verify(): Promise<VerifyLedgerResponse> {
    const discrepancies: LedgerDiscrepancy[] = [];
    const rebuilt = new MerkleTree();
    const checkpoint = await this.ledger.latestStored();
    let checked = 0;
    for (let from = 0; ; from += SWEEP_PAGE) {
      const page = await this.pool.query<{ leaf_index: string; global_position: string; event_id: string; stream_id: string; stream_version: number; event_hash: Buffer }>(
        'SELECT leaf_index, global_position, event_id, stream_id, stream_version, event_hash FROM audit.ledger_leaves WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2',
        [from, SWEEP_PAGE],
      );
      if (page.rows.length === 0) break;
      const byPosition = await this.eventsBetween(Number(page.rows[0].global_position), Number(page.rows[page.rows.length - 1].global_position));
      for (const leaf of page.rows) {
        rebuilt.append(leaf.event_hash);
        checked++;
        const at = { eventId: leaf.event_id, streamId: leaf.stream_id, version: leaf.stream_version, leafIndex: Number(leaf.leaf_index) };
        const sequenced = leaf.event_hash.toString('hex');
        const event = byPosition.get(Number(leaf.global_position));
        if (!event || event.eventId !== leaf.event_id) {
          discrepancies.push({ ...at, problem: 'missing', detail: 'the event sequenced at this position is no longer in the store' });
        } else if (computeEventHash(event) !== sequenced) {
          discrepancies.push({ ...at, problem: 'altered', detail: `the stored event no longer hashes to the sequenced hash ${sequenced}` });
        } else if (event.hash !== sequenced) {
          discrepancies.push({ ...at, problem: 'hash_mismatch', detail: `the stored hash column ${event.hash} differs from the sequenced ${sequenced}` });
        }
      }
      if (page.rows.length < SWEEP_PAGE) break;
    }
    const checkpointRootMatches = !checkpoint || (checkpoint.treeSize <= rebuilt.size && rebuilt.root(checkpoint.treeSize).toString('hex') === checkpoint.rootHash);
    return { ok: discrepancies.length === 0 && checkpointRootMatches, checked, treeSize: rebuilt.size, checkpointRootMatches, discrepancies };
  }

  private async eventsBetween(first: number, last: number): Promise<Map<number, RecordedEvent>> {
    const out = new Map<number, RecordedEvent>();
    let after = first - 1;
    while (after < last) {
      const events = await this.store.readAll({ after, limit: SWEEP_PAGE });
      if (events.length === 0) break;
      for (const e of events) if (e.globalPosition <= last) out.set(e.globalPosition, e);
      after = events[events.length - 1].globalPosition;
    }
    return out;
  }

  private async requireLatestStored() {
    const cp = await this.ledger.latestStored();
    if (!cp) throw new NotFoundError('No checkpoint has been signed yet', 'checkpoint_not_found');
    return cp;
  }
}

function replayed(e: RecordedEvent, leafIndex: number | undefined, treeSize: number, ledger: Ledger): ReplayedEvent {
  return {
    eventId: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion,
    streamId: e.streamId,
    version: e.version,
    recordedAt: e.recordedAt,
    tenantId: e.tenantId,
    data: e.data,
    metadata: { ...e.metadata },
    prevHash: e.prevHash,
    hash: e.hash,
    inclusion: leafIndex !== undefined && leafIndex < treeSize ? { leafIndex, auditPath: ledger.inclusionPath(leafIndex, treeSize) } : null,
  };
}

/** Audit data is tenant-wide: audit:read on all locations. */
function auditor(meta: ServiceRequest<unknown>['meta']): ModuleCaller {
  const caller = ModuleCaller.of(meta, 'audit');
  caller.requireTenantWide('read');
  return caller;
}

function treeSizeOf(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ValidationError(`${field} must be a non-negative integer`, { field });
  return v;
}

function instant(v: unknown, field: string): number {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new ValidationError(`${field} must be an ISO-8601 instant`, { field });
  return t;
}
