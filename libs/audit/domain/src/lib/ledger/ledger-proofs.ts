import type { KeyObject } from 'node:crypto';
import type { ConsistencyProofView, InclusionProofView } from '@custodian/audit/contracts';
import { signedCheckpointProblem, toEd25519PublicKey, verifyCheckpointSignature, type SignedCheckpoint } from './checkpoint';
import { leafHash, nodeHash, rootFromInclusion, verifyConsistency } from './merkle';

/**
 * The JSON documents an auditor receives and checks offline with nothing but the ledger's
 * public key (docs/verification.md, "Ledger: Merkle tree, checkpoints and proofs"). Hashes are
 * 64 lowercase hex digits; the leaf data of an event is the 32 bytes of its chain hash.
 *
 * Every verifier validates the document's shape strictly (known members only, exact hex
 * lengths, integer ranges) and returns a result; none throws on any input.
 */

/**
 * Proves that one event's hash (the leaf data) is leaf `leafIndex` of the tree the signed
 * checkpoint names; `treeSize` must equal checkpoint.treeSize; `auditPath` is the RFC 6962
 * audit path, the leaf's sibling first. The API's `InclusionProofView`, one type for both.
 */
export type InclusionProofDocument = InclusionProofView;

/**
 * Proves that the tree of `from` is a prefix of the tree of `to` (same origin, same key);
 * `proof` is RFC 6962 PROOF(from.treeSize, D[0:to.treeSize]). The API's `ConsistencyProofView`.
 */
export type ConsistencyProofDocument = ConsistencyProofView;

export interface LedgerExportEvent {
  eventId: string;
  eventHash: string;
  leafIndex: number;
  auditPath: string[];
}

/** Many events' inclusion in the tree of one checkpoint; events in strictly ascending leafIndex. */
export interface LedgerExportDocument {
  kind: 'custodian.ledger-export/v1';
  checkpoint: SignedCheckpoint;
  events: LedgerExportEvent[];
}

/**
 * Why a document did not verify:
 *   malformed  not a well-formed document of its kind (the input is unusable)
 *   key        the public key is not an Ed25519 public key (the input is unusable)
 *   signature  a checkpoint's signature or key id does not verify with the key
 *   mismatch   signed parts that do not fit together (sizes, origins)
 *   proof      the Merkle proof does not lead to the signed root(s)
 */
export type LedgerFailureCode = 'malformed' | 'key' | 'signature' | 'mismatch' | 'proof';

export type LedgerFailure = { ok: false; code: LedgerFailureCode; reason: string };
export type LedgerVerification = { ok: true } | LedgerFailure;
/** `eventIndex` is the position in `events` of the first event that failed, when one did. */
export type LedgerExportVerification = { ok: true; events: number } | (LedgerFailure & { eventIndex?: number });

export const INCLUSION_PROOF_KIND = 'custodian.inclusion-proof/v1';
export const CONSISTENCY_PROOF_KIND = 'custodian.consistency-proof/v1';
export const LEDGER_EXPORT_KIND = 'custodian.ledger-export/v1';

/** More hashes than any proof in a tree of at most 2^53 leaves can hold. */
const MAX_PROOF_HASHES = 64;
const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const fail = (code: LedgerFailureCode, reason: string): LedgerFailure => ({ ok: false, code, reason });

/** Checks an inclusion proof document: the checkpoint's signature, its size, then the audit path to its root. */
export function verifyInclusionDocument(doc: InclusionProofDocument, publicKey: KeyObject | string): LedgerVerification {
  const problem = inclusionDocumentProblem(doc);
  if (problem) return fail('malformed', problem);
  const key = toEd25519PublicKey(publicKey);
  if (key === null) return fail('key', 'the public key is not an Ed25519 public key');
  if (!verifyCheckpointSignature(doc.checkpoint, key)) return fail('signature', 'the checkpoint signature does not verify with this key');
  if (doc.checkpoint.treeSize !== doc.treeSize) return fail('mismatch', `the proof is for tree size ${doc.treeSize} but the checkpoint signs size ${doc.checkpoint.treeSize}`);
  if (!inclusionHolds(doc.eventHash, doc.leafIndex, doc.treeSize, doc.auditPath, doc.checkpoint.rootHash)) {
    return fail('proof', `the audit path does not lead from the event hash at leaf ${doc.leafIndex} to the signed root`);
  }
  return { ok: true };
}

/** Checks a consistency proof document: both signatures, origin and sizes, then the proof between the two roots. */
export function verifyConsistencyDocument(doc: ConsistencyProofDocument, publicKey: KeyObject | string): LedgerVerification {
  const problem = consistencyDocumentProblem(doc);
  if (problem) return fail('malformed', problem);
  const key = toEd25519PublicKey(publicKey);
  if (key === null) return fail('key', 'the public key is not an Ed25519 public key');
  if (!verifyCheckpointSignature(doc.from, key)) return fail('signature', 'the signature of the "from" checkpoint does not verify with this key');
  if (!verifyCheckpointSignature(doc.to, key)) return fail('signature', 'the signature of the "to" checkpoint does not verify with this key');
  if (doc.from.origin !== doc.to.origin) return fail('mismatch', `the checkpoints are of different logs (${doc.from.origin}, ${doc.to.origin})`);
  if (doc.from.treeSize > doc.to.treeSize) return fail('mismatch', `the "from" tree (${doc.from.treeSize}) is larger than the "to" tree (${doc.to.treeSize})`);
  const ok = verifyConsistency(
    doc.from.treeSize,
    doc.to.treeSize,
    Buffer.from(doc.from.rootHash, 'hex'),
    Buffer.from(doc.to.rootHash, 'hex'),
    doc.proof.map((h) => Buffer.from(h, 'hex')),
  );
  if (!ok) return fail('proof', `the proof does not show the tree of ${doc.from.treeSize} leaves is a prefix of the tree of ${doc.to.treeSize}`);
  return { ok: true };
}

/**
 * Checks a ledger export: the document's envelope and the checkpoint's signature, then each
 * event in order — its shape, then its audit path against the signed root. Stops at the first
 * event that is malformed or does not verify and names its position in `events`.
 */
export function verifyLedgerExport(doc: LedgerExportDocument, publicKey: KeyObject | string): LedgerExportVerification {
  const problem = exportEnvelopeProblem(doc);
  if (problem) return fail('malformed', problem);
  const key = toEd25519PublicKey(publicKey);
  if (key === null) return fail('key', 'the public key is not an Ed25519 public key');
  if (!verifyCheckpointSignature(doc.checkpoint, key)) return fail('signature', 'the checkpoint signature does not verify with this key');
  const paths = new SharedPathVerifier(doc.checkpoint.treeSize, Buffer.from(doc.checkpoint.rootHash, 'hex'));
  let previous = -1;
  for (let i = 0; i < doc.events.length; i++) {
    const e = doc.events[i];
    const eventProblem = exportEventProblem(e, doc.checkpoint.treeSize, previous);
    if (eventProblem) return { ...fail('malformed', `events[${i}]: ${eventProblem}`), eventIndex: i };
    previous = e.leafIndex;
    if (!paths.verify(e.eventHash, e.leafIndex, e.auditPath)) {
      const pathProblem = hashListProblem(e.auditPath, 'auditPath');
      if (pathProblem) return { ...fail('malformed', `events[${i}]: ${pathProblem}`), eventIndex: i };
      return { ...fail('proof', `the audit path of event ${e.eventId} (leaf ${e.leafIndex}) does not lead to the signed root`), eventIndex: i };
    }
  }
  return { ok: true, events: doc.events.length };
}

/**
 * RFC 9162 §2.1.3.2 inclusion verification for many leaves of one tree (size and root fixed),
 * giving exactly the answer of verifying each proof on its own, but hashing each shared node of
 * the audit paths once. It remembers, for every node a verified proof passed through, the hash
 * computed there and the rest of that proof. A later proof that reaches the same node (same
 * level and index, hence the same state of the algorithm) with the same hash and the same
 * remaining elements must end as the earlier one did — verified — so it stops there.
 *
 * Audit path elements are hex-checked as they are consumed (an element equal to a remembered
 * one was checked before); `verify` is false for a malformed element as for a wrong one.
 */
class SharedPathVerifier {
  /** seen[level]: node index → the hash computed there and the proof (and position) it came from. */
  private readonly seen: Map<number, { hash: Buffer; path: readonly string[]; at: number }>[] = [];

  constructor(
    private readonly treeSize: number,
    private readonly root: Buffer,
  ) {}

  verify(eventHash: string, leafIndex: number, path: readonly string[]): boolean {
    let fn = leafIndex;
    let sn = this.treeSize - 1;
    let level = 0;
    let r = leafHash(Buffer.from(eventHash, 'hex'));
    const passed: { level: number; fn: number; hash: Buffer; at: number }[] = [];
    for (let j = 0; j < path.length; j++) {
      const known = this.seen[level]?.get(fn);
      if (known && known.hash.equals(r) && sameTail(known.path, known.at, path, j)) {
        this.remember(passed, path);
        return true;
      }
      passed.push({ level, fn, hash: r, at: j });
      const sibling = decodeHash(path[j]);
      if (sibling === null || sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(sibling, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
          level += 1;
        }
      } else {
        r = nodeHash(r, sibling);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
      level += 1;
    }
    if (sn !== 0 || !r.equals(this.root)) return false;
    this.remember(passed, path);
    return true;
  }

  private remember(passed: readonly { level: number; fn: number; hash: Buffer; at: number }[], path: readonly string[]): void {
    for (const { level, fn, hash, at } of passed) {
      const nodes = (this.seen[level] ??= new Map());
      if (!nodes.has(fn)) nodes.set(fn, { hash, path, at });
    }
  }
}

/** Reused by decodeHash: verification is synchronous and nodeHash copies its inputs. */
const siblingScratch = Buffer.alloc(32);
const UPPER_HEX = /[A-F]/;

/**
 * The 32 bytes of a 64-lowercase-hex-digit string, in a scratch buffer valid until the next
 * call; null for anything else. Same acceptance as HEX64, without allocating (the hot path).
 */
function decodeHash(value: unknown): Buffer | null {
  if (typeof value !== 'string' || value.length !== 64) return null;
  // Buffer#write stops at the first character that is not a hex digit.
  if (siblingScratch.write(value, 0, 'hex') !== 32 || UPPER_HEX.test(value)) return null;
  return siblingScratch;
}

/** a[i..] and b[j..] hold the same strings. */
function sameTail(a: readonly string[], i: number, b: readonly string[], j: number): boolean {
  if (a.length - i !== b.length - j) return false;
  for (let k = 0; i + k < a.length; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

/** RFC 9162 inclusion check over the hex forms; the shapes have been validated. */
function inclusionHolds(eventHash: string, leafIndex: number, treeSize: number, auditPath: readonly string[], rootHash: string): boolean {
  const leaf = leafHash(Buffer.from(eventHash, 'hex'));
  const root = rootFromInclusion(
    leaf,
    leafIndex,
    treeSize,
    auditPath.map((h) => Buffer.from(h, 'hex')),
  );
  return root !== null && root.toString('hex') === rootHash;
}

// ---- shape validation: each returns why the value is not well formed, or null ----

function inclusionDocumentProblem(doc: unknown): string | null {
  const d = asRecord(doc);
  if (d === null || d['kind'] !== INCLUSION_PROOF_KIND) return `not a ${INCLUSION_PROOF_KIND} document`;
  const extra = unknownMembers(d, ['kind', 'eventId', 'eventHash', 'leafIndex', 'treeSize', 'auditPath', 'checkpoint']);
  if (extra) return extra;
  if (!isSafeCount(d['treeSize']) || d['treeSize'] === 0) return 'treeSize must be a safe integer >= 1';
  const eventProblem = eventFieldsProblem(d, d['treeSize'] as number) ?? hashListProblem(d['auditPath'], 'auditPath');
  if (eventProblem) return eventProblem;
  const cp = signedCheckpointProblem(d['checkpoint']);
  return cp ? `checkpoint: ${cp}` : null;
}

function consistencyDocumentProblem(doc: unknown): string | null {
  const d = asRecord(doc);
  if (d === null || d['kind'] !== CONSISTENCY_PROOF_KIND) return `not a ${CONSISTENCY_PROOF_KIND} document`;
  const extra = unknownMembers(d, ['kind', 'from', 'to', 'proof']);
  if (extra) return extra;
  const from = signedCheckpointProblem(d['from']);
  if (from) return `from: ${from}`;
  const to = signedCheckpointProblem(d['to']);
  if (to) return `to: ${to}`;
  return hashListProblem(d['proof'], 'proof');
}

/** The export without its events' contents: kind, members, checkpoint, a non-empty events array. */
function exportEnvelopeProblem(doc: unknown): string | null {
  const d = asRecord(doc);
  if (d === null || d['kind'] !== LEDGER_EXPORT_KIND) return `not a ${LEDGER_EXPORT_KIND} document`;
  const extra = unknownMembers(d, ['kind', 'checkpoint', 'events']);
  if (extra) return extra;
  const cp = signedCheckpointProblem(d['checkpoint']);
  if (cp) return `checkpoint: ${cp}`;
  if (!Array.isArray(d['events'])) return 'events must be an array';
  if (d['events'].length === 0) return 'the export holds no events';
  return null;
}

/**
 * One export event's shape, leafIndex above the previous event's; auditPath must be an array
 * of at most 64 elements, whose hex form SharedPathVerifier checks as it consumes them.
 */
function exportEventProblem(event: unknown, treeSize: number, previousLeafIndex: number): string | null {
  const e = asRecord(event);
  if (e === null) return 'an event must be an object';
  const problem =
    unknownMembers(e, ['eventId', 'eventHash', 'leafIndex', 'auditPath']) ??
    eventFieldsProblem(e, treeSize) ??
    (!Array.isArray(e['auditPath']) ? 'auditPath must be an array' : e['auditPath'].length > MAX_PROOF_HASHES ? `auditPath holds more than ${MAX_PROOF_HASHES} hashes` : null);
  if (problem) return problem;
  const leafIndex = e['leafIndex'] as number;
  return leafIndex <= previousLeafIndex ? `leafIndex ${leafIndex} is not above the previous event's ${previousLeafIndex}` : null;
}

/** eventId, eventHash and leafIndex (< treeSize) of an inclusion document or an export event. */
function eventFieldsProblem(e: Record<string, unknown>, treeSize: number): string | null {
  if (typeof e['eventId'] !== 'string' || !UUID.test(e['eventId'])) return 'eventId must be a lowercase UUID';
  if (typeof e['eventHash'] !== 'string' || !HEX64.test(e['eventHash'])) return 'eventHash must be 64 lowercase hex digits';
  if (!isSafeCount(e['leafIndex']) || (e['leafIndex'] as number) >= treeSize) return `leafIndex must be an integer in [0, ${treeSize - 1}]`;
  return null;
}

function hashListProblem(list: unknown, name: string): string | null {
  if (!Array.isArray(list)) return `${name} must be an array`;
  if (list.length > MAX_PROOF_HASHES) return `${name} holds more than ${MAX_PROOF_HASHES} hashes`;
  const bad = list.findIndex((h) => typeof h !== 'string' || !HEX64.test(h));
  return bad >= 0 ? `${name}[${bad}] must be 64 lowercase hex digits` : null;
}

function unknownMembers(value: Record<string, unknown>, known: readonly string[]): string | null {
  const extra = Object.keys(value).filter((k) => !known.includes(k));
  return extra.length > 0 ? `unknown members: ${extra.join(', ')}` : null;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function isSafeCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
