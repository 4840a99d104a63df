import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import {
  signedCheckpointProblem,
  toEd25519PublicKey,
  verifyCheckpointSignature,
  verifyConsistencyDocument,
  verifyInclusionDocument,
  type ConsistencyProofDocument,
  type InclusionProofDocument,
  type LedgerFailureCode,
  type SignedCheckpoint,
} from '@custodian/audit/domain';

/**
 * `custodian verify inclusion|consistency|checkpoint <file> --public-key <pem-file>`: checks a
 * ledger document offline with nothing but the file and the ledger's Ed25519 public key (SPKI
 * PEM), as docs/verification.md describes. Prints one JSON line and exits 0 when it verifies,
 * 1 when it does not (signature, sizes, proof), 2 when the input is unusable (unreadable file,
 * not JSON, not a document of that kind, not an Ed25519 public key).
 */

export type LedgerDocumentKind = 'inclusion' | 'consistency' | 'checkpoint';

/** `unreadable`: a file could not be read or parsed as JSON / PEM. */
export type VerifyLedgerFailureCode = LedgerFailureCode | 'unreadable';

export type VerifyLedgerOutcome =
  | { verify: 'inclusion'; ok: true; eventId: string; eventHash: string; leafIndex: number; treeSize: number; rootHash: string; origin: string; timestamp: string; keyId: string }
  | { verify: 'consistency'; ok: true; origin: string; fromSize: number; fromRoot: string; toSize: number; toRoot: string; keyId: string }
  | { verify: 'checkpoint'; ok: true; origin: string; treeSize: number; rootHash: string; timestamp: string; keyId: string }
  | { verify: LedgerDocumentKind; ok: false; code: VerifyLedgerFailureCode; reason: string };

export interface VerifyLedgerOptions {
  /** Path of the ledger's public key, SPKI PEM. */
  publicKey: string;
}

/** Checks a parsed inclusion proof document (custodian.inclusion-proof/v1). */
export function verifyInclusionJson(json: unknown, publicKey: KeyObject | string): VerifyLedgerOutcome {
  const result = verifyInclusionDocument(json as InclusionProofDocument, publicKey);
  if (!result.ok) return { verify: 'inclusion', ok: false, code: result.code, reason: result.reason };
  const doc = json as InclusionProofDocument;
  const { rootHash, origin, timestamp, keyId } = doc.checkpoint;
  return { verify: 'inclusion', ok: true, eventId: doc.eventId, eventHash: doc.eventHash, leafIndex: doc.leafIndex, treeSize: doc.treeSize, rootHash, origin, timestamp, keyId };
}

/** Checks a parsed consistency proof document (custodian.consistency-proof/v1). */
export function verifyConsistencyJson(json: unknown, publicKey: KeyObject | string): VerifyLedgerOutcome {
  const result = verifyConsistencyDocument(json as ConsistencyProofDocument, publicKey);
  if (!result.ok) return { verify: 'consistency', ok: false, code: result.code, reason: result.reason };
  const { from, to } = json as ConsistencyProofDocument;
  return { verify: 'consistency', ok: true, origin: to.origin, fromSize: from.treeSize, fromRoot: from.rootHash, toSize: to.treeSize, toRoot: to.rootHash, keyId: to.keyId };
}

/** Checks a parsed signed checkpoint (the JSON object of a SignedCheckpoint). */
export function verifyCheckpointJson(json: unknown, publicKey: KeyObject | string): VerifyLedgerOutcome {
  const problem = signedCheckpointProblem(json);
  if (problem) return { verify: 'checkpoint', ok: false, code: 'malformed', reason: `not a signed checkpoint: ${problem}` };
  if (toEd25519PublicKey(publicKey) === null) return { verify: 'checkpoint', ok: false, code: 'key', reason: 'the public key is not an Ed25519 public key' };
  const cp = json as SignedCheckpoint;
  if (!verifyCheckpointSignature(cp, publicKey)) return { verify: 'checkpoint', ok: false, code: 'signature', reason: 'the checkpoint signature does not verify with this key' };
  const { origin, treeSize, rootHash, timestamp, keyId } = cp;
  return { verify: 'checkpoint', ok: true, origin, treeSize, rootHash, timestamp, keyId };
}

const CHECKS: Record<LedgerDocumentKind, (json: unknown, publicKey: KeyObject | string) => VerifyLedgerOutcome> = {
  inclusion: verifyInclusionJson,
  consistency: verifyConsistencyJson,
  checkpoint: verifyCheckpointJson,
};

/** 0 verifies, 1 does not verify, 2 unusable input. */
export function exitCodeOf(outcome: VerifyLedgerOutcome): 0 | 1 | 2 {
  if (outcome.ok) return 0;
  return outcome.code === 'unreadable' || outcome.code === 'malformed' || outcome.code === 'key' ? 2 : 1;
}

/** Reads `file` (JSON) and the public key file (PEM) and checks the document; never throws. */
export function verifyLedgerFile(kind: LedgerDocumentKind, file: string, publicKeyFile: string): VerifyLedgerOutcome {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { verify: kind, ok: false, code: 'unreadable', reason: `cannot read ${file}: ${messageOf(error)}` };
  }
  let pem: string;
  try {
    pem = readFileSync(publicKeyFile, 'utf8');
  } catch (error) {
    return { verify: kind, ok: false, code: 'unreadable', reason: `cannot read the public key ${publicKeyFile}: ${messageOf(error)}` };
  }
  const publicKey = toEd25519PublicKey(pem);
  if (publicKey === null) return { verify: kind, ok: false, code: 'key', reason: `${publicKeyFile} is not an Ed25519 public key in PEM` };
  return CHECKS[kind](json, publicKey);
}

function run(kind: LedgerDocumentKind, file: string, options: VerifyLedgerOptions): void {
  const outcome = verifyLedgerFile(kind, file, options.publicKey);
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exitCode = exitCodeOf(outcome);
}

/** `custodian verify inclusion <proof.json> --public-key <pem-file>` */
export const verifyInclusionCommand = (file: string, options: VerifyLedgerOptions): void => run('inclusion', file, options);
/** `custodian verify consistency <proof.json> --public-key <pem-file>` */
export const verifyConsistencyCommand = (file: string, options: VerifyLedgerOptions): void => run('consistency', file, options);
/** `custodian verify checkpoint <checkpoint.json> --public-key <pem-file>` */
export const verifyCheckpointCommand = (file: string, options: VerifyLedgerOptions): void => run('checkpoint', file, options);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
