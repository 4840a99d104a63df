import type { CheckpointView } from '@custodian/audit/contracts';
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Signed checkpoints of the audit ledger, version 1 (docs/verification.md, "Ledger: Merkle
 * tree, checkpoints and proofs"). The signed bytes are the UTF-8 body text
 *
 *   custodian.checkpoint/v1\n
 *   <origin>\n
 *   <treeSize in decimal>\n
 *   <root hash, standard base64 with padding>\n
 *   <timestamp, YYYY-MM-DDTHH:mm:ss.sssZ>\n
 *
 * signed with Ed25519 (RFC 8032, pure, no pre-hash). A checkpoint is only ever verified by
 * re-serialising its fields, never from a text that travels beside them.
 */

export const CHECKPOINT_HEADER = 'custodian.checkpoint/v1';

/** What a checkpoint states: the log `origin` had `treeSize` leaves with root `rootHash` at `timestamp`. */
export interface CheckpointBody {
  version: 1;
  /** Names the log, e.g. `custodian:<deployment id>`: 1–255 visible ASCII characters (0x21–0x7E). */
  origin: string;
  /** Number of leaves, a safe integer ≥ 0. */
  treeSize: number;
  /** Root hash of the tree of `treeSize` leaves: 64 lowercase hex digits. */
  rootHash: string;
  /** UTC, exactly `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  timestamp: string;
}

/**
 * A body with its signature: the wire shape the API serves (`CheckpointView` of the audit
 * contracts, one type for both): `keyId` = keyIdOf(the signing key's public key), 16 lowercase
 * hex digits; `signature` = standard base64 (padded) of the 64-byte Ed25519 signature over the
 * body bytes.
 */
export type SignedCheckpoint = CheckpointView;

const ORIGIN = /^[\x21-\x7e]{1,255}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const HEX64 = /^[0-9a-f]{64}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BASE64_32 = /^[A-Za-z0-9+/]{43}=$/;
const BASE64_64 = /^[A-Za-z0-9+/]{86}==$/;
const BODY_FIELDS = ['version', 'origin', 'treeSize', 'rootHash', 'timestamp'] as const;
const SIGNED_FIELDS = [...BODY_FIELDS, 'keyId', 'signature'] as const;

/** Why a checkpoint body is not well formed, or null when it is. */
export function checkpointBodyProblem(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'a checkpoint must be an object';
  const b = body as Record<string, unknown>;
  if (b['version'] !== 1) return 'checkpoint version must be 1';
  if (typeof b['origin'] !== 'string' || !ORIGIN.test(b['origin'])) return 'checkpoint origin must be 1-255 visible ASCII characters';
  if (!Number.isSafeInteger(b['treeSize']) || (b['treeSize'] as number) < 0) return 'checkpoint treeSize must be a safe integer >= 0';
  if (typeof b['rootHash'] !== 'string' || !HEX64.test(b['rootHash'])) return 'checkpoint rootHash must be 64 lowercase hex digits';
  if (!isTimestamp(b['timestamp'])) return 'checkpoint timestamp must be a valid UTC time YYYY-MM-DDTHH:mm:ss.sssZ';
  return null;
}

/** Why a signed checkpoint is not well formed (including unknown members), or null when it is. */
export function signedCheckpointProblem(cp: unknown): string | null {
  const bodyProblem = checkpointBodyProblem(cp);
  if (bodyProblem) return bodyProblem;
  const c = cp as Record<string, unknown>;
  const extra = Object.keys(c).filter((k) => !(SIGNED_FIELDS as readonly string[]).includes(k));
  if (extra.length > 0) return `checkpoint has unknown members: ${extra.join(', ')}`;
  if (typeof c['keyId'] !== 'string' || !HEX16.test(c['keyId'])) return 'checkpoint keyId must be 16 lowercase hex digits';
  if (typeof c['signature'] !== 'string' || !isCanonicalBase64(c['signature'], BASE64_64)) return 'checkpoint signature must be the standard base64 of 64 bytes';
  return null;
}

/** The exact body text that is signed. Throws TypeError when the body is not well formed. */
export function serializeCheckpointBody(body: CheckpointBody): string {
  const problem = checkpointBodyProblem(body);
  if (problem) throw new TypeError(problem);
  const root = Buffer.from(body.rootHash, 'hex').toString('base64');
  return `${CHECKPOINT_HEADER}\n${body.origin}\n${body.treeSize}\n${root}\n${body.timestamp}\n`;
}

/**
 * Parses a body text strictly: exactly five lines each ending in "\n", the v1 header, and each
 * field in its one canonical spelling (so parse ∘ serialize and serialize ∘ parse are identities).
 * Throws TypeError on anything else.
 */
export function parseCheckpointBody(text: string): CheckpointBody {
  if (typeof text !== 'string') throw new TypeError('a checkpoint body is a string');
  const lines = text.split('\n');
  if (lines.length !== 6 || lines[5] !== '') throw new TypeError('a checkpoint body is exactly five lines, each ending in "\\n"');
  const [header, origin, size, root, timestamp] = lines;
  if (header !== CHECKPOINT_HEADER) throw new TypeError(`a checkpoint body starts with "${CHECKPOINT_HEADER}"`);
  if (!DECIMAL.test(size)) throw new TypeError('checkpoint tree size must be a decimal integer without leading zeros');
  if (!isCanonicalBase64(root, BASE64_32)) throw new TypeError('checkpoint root must be the standard base64 of 32 bytes');
  const body: CheckpointBody = { version: 1, origin, treeSize: Number(size), rootHash: Buffer.from(root, 'base64').toString('hex'), timestamp };
  const problem = checkpointBodyProblem(body);
  if (problem) throw new TypeError(problem);
  return body;
}

/**
 * Signs `body` with an Ed25519 private key. `keyId` should be keyIdOf(the matching public key);
 * verifiers reject a checkpoint whose keyId is not that of the key they verify with.
 */
export function signCheckpoint(body: CheckpointBody, privateKey: KeyObject, keyId: string): SignedCheckpoint {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('checkpoints are signed with an Ed25519 private key');
  if (!HEX16.test(keyId)) throw new TypeError('keyId must be 16 lowercase hex digits');
  const text = serializeCheckpointBody(body);
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64');
  const { version, origin, treeSize, rootHash, timestamp } = body;
  return { version, origin, treeSize, rootHash, timestamp, keyId, signature };
}

/**
 * True iff `cp` is a well-formed v1 checkpoint, its keyId is keyIdOf(publicKey) and its
 * signature verifies over the body re-serialised from its fields. Never throws: an unusable
 * key (not Ed25519, unparsable PEM) also yields false.
 */
export function verifyCheckpointSignature(cp: SignedCheckpoint, publicKey: KeyObject | string): boolean {
  if (signedCheckpointProblem(cp) !== null) return false;
  const key = toEd25519PublicKey(publicKey);
  if (key === null || cp.keyId !== keyIdOf(key)) return false;
  try {
    return verify(null, Buffer.from(serializeCheckpointBody(cp), 'utf8'), key, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
}

/** First 16 hex digits of SHA-256 over the raw 32-byte Ed25519 public key (a private key gives its public key's id). */
export function keyIdOf(key: KeyObject | string): string {
  const publicKey = toEd25519PublicKey(key);
  if (publicKey === null) throw new TypeError('not an Ed25519 key');
  return createHash('sha256').update(rawEd25519PublicKey(publicKey)).digest('hex').slice(0, 16);
}

/** The public half of an Ed25519 key given as a KeyObject or PEM text; null when it is not one. */
export function toEd25519PublicKey(key: KeyObject | string): KeyObject | null {
  try {
    const publicKey = typeof key === 'string' ? createPublicKey(key) : key.type === 'public' ? key : createPublicKey(key);
    return publicKey.asymmetricKeyType === 'ed25519' ? publicKey : null;
  } catch {
    return null;
  }
}

/** The 32 bytes of an Ed25519 public key (the JWK `x` member, RFC 8037). */
function rawEd25519PublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !TIMESTAMP.test(value)) return false;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

/** Matches `shape` and is the one canonical encoding of its bytes (unused low bits zero). */
function isCanonicalBase64(value: string, shape: RegExp): boolean {
  return shape.test(value) && Buffer.from(value, 'base64').toString('base64') === value;
}
