import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf, MerkleTree, signCheckpoint, type SignedCheckpoint } from '@custodian/audit/domain';
import { exitCodeOf, verifyInclusionCommand, verifyLedgerFile } from './verify-ledger.command';

const keys = generateKeyPairSync('ed25519');
const forger = generateKeyPairSync('ed25519');
const hex = (b: Buffer) => b.toString('hex');
const eventHashOf = (i: number) => createHash('sha256').update(`event ${i}`).digest('hex');

const tree = new MerkleTree();
for (let i = 0; i < 50; i++) tree.append(Buffer.from(eventHashOf(i), 'hex'));

function checkpoint(treeSize: number, signer: KeyObject = keys.privateKey): SignedCheckpoint {
  const body = { version: 1 as const, origin: 'custodian:cli-test', treeSize, rootHash: hex(tree.root(treeSize)), timestamp: `2027-01-01T00:00:${String(treeSize % 60).padStart(2, '0')}.000Z` };
  return signCheckpoint(body, signer, keyIdOf(keys.publicKey));
}

function inclusionDoc(leafIndex: number, treeSize: number) {
  return {
    kind: 'custodian.inclusion-proof/v1',
    eventId: `00000000-0000-4000-8000-${String(leafIndex).padStart(12, '0')}`,
    eventHash: eventHashOf(leafIndex),
    leafIndex,
    treeSize,
    auditPath: tree.inclusionProof(leafIndex, treeSize).map(hex),
    checkpoint: checkpoint(treeSize),
  };
}

function consistencyDoc(from: number, to: number) {
  return { kind: 'custodian.consistency-proof/v1', from: checkpoint(from), to: checkpoint(to), proof: tree.consistencyProof(from, to).map(hex) };
}

describe('custodian verify inclusion | consistency | checkpoint', () => {
  let dir: string;
  let keyFile: string;
  let forgerKeyFile: string;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'custodian-verify-ledger-'));
    keyFile = file('ledger.pub.pem', keys.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    forgerKeyFile = file('forger.pub.pem', forger.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies an inclusion proof and reports what it proved (exit 0)', () => {
    const doc = inclusionDoc(17, 42);
    const outcome = verifyLedgerFile('inclusion', file('inclusion.json', doc), keyFile);
    expect(outcome).toEqual({
      verify: 'inclusion',
      ok: true,
      eventId: doc.eventId,
      eventHash: doc.eventHash,
      leafIndex: 17,
      treeSize: 42,
      rootHash: hex(tree.root(42)),
      origin: 'custodian:cli-test',
      timestamp: doc.checkpoint.timestamp,
      keyId: keyIdOf(keys.publicKey),
    });
    expect(exitCodeOf(outcome)).toBe(0);
  });

  it('fails a truncated inclusion proof (exit 1)', () => {
    const doc = inclusionDoc(17, 42);
    doc.auditPath.pop();
    const outcome = verifyLedgerFile('inclusion', file('truncated.json', doc), keyFile);
    expect(outcome).toMatchObject({ verify: 'inclusion', ok: false, code: 'proof' });
    expect(exitCodeOf(outcome)).toBe(1);
  });

  it('fails a checkpoint forged with another key, and a proof checked with the wrong key (exit 1)', () => {
    const forged = { ...inclusionDoc(3, 42), checkpoint: checkpoint(42, forger.privateKey) };
    const outcome = verifyLedgerFile('inclusion', file('forged.json', forged), keyFile);
    expect(outcome).toMatchObject({ ok: false, code: 'signature' });
    expect(exitCodeOf(outcome)).toBe(1);
    expect(verifyLedgerFile('inclusion', file('good.json', inclusionDoc(3, 42)), forgerKeyFile)).toMatchObject({ ok: false, code: 'signature' });
    expect(exitCodeOf(verifyLedgerFile('checkpoint', file('forged-cp.json', checkpoint(42, forger.privateKey)), keyFile))).toBe(1);
  });

  it('verifies a consistency proof, and fails a truncated one', () => {
    const doc = consistencyDoc(13, 50);
    const outcome = verifyLedgerFile('consistency', file('consistency.json', doc), keyFile);
    expect(outcome).toEqual({ verify: 'consistency', ok: true, origin: 'custodian:cli-test', fromSize: 13, fromRoot: hex(tree.root(13)), toSize: 50, toRoot: hex(tree.root(50)), keyId: keyIdOf(keys.publicKey) });
    const truncated = { ...doc, proof: doc.proof.slice(0, -1) };
    const bad = verifyLedgerFile('consistency', file('consistency-truncated.json', truncated), keyFile);
    expect(bad).toMatchObject({ ok: false, code: 'proof' });
    expect(exitCodeOf(bad)).toBe(1);
  });

  it('verifies a signed checkpoint, and fails an altered one', () => {
    const cp = checkpoint(50);
    expect(verifyLedgerFile('checkpoint', file('cp.json', cp), keyFile)).toEqual({
      verify: 'checkpoint',
      ok: true,
      origin: cp.origin,
      treeSize: 50,
      rootHash: cp.rootHash,
      timestamp: cp.timestamp,
      keyId: cp.keyId,
    });
    const altered = verifyLedgerFile('checkpoint', file('cp-altered.json', { ...cp, treeSize: 51 }), keyFile);
    expect(altered).toMatchObject({ ok: false, code: 'signature' });
    expect(exitCodeOf(altered)).toBe(1);
  });

  it.each<[string, () => [string, string]]>([
    ['a missing file', () => [join(dir, 'absent.json'), keyFile]],
    ['a file that is not JSON', () => [file('not-json.json', '{"kind":'), keyFile]],
    ['a document of another kind', () => [file('other.json', consistencyDoc(1, 2)), keyFile]],
    ['a malformed proof', () => [file('malformed.json', { ...inclusionDoc(1, 2), auditPath: ['xyz'] }), keyFile]],
    ['a missing key file', () => [file('ok1.json', inclusionDoc(1, 2)), join(dir, 'absent.pem')]],
    ['a key file that is not a key', () => [file('ok2.json', inclusionDoc(1, 2)), file('garbage.pem', 'hello')]],
    ['a key that is not Ed25519', () => [file('ok3.json', inclusionDoc(1, 2)), file('rsa.pem', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string)]],
  ])('refuses %s as unusable input (exit 2)', (_name, paths) => {
    const [docFile, pemFile] = paths();
    const outcome = verifyLedgerFile('inclusion', docFile, pemFile);
    expect(outcome).toMatchObject({ verify: 'inclusion', ok: false });
    expect(exitCodeOf(outcome)).toBe(2);
  });

  it('prints one JSON line and sets the exit code', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const previous = process.exitCode;
    try {
      const doc = inclusionDoc(5, 9);
      doc.auditPath.pop();
      verifyInclusionCommand(file('cmd.json', doc), { publicKey: keyFile });
      expect(process.exitCode).toBe(1);
      const line = String(write.mock.calls[0][0]);
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toMatchObject({ verify: 'inclusion', ok: false, code: 'proof' });
    } finally {
      process.exitCode = previous;
      write.mockRestore();
    }
  });
});
