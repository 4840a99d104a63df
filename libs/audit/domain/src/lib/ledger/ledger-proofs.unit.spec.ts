import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { keyIdOf, serializeCheckpointBody, signCheckpoint, verifyCheckpointSignature, type SignedCheckpoint } from './checkpoint';
import {
  verifyConsistencyDocument,
  verifyInclusionDocument,
  verifyLedgerExport,
  type ConsistencyProofDocument,
  type InclusionProofDocument,
  type LedgerExportDocument,
} from './ledger-proofs';
import { leafHash, MerkleTree, verifyInclusion } from './merkle';

const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const ORIGIN = 'custodian:test-deployment';

const hex = (b: Buffer) => b.toString('hex');
const eventHashOf = (i: number) => createHash('sha256').update(`event ${i}`).digest('hex');
const eventIdOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** A ledger of `n` events' chain hashes, as the audit service will sequence them. */
function ledger(n: number): MerkleTree {
  const tree = new MerkleTree();
  for (let i = 0; i < n; i++) tree.append(Buffer.from(eventHashOf(i), 'hex'));
  return tree;
}

function checkpointOf(tree: MerkleTree, treeSize: number, key: KeyObject = keys.privateKey, keyId = keyIdOf(keys.publicKey)): SignedCheckpoint {
  const timestamp = new Date(Date.UTC(2026, 10, 30, 17, 0, 0) + treeSize).toISOString();
  return signCheckpoint({ version: 1, origin: ORIGIN, treeSize, rootHash: hex(tree.root(treeSize)), timestamp }, key, keyId);
}

function inclusionDoc(tree: MerkleTree, leafIndex: number, treeSize: number): InclusionProofDocument {
  return {
    kind: 'custodian.inclusion-proof/v1',
    eventId: eventIdOf(leafIndex),
    eventHash: eventHashOf(leafIndex),
    leafIndex,
    treeSize,
    auditPath: tree.inclusionProof(leafIndex, treeSize).map(hex),
    checkpoint: checkpointOf(tree, treeSize),
  };
}

function consistencyDoc(tree: MerkleTree, from: number, to: number): ConsistencyProofDocument {
  return { kind: 'custodian.consistency-proof/v1', from: checkpointOf(tree, from), to: checkpointOf(tree, to), proof: tree.consistencyProof(from, to).map(hex) };
}

function exportDoc(tree: MerkleTree, leaves: number[], treeSize = tree.size): LedgerExportDocument {
  return {
    kind: 'custodian.ledger-export/v1',
    checkpoint: checkpointOf(tree, treeSize),
    events: leaves.map((i) => ({ eventId: eventIdOf(i), eventHash: eventHashOf(i), leafIndex: i, auditPath: tree.inclusionProof(i, treeSize).map(hex) })),
  };
}

/** A deep copy, as an auditor would get it from a file. */
const viaJson = <T>(doc: T): T => JSON.parse(JSON.stringify(doc)) as T;

const tree = ledger(1000);

describe('verifyInclusionDocument', () => {
  it('verifies a proof for a past checkpoint, with the key as KeyObject or PEM', () => {
    const doc = viaJson(inclusionDoc(tree, 123, 777));
    expect(verifyInclusionDocument(doc, keys.publicKey)).toEqual({ ok: true });
    expect(verifyInclusionDocument(doc, publicPem)).toEqual({ ok: true });
    expect(verifyInclusionDocument(viaJson(inclusionDoc(tree, 0, 1)), publicPem)).toEqual({ ok: true });
  });

  it('rejects a checkpoint signed by another key', () => {
    const doc = { ...inclusionDoc(tree, 5, 100), checkpoint: checkpointOf(tree, 100, otherKeys.privateKey) };
    expect(verifyInclusionDocument(doc, keys.publicKey)).toMatchObject({ ok: false, code: 'signature' });
    expect(verifyInclusionDocument(inclusionDoc(tree, 5, 100), otherKeys.publicKey)).toMatchObject({ ok: false, code: 'signature' });
  });

  it('rejects a proof whose size is not the signed size', () => {
    const doc = { ...inclusionDoc(tree, 5, 100), treeSize: 101 };
    expect(verifyInclusionDocument(doc, keys.publicKey)).toMatchObject({ ok: false, code: 'mismatch' });
  });

  it('rejects another event, another leaf, a truncated, extended or altered path', () => {
    const doc = inclusionDoc(tree, 300, 1000);
    const path = doc.auditPath;
    const altered = [...path];
    altered[3] = altered[3].replace(/^./, (c) => (c === '0' ? '1' : '0'));
    for (const bad of [
      { ...doc, eventHash: eventHashOf(301) },
      { ...doc, leafIndex: 301 },
      { ...doc, auditPath: path.slice(0, -1) },
      { ...doc, auditPath: [...path, path[0]] },
      { ...doc, auditPath: altered },
    ]) {
      expect(verifyInclusionDocument(bad, keys.publicKey)).toMatchObject({ ok: false, code: 'proof' });
    }
  });

  it('refuses malformed documents and keys with a reason, never throwing', () => {
    const doc = inclusionDoc(tree, 1, 10);
    const cases: [unknown, RegExp][] = [
      [null, /not a custodian.inclusion-proof\/v1/],
      [[], /not a custodian.inclusion-proof\/v1/],
      [{ ...doc, kind: 'custodian.inclusion-proof/v2' }, /not a custodian/],
      [{ ...doc, extra: true }, /unknown members: extra/],
      [{ ...doc, eventHash: doc.eventHash.toUpperCase() }, /eventHash/],
      [{ ...doc, eventHash: doc.eventHash.slice(2) }, /eventHash/],
      [{ ...doc, eventId: 'not-a-uuid' }, /eventId/],
      [{ ...doc, leafIndex: 10 }, /leafIndex/],
      [{ ...doc, leafIndex: -1 }, /leafIndex/],
      [{ ...doc, leafIndex: 1.5 }, /leafIndex/],
      [{ ...doc, leafIndex: '1' }, /leafIndex/],
      [{ ...doc, treeSize: 0 }, /treeSize/],
      [{ ...doc, treeSize: 2 ** 53 }, /treeSize/],
      [{ ...doc, auditPath: 'abc' }, /auditPath must be an array/],
      [{ ...doc, auditPath: [...doc.auditPath.slice(1), 'zz'] }, /auditPath\[3\]/],
      [{ ...doc, auditPath: Array(65).fill(doc.eventHash) }, /more than 64/],
      [{ ...doc, checkpoint: { ...doc.checkpoint, rootHash: 'ab' } }, /checkpoint: .*rootHash/],
      [{ ...doc, checkpoint: undefined }, /checkpoint: /],
    ];
    for (const [bad, reason] of cases) {
      const result = verifyInclusionDocument(bad as InclusionProofDocument, keys.publicKey);
      expect(result).toMatchObject({ ok: false, code: 'malformed', reason: expect.stringMatching(reason) });
    }
    expect(verifyInclusionDocument(doc, 'not a key')).toMatchObject({ ok: false, code: 'key' });
    expect(verifyInclusionDocument(doc, generateKeyPairSync('x25519').publicKey)).toMatchObject({ ok: false, code: 'key' });
  });
});

describe('verifyConsistencyDocument', () => {
  it('verifies that an earlier signed tree is a prefix of a later one', () => {
    for (const [from, to] of [
      [1, 1000],
      [256, 1000],
      [777, 1000],
      [999, 1000],
      [500, 500],
      [0, 10],
    ]) {
      expect(verifyConsistencyDocument(viaJson(consistencyDoc(tree, from, to)), publicPem)).toEqual({ ok: true });
    }
  });

  it('rejects either checkpoint signed with another key', () => {
    const doc = consistencyDoc(tree, 300, 900);
    expect(verifyConsistencyDocument({ ...doc, from: checkpointOf(tree, 300, otherKeys.privateKey) }, keys.publicKey)).toMatchObject({ ok: false, code: 'signature', reason: expect.stringContaining('"from"') });
    expect(verifyConsistencyDocument({ ...doc, to: checkpointOf(tree, 900, otherKeys.privateKey) }, keys.publicKey)).toMatchObject({ ok: false, code: 'signature', reason: expect.stringContaining('"to"') });
  });

  it('rejects a forked log: a later checkpoint over different history', () => {
    const fork = new MerkleTree();
    for (let i = 0; i < 900; i++) fork.append(Buffer.from(i === 42 ? eventHashOf(-1) : eventHashOf(i), 'hex'));
    const doc: ConsistencyProofDocument = { kind: 'custodian.consistency-proof/v1', from: checkpointOf(tree, 300), to: checkpointOf(fork, 900), proof: fork.consistencyProof(300, 900).map(hex) };
    expect(verifyConsistencyDocument(doc, keys.publicKey)).toMatchObject({ ok: false, code: 'proof' });
  });

  it('rejects a truncated proof, swapped checkpoints, other origins', () => {
    const doc = consistencyDoc(tree, 300, 900);
    expect(verifyConsistencyDocument({ ...doc, proof: doc.proof.slice(0, -1) }, keys.publicKey)).toMatchObject({ ok: false, code: 'proof' });
    expect(verifyConsistencyDocument({ ...doc, proof: [] }, keys.publicKey)).toMatchObject({ ok: false, code: 'proof' });
    expect(verifyConsistencyDocument({ ...doc, from: doc.to, to: doc.from }, keys.publicKey)).toMatchObject({ ok: false, code: 'mismatch' });
    const elsewhere = signCheckpoint({ ...doc.to, origin: 'custodian:elsewhere' }, keys.privateKey, doc.to.keyId);
    expect(verifyConsistencyDocument({ ...doc, to: elsewhere }, keys.publicKey)).toMatchObject({ ok: false, code: 'mismatch' });
  });

  it('refuses malformed documents', () => {
    const doc = consistencyDoc(tree, 300, 900);
    expect(verifyConsistencyDocument({ ...doc, proof: [doc.proof[0].slice(1)] }, keys.publicKey)).toMatchObject({ ok: false, code: 'malformed', reason: expect.stringContaining('proof[0]') });
    expect(verifyConsistencyDocument({ ...doc, from: { ...doc.from, treeSize: -3 } }, keys.publicKey)).toMatchObject({ ok: false, code: 'malformed', reason: expect.stringContaining('from:') });
    expect(verifyConsistencyDocument({ kind: 'custodian.consistency-proof/v1' } as ConsistencyProofDocument, keys.publicKey)).toMatchObject({ ok: false, code: 'malformed' });
  });
});

describe('verifyLedgerExport', () => {
  const leaves = [0, 1, 2, 17, 256, 511, 512, 998, 999];

  it('verifies every event against the signed root', () => {
    expect(verifyLedgerExport(viaJson(exportDoc(tree, leaves)), publicPem)).toEqual({ ok: true, events: leaves.length });
    expect(verifyLedgerExport(viaJson(exportDoc(tree, [3, 4], 5)), publicPem)).toEqual({ ok: true, events: 2 });
  });

  it('names the first event that fails', () => {
    const doc = exportDoc(tree, leaves);
    doc.events[4].eventHash = eventHashOf(4);
    doc.events[6].auditPath.pop();
    expect(verifyLedgerExport(doc, keys.publicKey)).toMatchObject({ ok: false, code: 'proof', eventIndex: 4 });
    doc.events[4].eventHash = eventHashOf(256);
    expect(verifyLedgerExport(doc, keys.publicKey)).toMatchObject({ ok: false, code: 'proof', eventIndex: 6 });
  });

  it('rejects a forged checkpoint and malformed exports', () => {
    const doc = exportDoc(tree, leaves);
    expect(verifyLedgerExport({ ...doc, checkpoint: checkpointOf(tree, 1000, otherKeys.privateKey) }, keys.publicKey)).toMatchObject({ ok: false, code: 'signature' });
    expect(verifyLedgerExport({ ...doc, events: [] }, keys.publicKey)).toMatchObject({ ok: false, code: 'malformed' });
    expect(verifyLedgerExport({ ...doc, events: [doc.events[1], doc.events[0]] }, keys.publicKey)).toMatchObject({ ok: false, code: 'malformed', eventIndex: 1 });
    expect(verifyLedgerExport({ ...doc, events: [doc.events[0], doc.events[0]] }, keys.publicKey)).toMatchObject({ ok: false, code: 'malformed', eventIndex: 1 });
    const withExtra = viaJson(doc);
    (withExtra.events[2] as unknown as Record<string, unknown>)['note'] = 'x';
    expect(verifyLedgerExport(withExtra, keys.publicKey)).toMatchObject({ ok: false, code: 'malformed', eventIndex: 2, reason: expect.stringContaining('note') });
    const beyond = viaJson(exportDoc(tree, [3, 4], 5));
    beyond.events[1].leafIndex = 5;
    expect(verifyLedgerExport(beyond, keys.publicKey)).toMatchObject({ ok: false, code: 'malformed', eventIndex: 1 });
    expect(verifyLedgerExport('nonsense' as unknown as LedgerExportDocument, keys.publicKey)).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('answers exactly as verifying each event on its own would (shared path nodes are hashed once)', () => {
    const root = tree.root();
    const alone = (e: LedgerExportDocument['events'][number]) =>
      e.auditPath.every((h) => /^[0-9a-f]{64}$/.test(h)) &&
      verifyInclusion(leafHash(Buffer.from(e.eventHash, 'hex')), e.leafIndex, tree.size, e.auditPath.map((h) => Buffer.from(h, 'hex')), root);
    const corruption = fc.record({
      event: fc.nat(),
      how: fc.constantFrom('flip', 'truncate', 'extend', 'prepend', 'other-path', 'uppercase', 'non-hex', 'none'),
      element: fc.nat(),
      char: fc.nat(63),
      bad: fc.constantFrom('g', 'G', 'x', ' ', '-', '\u00e9', '0a'),
    });
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: tree.size - 1 }), { minLength: 1, maxLength: 40 }), fc.array(corruption, { maxLength: 3 }), (picked, corruptions) => {
        const doc = exportDoc(
          tree,
          [...picked].sort((a, b) => a - b),
        );
        for (const { event, how, element, char, bad } of corruptions) {
          const e = doc.events[event % doc.events.length];
          const k = element % e.auditPath.length;
          if (how === 'flip') e.auditPath[k] = (e.auditPath[k][0] === 'a' ? 'b' : 'a') + e.auditPath[k].slice(1);
          if (how === 'truncate') e.auditPath.pop();
          if (how === 'extend') e.auditPath.push(e.auditPath[k]);
          if (how === 'prepend') e.auditPath.unshift(e.auditPath[k]);
          if (how === 'other-path') e.auditPath = [...doc.events[(event + 1) % doc.events.length].auditPath];
          if (how === 'uppercase') e.auditPath[k] = e.auditPath[k].toUpperCase();
          if (how === 'non-hex') e.auditPath[k] = e.auditPath[k].slice(0, char) + bad + e.auditPath[k].slice(char + 1);
        }
        const firstBad = doc.events.findIndex((e) => !alone(e));
        const result = verifyLedgerExport(doc, keys.publicKey);
        if (firstBad < 0) expect(result).toEqual({ ok: true, events: doc.events.length });
        else expect(result).toMatchObject({ ok: false, eventIndex: firstBad });
      }),
      { numRuns: 300 },
    );
  });

  it('verifies 1,000 events of a 2^17-leaf ledger quickly', () => {
    const big = ledger(1 << 17);
    const picks = Array.from({ length: 1000 }, (_, k) => k * 131 + (k % 7));
    const doc = viaJson(exportDoc(big, picks));
    verifyLedgerExport(doc, keys.publicKey);
    const started = performance.now();
    const result = verifyLedgerExport(doc, keys.publicKey);
    const ms = performance.now() - started;
    expect(result).toEqual({ ok: true, events: 1000 });
    // The target is 50 ms for a 2^20-leaf ledger (bench/ledger.bench.ts measures it); this bound
    // only catches gross regressions on a loaded test machine.
    expect(ms).toBeLessThan(250);
  });
});

describe('the worked example of docs/verification.md ("Ledger: Merkle tree, checkpoints and proofs")', () => {
  // Recomputed with node:crypto alone, then compared with what the ledger code produces.
  const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  const leafOf = (eventHash: string) => sha256(Buffer.of(0), Buffer.from(eventHash, 'hex'));
  const node = (l: Buffer, r: Buffer) => sha256(Buffer.of(1), l, r);
  const events = ['9c0717f12b26bc01e082f4e36f64ee5b5553934a07bee9924c23c453428f6434', '00'.repeat(32), 'ff'.repeat(32)];
  // RFC 8032 §7.1 TEST 1.
  const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
  const raw = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') };
  const body =
    'custodian.checkpoint/v1\ncustodian:example\n3\nV3SaDxFPYjJpv5EAV9+USCskQmhpAP4JLF+dGXY6qmc=\n2026-11-30T17:00:00.000Z\n';
  const signed: SignedCheckpoint = {
    version: 1,
    origin: 'custodian:example',
    treeSize: 3,
    rootHash: '57749a0f114f623269bf910057df94482b2442686900fe092c5f9d19763aaa67',
    timestamp: '2026-11-30T17:00:00.000Z',
    keyId: '21fe31dfa154a261',
    signature: 'YSOrQgvN0DnLQNAMK6tWUj18cCYYGTZrKay97kDtCxHTRnamALTLSa20mKJNZNptepiJDzhvpiUvToPI6EVCAw==',
  };

  it('has the documented hashes, roots and proofs', () => {
    const [l0, l1, l2] = events.map(leafOf);
    expect([l0, l1, l2].map(hex)).toEqual([
      '9bd77536da87927bc63ec76c9e6112897a908b362dc571cdc97eacd4dda5b05c',
      '7f9c9e31ac8256ca2f258583df262dbc7d6f68f2a03043d5c99a4ae5a7396ce9',
      '5e16d316ecd5773e50c3b02737d424192b02f25b4245822079181c557aafda7d',
    ]);
    expect(hex(node(l0, l1))).toBe('c844aac2b03948d11423b82c80f43582889bd96d817c069d4633c005929a6ac6');
    expect(hex(node(node(l0, l1), l2))).toBe(signed.rootHash);

    const example = new MerkleTree();
    for (const e of events) example.append(Buffer.from(e, 'hex'));
    expect(hex(example.root(1))).toBe(hex(l0));
    expect(hex(example.root())).toBe(signed.rootHash);
    expect(example.inclusionProof(1, 3)).toEqual([l0, l2]);
    expect(example.inclusionProof(2, 3)).toEqual([node(l0, l1)]);
    expect(example.consistencyProof(1, 3)).toEqual([l1, l2]);
    expect(example.consistencyProof(2, 3)).toEqual([l2]);
  });

  it('has the documented 114-byte body, key id and deterministic signature', () => {
    expect(Buffer.byteLength(body, 'utf8')).toBe(114);
    expect(Buffer.from('V3SaDxFPYjJpv5EAV9+USCskQmhpAP4JLF+dGXY6qmc=', 'base64').toString('hex')).toBe(signed.rootHash);
    expect(createHash('sha256').update(raw).digest('hex').slice(0, 16)).toBe(signed.keyId);
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    expect(verify(null, Buffer.from(body, 'utf8'), publicKey, Buffer.from(signed.signature, 'base64'))).toBe(true);

    const privateKey = createPrivateKey({ key: { ...jwk, d: seed.toString('base64url') }, format: 'jwk' });
    const { keyId, signature, ...fields } = signed;
    expect(serializeCheckpointBody(fields)).toBe(body);
    expect(signCheckpoint(fields, privateKey, keyId)).toEqual(signed);
    expect(verifyCheckpointSignature(signed, publicKey.export({ type: 'spki', format: 'pem' }) as string)).toBe(true);
    expect(signature).toHaveLength(88);
  });
});
