import { hash } from 'node:crypto';

/**
 * RFC 6962 §2.1 Merkle tree over SHA-256, with the proof algorithms of RFC 6962 §2.1.1–2.1.2
 * and the verification algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 (docs/verification.md,
 * "Ledger: Merkle tree, checkpoints and proofs").
 *
 *   leaf hash  = SHA-256(0x00 ‖ leaf data)
 *   node hash  = SHA-256(0x01 ‖ left ‖ right)
 *   empty root = SHA-256("")
 *
 * Sizes and indexes are JavaScript integers in [0, 2^53 - 1].
 */

/** Bytes in every hash of the tree. */
export const HASH_BYTES = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

const sha256 = (data: Buffer): Buffer => hash('sha256', data, 'buffer');

/** SHA-256 of the empty string: the root of the tree of size 0. */
export const EMPTY_ROOT: Buffer = sha256(Buffer.alloc(0));

/** Scratch buffers: hashing is synchronous, so one of each per process is safe. */
const leafScratch = Buffer.alloc(1 + HASH_BYTES);
const nodeScratch = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeScratch[0] = NODE_PREFIX;

/** SHA-256(0x00 ‖ data). Returns a new buffer. */
export function leafHash(data: Buffer): Buffer {
  if (data.length === HASH_BYTES) {
    leafScratch[0] = LEAF_PREFIX;
    data.copy(leafScratch, 1);
    return sha256(leafScratch);
  }
  return sha256(Buffer.concat([Buffer.of(LEAF_PREFIX), data]));
}

/** SHA-256(0x01 ‖ left ‖ right). Both must be 32 bytes. Returns a new buffer. */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  left.copy(nodeScratch, 1, 0, HASH_BYTES);
  right.copy(nodeScratch, 1 + HASH_BYTES, 0, HASH_BYTES);
  return sha256(nodeScratch);
}

/** The largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** True for 1, 2, 4, …, 2^52 (exact for every safe integer, unlike bit operations beyond 2^31). */
function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

function isSize(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0;
}

/** log2 of the hashes per storage chunk: 4096 hashes, 128 KiB. Must be ≥ 1 (siblings share a chunk). */
const CHUNK_SHIFT = 12;
const CHUNK_HASHES = 1 << CHUNK_SHIFT;
const CHUNK_BYTES = CHUNK_HASHES * HASH_BYTES;

/**
 * An append-only RFC 6962 Merkle tree held in memory.
 *
 * It stores the hash of every complete subtree: level 0 holds the leaf hashes, level l holds
 * the hash of leaves [j·2^l, (j+1)·2^l) for every j with (j+1)·2^l ≤ size. Appending costs one
 * leaf hash plus, amortised, one node hash. The root and every proof for any tree size up to
 * `size` cost O(log size) hashes, because every range a proof needs is either a stored complete
 * subtree or splits into one stored subtree and a smaller range.
 *
 * Nothing is ever removed or rewritten; returned buffers are copies the caller may keep.
 */
export class MerkleTree {
  /** levels[l] = chunks of CHUNK_HASHES hashes each. */
  private readonly levels: Buffer[][] = [];
  private count = 0;

  /** Number of leaves appended so far. */
  get size(): number {
    return this.count;
  }

  /** Appends a leaf whose data is `leafData` (hashed as SHA-256(0x00 ‖ data)); returns its index. */
  append(leafData: Buffer): number {
    return this.appendLeafHash(leafHash(leafData));
  }

  /** Appends an already computed 32-byte leaf hash; returns its index. */
  appendLeafHash(h: Buffer): number {
    if (h.length !== HASH_BYTES) throw new RangeError(`a leaf hash is ${HASH_BYTES} bytes, got ${h.length}`);
    const index = this.count;
    this.write(0, index, h);
    this.count = index + 1;
    // Each odd index closes a pair: hash it with its left sibling into the level above.
    let level = 0;
    let i = index;
    while (i % 2 === 1) {
      const chunk = this.levels[level][Math.floor((i - 1) / CHUNK_HASHES)];
      const offset = ((i - 1) % CHUNK_HASHES) * HASH_BYTES;
      chunk.copy(nodeScratch, 1, offset, offset + 2 * HASH_BYTES);
      const parent = sha256(nodeScratch);
      level += 1;
      i = (i - 1) / 2;
      this.write(level, i, parent);
    }
    return index;
  }

  /** The root hash of the first `treeSize` leaves (SHA-256("") for 0). */
  root(treeSize: number = this.count): Buffer {
    this.checkTreeSize(treeSize, 'treeSize');
    if (treeSize === 0) return Buffer.from(EMPTY_ROOT);
    return this.rangeHash(0, treeSize);
  }

  /** The leaf hash stored at `index`. */
  leafHashAt(index: number): Buffer {
    if (!isSize(index) || index >= this.count) throw new RangeError(`leaf index ${index} is outside the tree of size ${this.count}`);
    return Buffer.from(this.stored(0, index));
  }

  /**
   * The audit path PATH(leafIndex, D[0:treeSize]) of RFC 6962 §2.1.1: sibling hashes from the
   * leaf's level upwards (the first element is the leaf's sibling, the last the root's child).
   */
  inclusionProof(leafIndex: number, treeSize: number): Buffer[] {
    this.checkTreeSize(treeSize, 'treeSize');
    if (!isSize(leafIndex) || leafIndex >= treeSize) throw new RangeError(`leaf index ${leafIndex} is outside the tree of size ${treeSize}`);
    const proof: Buffer[] = [];
    this.path(leafIndex, 0, treeSize, proof);
    return proof;
  }

  /**
   * The consistency proof PROOF(fromSize, D[0:toSize]) of RFC 6962 §2.1.2, in the RFC's order
   * (deepest subtree first). Empty when fromSize is 0 or equals toSize.
   */
  consistencyProof(fromSize: number, toSize: number): Buffer[] {
    this.checkTreeSize(toSize, 'toSize');
    if (!isSize(fromSize) || fromSize > toSize) throw new RangeError(`fromSize ${fromSize} must be an integer in [0, toSize ${toSize}]`);
    const proof: Buffer[] = [];
    if (fromSize > 0 && fromSize < toSize) this.subproof(fromSize, 0, toSize, true, proof);
    return proof;
  }

  private checkTreeSize(treeSize: number, name: string): void {
    if (!isSize(treeSize) || treeSize > this.count) throw new RangeError(`${name} ${treeSize} must be an integer in [0, ${this.count}]`);
  }

  /** PATH(m, D[lo:hi]), appended to `out` deepest first. Requires lo ≤ lo + m < hi. */
  private path(m: number, lo: number, hi: number, out: Buffer[]): void {
    const n = hi - lo;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      this.path(m, lo, lo + k, out);
      out.push(this.rangeHash(lo + k, hi));
    } else {
      this.path(m - k, lo + k, hi, out);
      out.push(this.rangeHash(lo, lo + k));
    }
  }

  /** SUBPROOF(m, D[lo:hi], b), appended to `out` deepest first. Requires 0 < m ≤ hi - lo. */
  private subproof(m: number, lo: number, hi: number, complete: boolean, out: Buffer[]): void {
    const n = hi - lo;
    if (m === n) {
      if (!complete) out.push(this.rangeHash(lo, hi));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.subproof(m, lo, lo + k, complete, out);
      out.push(this.rangeHash(lo + k, hi));
    } else {
      this.subproof(m - k, lo + k, hi, false, out);
      out.push(this.rangeHash(lo, lo + k));
    }
  }

  /**
   * MTH(D[lo:hi]) for hi ≤ size, lo < hi, where lo is a multiple of the largest power of two
   * ≤ hi - lo (true of every range the RFC's recursions visit). A complete aligned range is
   * read from storage; otherwise the left part is and the right part recurses.
   */
  private rangeHash(lo: number, hi: number): Buffer {
    const n = hi - lo;
    if (isPowerOfTwo(n) && lo % n === 0) return Buffer.from(this.stored(Math.log2(n), lo / n));
    const k = splitPoint(n);
    return nodeHash(this.rangeHash(lo, lo + k), this.rangeHash(lo + k, hi));
  }

  /** A view (not a copy) of the hash stored at (level, index). */
  private stored(level: number, index: number): Buffer {
    const chunk = this.levels[level][Math.floor(index / CHUNK_HASHES)];
    const offset = (index % CHUNK_HASHES) * HASH_BYTES;
    return chunk.subarray(offset, offset + HASH_BYTES);
  }

  /** Stores the 32-byte `h` at (level, index), allocating the chunk on first use. */
  private write(level: number, index: number, h: Buffer): void {
    let chunks = this.levels[level];
    if (chunks === undefined) {
      chunks = [];
      this.levels[level] = chunks;
    }
    const c = Math.floor(index / CHUNK_HASHES);
    let chunk = chunks[c];
    if (chunk === undefined) {
      chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      chunks[c] = chunk;
    }
    h.copy(chunk, (index % CHUNK_HASHES) * HASH_BYTES, 0, HASH_BYTES);
  }
}

/**
 * The root that an inclusion proof leads to, by RFC 9162 §2.1.3.2 steps 1–4; null when the
 * proof cannot be an audit path for (leafIndex, treeSize) — index out of range, a hash that is
 * not 32 bytes, too many or too few elements.
 */
export function rootFromInclusion(leafHashValue: Buffer, leafIndex: number, treeSize: number, proof: readonly Buffer[]): Buffer | null {
  if (!isSize(treeSize) || !isSize(leafIndex) || leafIndex >= treeSize) return null;
  if (leafHashValue.length !== HASH_BYTES) return null;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHashValue;
  for (const p of proof) {
    if (p.length !== HASH_BYTES) return null;
    if (sn === 0) return null; // proof longer than the path
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      // On the right edge of an incomplete tree, climb the levels where the node has no sibling.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return null; // proof shorter than the path
  return r;
}

/** RFC 9162 §2.1.3.2: true iff `proof` shows the leaf hash at `leafIndex` in the tree of `treeSize` with `root`. */
export function verifyInclusion(leafHashValue: Buffer, leafIndex: number, treeSize: number, proof: readonly Buffer[], root: Buffer): boolean {
  const computed = rootFromInclusion(leafHashValue, leafIndex, treeSize, proof);
  return computed !== null && root.length === HASH_BYTES && computed.equals(root);
}

/**
 * RFC 9162 §2.1.4.2: true iff `proof` shows the tree of `fromSize` with `fromRoot` is a prefix
 * of the tree of `toSize` with `toRoot`. Edge cases (the RFC leaves them to the caller):
 * fromSize = toSize needs an empty proof and equal roots; fromSize = 0 needs an empty proof and
 * fromRoot = SHA-256(""); fromSize > toSize never verifies.
 */
export function verifyConsistency(fromSize: number, toSize: number, fromRoot: Buffer, toRoot: Buffer, proof: readonly Buffer[]): boolean {
  if (!isSize(fromSize) || !isSize(toSize) || fromSize > toSize) return false;
  if (fromRoot.length !== HASH_BYTES || toRoot.length !== HASH_BYTES) return false;
  if (proof.some((p) => p.length !== HASH_BYTES)) return false;
  if (fromSize === toSize) return proof.length === 0 && fromRoot.equals(toRoot);
  if (fromSize === 0) return proof.length === 0 && fromRoot.equals(EMPTY_ROOT);
  if (proof.length === 0) return false;

  // Step 2: when fromSize is a power of two the old root is itself a node of the new tree.
  const path = isPowerOfTwo(fromSize) ? [fromRoot, ...proof] : proof;
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0) return false; // proof longer than needed
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(fromRoot) && sr.equals(toRoot);
}
