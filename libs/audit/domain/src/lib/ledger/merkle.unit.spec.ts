import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { EMPTY_ROOT, leafHash, MerkleTree, nodeHash, rootFromInclusion, verifyConsistency, verifyInclusion } from './merkle';

const hex = (b: Buffer) => b.toString('hex');
const hx = (s: string) => Buffer.from(s, 'hex');

/*
 * Known-answer vectors published by the transparency-dev/merkle project (successor of the
 * google/certificate-transparency-go `merkle` package): the leaf inputs, node and root hashes
 * are from testonly/constants.go, the proofs from testonly/reference_test.go and
 * proof/verify_test.go (https://github.com/transparency-dev/merkle). Leaf indexes below are
 * 0-based (verify_test.go lists them 1-based).
 */
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hx);
const LEAF_HASHES = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
  '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
];
/** ROOTS[n] is the root of the tree of the first n leaves. */
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION_VECTORS: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  { index: 0, size: 2, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7'] },
  { index: 1, size: 2, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CONSISTENCY_VECTORS: { from: number; to: number; proof: string[] }[] = [
  { from: 1, to: 1, proof: [] },
  {
    from: 1,
    to: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
  {
    from: 6,
    to: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

function vectorTree(): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of LEAVES) tree.append(leaf);
  return tree;
}

/*
 * A deliberately naive reference, written straight from the recursive definitions of
 * RFC 6962 §2.1 (MTH, PATH, SUBPROOF) over an array of leaf hashes: O(n) per call.
 */
const ref = {
  split(n: number): number {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  },
  mth(leaves: Buffer[]): Buffer {
    if (leaves.length === 0) return createHash('sha256').digest();
    if (leaves.length === 1) return leaves[0];
    const k = ref.split(leaves.length);
    return createHash('sha256').update(Buffer.of(1)).update(ref.mth(leaves.slice(0, k))).update(ref.mth(leaves.slice(k))).digest();
  },
  path(m: number, leaves: Buffer[]): Buffer[] {
    if (leaves.length <= 1) return [];
    const k = ref.split(leaves.length);
    return m < k ? [...ref.path(m, leaves.slice(0, k)), ref.mth(leaves.slice(k))] : [...ref.path(m - k, leaves.slice(k)), ref.mth(leaves.slice(0, k))];
  },
  subproof(m: number, leaves: Buffer[], b: boolean): Buffer[] {
    const n = leaves.length;
    if (m === n) return b ? [] : [ref.mth(leaves)];
    const k = ref.split(n);
    return m <= k
      ? [...ref.subproof(m, leaves.slice(0, k), b), ref.mth(leaves.slice(k))]
      : [...ref.subproof(m - k, leaves.slice(k), false), ref.mth(leaves.slice(0, k))];
  },
};

/** A tree of `n` distinct random leaves, with its leaf hashes for the reference. */
function randomTree(n: number, seed: number): { tree: MerkleTree; hashes: Buffer[] } {
  const tree = new MerkleTree();
  const hashes: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const data = createHash('sha256').update(`leaf ${seed} ${i}`).digest();
    tree.append(data);
    hashes.push(leafHash(data));
  }
  return { tree, hashes };
}

function flipped(proof: Buffer[], element: number, byte: number): Buffer[] {
  return proof.map((p, i) => {
    if (i !== element) return p;
    const copy = Buffer.from(p);
    copy[byte] ^= 0x01;
    return copy;
  });
}

describe('RFC 6962 hashing', () => {
  it('hashes leaves with 0x00 and nodes with 0x01, and the empty tree as SHA-256("")', () => {
    expect(LEAVES.map((l) => hex(leafHash(l)))).toEqual(LEAF_HASHES);
    expect(hex(nodeHash(hx(LEAF_HASHES[0]), hx(LEAF_HASHES[1])))).toBe(ROOTS[2]);
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0]);
    // The 32-byte fast path and the general path agree.
    const event = randomBytes(32);
    expect(leafHash(event)).toEqual(createHash('sha256').update(Buffer.of(0)).update(event).digest());
  });
});

describe('MerkleTree against the published vectors', () => {
  it('has the published root for every size 0..8, now and historically', () => {
    const grown = new MerkleTree();
    expect(hex(grown.root())).toBe(ROOTS[0]);
    LEAVES.forEach((leaf, i) => {
      expect(grown.append(leaf)).toBe(i);
      expect(hex(grown.root())).toBe(ROOTS[i + 1]);
    });
    const tree = vectorTree();
    for (let n = 0; n <= 8; n++) expect(hex(tree.root(n))).toBe(ROOTS[n]);
    expect(tree.size).toBe(8);
    expect(hex(tree.leafHashAt(7))).toBe(LEAF_HASHES[7]);
  });

  it.each(INCLUSION_VECTORS)('produces and verifies the inclusion proof of leaf $index in size $size', ({ index, size, proof }) => {
    const tree = vectorTree();
    expect(tree.inclusionProof(index, size).map(hex)).toEqual(proof);
    expect(verifyInclusion(hx(LEAF_HASHES[index]), index, size, proof.map(hx), hx(ROOTS[size]))).toBe(true);
    expect(hex(rootFromInclusion(hx(LEAF_HASHES[index]), index, size, proof.map(hx)) as Buffer)).toBe(ROOTS[size]);
  });

  it.each(CONSISTENCY_VECTORS)('produces and verifies the consistency proof from $from to $to', ({ from, to, proof }) => {
    const tree = vectorTree();
    expect(tree.consistencyProof(from, to).map(hex)).toEqual(proof);
    expect(verifyConsistency(from, to, hx(ROOTS[from]), hx(ROOTS[to]), proof.map(hx))).toBe(true);
  });

  it('rejects the published proofs once corrupted (the verifier can fail)', () => {
    const { proof } = INCLUSION_VECTORS[6];
    const good = proof.map(hx);
    const leaf = hx(LEAF_HASHES[5]);
    const root = hx(ROOTS[8]);
    expect(verifyInclusion(leaf, 5, 8, good, root)).toBe(true);
    expect(verifyInclusion(leaf, 4, 8, good, root)).toBe(false);
    expect(verifyInclusion(leaf, 6, 8, good, root)).toBe(false);
    expect(verifyInclusion(leaf, 5, 16, good, root)).toBe(false);
    expect(verifyInclusion(leaf, 5, 6, good, root)).toBe(false);
    // Leaf 5 sits at the same place in trees of 7 and 8 leaves, so the proof alone cannot tell
    // the sizes apart: the size must come from the signed checkpoint that names the root.
    expect(verifyInclusion(leaf, 5, 7, good, root)).toBe(true);
    expect(verifyInclusion(hx(LEAF_HASHES[4]), 5, 8, good, root)).toBe(false);
    expect(verifyInclusion(leaf, 5, 8, good, EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(leaf, 5, 8, good.slice(0, 2), root)).toBe(false);
    expect(verifyInclusion(leaf, 5, 8, [...good, root], root)).toBe(false);
    expect(verifyInclusion(leaf, 5, 8, [root, ...good], root)).toBe(false);
    expect(verifyInclusion(leaf, 5, 8, [...good, Buffer.alloc(0)], root)).toBe(false);

    const c = CONSISTENCY_VECTORS[2];
    const cp = c.proof.map(hx);
    expect(verifyConsistency(6, 8, hx(ROOTS[6]), hx(ROOTS[8]), cp)).toBe(true);
    expect(verifyConsistency(6, 8, hx(ROOTS[8]), hx(ROOTS[6]), cp)).toBe(false);
    expect(verifyConsistency(5, 8, hx(ROOTS[6]), hx(ROOTS[8]), cp)).toBe(false);
    expect(verifyConsistency(7, 8, hx(ROOTS[6]), hx(ROOTS[8]), cp)).toBe(false);
    expect(verifyConsistency(6, 16, hx(ROOTS[6]), hx(ROOTS[8]), cp)).toBe(false);
    expect(verifyConsistency(6, 4, hx(ROOTS[6]), hx(ROOTS[8]), cp)).toBe(false);
    expect(verifyConsistency(6, 8, hx(ROOTS[6]), hx(ROOTS[8]), [])).toBe(false);
    expect(verifyConsistency(6, 8, hx(ROOTS[6]), hx(ROOTS[8]), cp.slice(0, 2))).toBe(false);
    expect(verifyConsistency(6, 8, hx(ROOTS[6]), hx(ROOTS[8]), [...cp, hx(ROOTS[8])])).toBe(false);
    expect(verifyConsistency(6, 8, hx(ROOTS[6]), hx(ROOTS[8]), [cp[0], ...cp])).toBe(false);
  });

  it('treats the trivial consistency cases as the contract says', () => {
    const r = hx(ROOTS[3]);
    expect(verifyConsistency(3, 3, r, r, [])).toBe(true);
    expect(verifyConsistency(3, 3, r, hx(ROOTS[4]), [])).toBe(false);
    expect(verifyConsistency(3, 3, r, r, [r])).toBe(false);
    expect(verifyConsistency(0, 3, EMPTY_ROOT, r, [])).toBe(true);
    expect(verifyConsistency(0, 3, r, r, [])).toBe(false);
    expect(verifyConsistency(0, 3, EMPTY_ROOT, r, [r])).toBe(false);
    expect(verifyConsistency(4, 3, r, r, [])).toBe(false);
    expect(vectorTree().consistencyProof(0, 5)).toEqual([]);
    expect(vectorTree().consistencyProof(5, 5)).toEqual([]);
  });
});

describe('MerkleTree argument ranges', () => {
  it('throws RangeError for sizes and indexes outside the tree', () => {
    const tree = vectorTree();
    expect(() => tree.root(9)).toThrow(RangeError);
    expect(() => tree.root(-1)).toThrow(RangeError);
    expect(() => tree.root(1.5)).toThrow(RangeError);
    expect(() => tree.leafHashAt(8)).toThrow(RangeError);
    expect(() => tree.inclusionProof(3, 3)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0, 0)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0, 9)).toThrow(RangeError);
    expect(() => tree.consistencyProof(4, 3)).toThrow(RangeError);
    expect(() => tree.consistencyProof(1, 9)).toThrow(RangeError);
    expect(() => tree.appendLeafHash(Buffer.alloc(31))).toThrow(RangeError);
  });

  it('hands out copies, so callers cannot corrupt the tree', () => {
    const tree = vectorTree();
    tree.leafHashAt(0).fill(0);
    tree.inclusionProof(0, 8)[0].fill(0);
    tree.root(4).fill(0);
    expect(hex(tree.root())).toBe(ROOTS[8]);
    expect(hex(tree.root(4))).toBe(ROOTS[4]);
  });
});

describe('MerkleTree against the RFC definitions (exhaustive, small trees)', () => {
  it('matches MTH, PATH and PROOF for every size, index and pair of sizes up to 33 leaves', () => {
    const { tree, hashes } = randomTree(33, 1);
    for (let m = 0; m <= 33; m++) {
      const prefix = hashes.slice(0, m);
      expect(tree.root(m)).toEqual(ref.mth(prefix));
      for (let i = 0; i < m; i++) {
        const proof = tree.inclusionProof(i, m);
        expect(proof).toEqual(ref.path(i, prefix));
        expect(verifyInclusion(hashes[i], i, m, proof, tree.root(m))).toBe(true);
      }
      for (let from = 1; from < m; from++) {
        const proof = tree.consistencyProof(from, m);
        expect(proof).toEqual(ref.subproof(from, prefix, true));
        expect(verifyConsistency(from, m, tree.root(from), tree.root(m), proof)).toBe(true);
      }
    }
  });
});

describe('proof properties (fast-check)', () => {
  const N = 300;
  const { tree, hashes } = randomTree(N, 2);
  const sizeAndIndex = fc.integer({ min: 1, max: N }).chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 0, max: m - 1 })));
  const sizePair = fc.integer({ min: 2, max: N }).chain((to) => fc.tuple(fc.integer({ min: 1, max: to - 1 }), fc.constant(to)));

  it('every inclusion proof verifies, and any corruption of it does not', () => {
    let corruptions = 0;
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), fc.nat(31), ([m, i], pick, byte) => {
        const proof = tree.inclusionProof(i, m);
        const root = tree.root(m);
        expect(proof).toEqual(ref.path(i, hashes.slice(0, m)));
        expect(verifyInclusion(hashes[i], i, m, proof, root)).toBe(true);
        const bad: [number, number, Buffer[], Buffer][] = [
          [i, m, [...proof, randomBytes(32)], root],
          [i, m, [...proof, root], root],
          [i, m, [randomBytes(32), ...proof], root],
          [i, m, proof, randomBytes(32)],
          [i, 2 * m, proof, root],
        ];
        if (proof.length > 0) {
          bad.push([i, m, flipped(proof, pick % proof.length, byte), root], [i, m, proof.slice(0, -1), root], [i, m, proof.slice(1), root]);
        }
        if (i + 1 < m) bad.push([i + 1, m, proof, root]);
        if (i > 0) bad.push([i - 1, m, proof, root]);
        if (Math.floor(m / 2) > i) bad.push([i, Math.floor(m / 2), proof, root]);
        for (const [index, size, p, r] of bad) {
          expect(verifyInclusion(hashes[i], index, size, p, r)).toBe(false);
          corruptions++;
        }
        expect(verifyInclusion(hashes[(i + 1) % N], i, m, proof, root)).toBe(hashes[(i + 1) % N].equals(hashes[i]));
      }),
      { numRuns: 300 },
    );
    expect(corruptions).toBeGreaterThan(1500);
  });

  it('every consistency proof verifies, and any corruption of it does not', () => {
    let corruptions = 0;
    fc.assert(
      fc.property(sizePair, fc.nat(), fc.nat(31), ([from, to], pick, byte) => {
        const proof = tree.consistencyProof(from, to);
        const r1 = tree.root(from);
        const r2 = tree.root(to);
        expect(proof).toEqual(ref.subproof(from, hashes.slice(0, to), true));
        expect(verifyConsistency(from, to, r1, r2, proof)).toBe(true);
        expect(proof.length).toBeGreaterThan(0);
        const bad: [number, number, Buffer, Buffer, Buffer[]][] = [
          [from, to, r1, r2, flipped(proof, pick % proof.length, byte)],
          [from, to, r1, r2, proof.slice(0, -1)],
          [from, to, r1, r2, proof.slice(1)],
          [from, to, r1, r2, [...proof, randomBytes(32)]],
          [from, to, r1, r2, [...proof, r2]],
          [from, to, r1, r2, [proof[0], ...proof]],
          [from, to, r2, r1, proof],
          [from, to, randomBytes(32), r2, proof],
          [from, to, r1, randomBytes(32), proof],
          [from, 2 * to, r1, r2, proof],
          [to, from, r1, r2, proof],
        ];
        if (from + 1 < to) bad.push([from + 1, to, r1, r2, proof]);
        if (from > 1) bad.push([from - 1, to, r1, r2, proof]);
        for (const [s1, s2, a, b, p] of bad) {
          expect(verifyConsistency(s1, s2, a, b, p)).toBe(false);
          corruptions++;
        }
      }),
      { numRuns: 300 },
    );
    expect(corruptions).toBeGreaterThan(3000);
  });
});

describe('MerkleTree at scale', () => {
  it('keeps historical roots and proofs cheap (O(log n) hashes, not O(n))', () => {
    const n = 1 << 17;
    const tree = new MerkleTree();
    const leaf = Buffer.alloc(32);
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      leaf.writeUInt32BE(i, 0);
      tree.append(leaf);
    }
    const appendMs = performance.now() - started;
    // 131k appends: an O(n log n) or worse append would take far longer than this generous bound.
    expect(appendMs).toBeLessThan(5_000);

    const t0 = performance.now();
    let checked = 0;
    for (let k = 1; k <= 500; k++) {
      const size = n - k * 97;
      const index = (k * 7919) % size;
      const root = tree.root(size);
      expect(verifyInclusion(tree.leafHashAt(index), index, size, tree.inclusionProof(index, size), root)).toBe(true);
      expect(verifyConsistency(size - k, size, tree.root(size - k), root, tree.consistencyProof(size - k, size))).toBe(true);
      checked++;
    }
    // 500 × (3 roots + 2 proofs) at O(n) each would be ~10^8 hashes; at O(log n) it is ~10^5.
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(checked).toBe(500);
  });
});
