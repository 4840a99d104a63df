import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import {
  keyIdOf,
  parseCheckpointBody,
  serializeCheckpointBody,
  signCheckpoint,
  verifyCheckpointSignature,
  type CheckpointBody,
  type SignedCheckpoint,
} from './checkpoint';

const body: CheckpointBody = {
  version: 1,
  origin: 'custodian:dep-7f3a',
  treeSize: 1_000_000,
  rootHash: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  timestamp: '2026-11-30T17:00:00.000Z',
};
const EXPECTED_TEXT = 'custodian.checkpoint/v1\ncustodian:dep-7f3a\n1000000\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n2026-11-30T17:00:00.000Z\n';

const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const keyId = keyIdOf(keys.publicKey);

describe('checkpoint body serialisation', () => {
  it('writes the five documented lines, root in padded standard base64', () => {
    expect(serializeCheckpointBody(body)).toBe(EXPECTED_TEXT);
    expect(Buffer.from('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=', 'base64').toString('hex')).toBe(body.rootHash);
  });

  it('round-trips through parse', () => {
    expect(parseCheckpointBody(EXPECTED_TEXT)).toEqual(body);
    const empty: CheckpointBody = { ...body, treeSize: 0, rootHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' };
    expect(parseCheckpointBody(serializeCheckpointBody(empty))).toEqual(empty);
  });

  it.each([
    ['no final newline', EXPECTED_TEXT.slice(0, -1)],
    ['an extra line', `${EXPECTED_TEXT}extra\n`],
    ['an extra empty line', `${EXPECTED_TEXT}\n`],
    ['CRLF line ends', EXPECTED_TEXT.replace(/\n/g, '\r\n')],
    ['another header', EXPECTED_TEXT.replace('custodian.checkpoint/v1', 'custodian.checkpoint/v2')],
    ['a leading zero in the size', EXPECTED_TEXT.replace('\n1000000\n', '\n01000000\n')],
    ['a signed size', EXPECTED_TEXT.replace('\n1000000\n', '\n+1000000\n')],
    ['a size beyond 2^53', EXPECTED_TEXT.replace('\n1000000\n', '\n9007199254740992\n')],
    ['unpadded base64', EXPECTED_TEXT.replace('Qyg=', 'Qyg')],
    ['url-safe base64', EXPECTED_TEXT.replace('z+Nw7/Rg', 'z-Nw7_Rg')],
    ['non-canonical base64 (low bits set)', EXPECTED_TEXT.replace('Qyg=', 'Qyh=')],
    ['a root of 31 bytes', EXPECTED_TEXT.replace('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=', Buffer.alloc(31).toString('base64'))],
    ['a timestamp without milliseconds', EXPECTED_TEXT.replace('17:00:00.000Z', '17:00:00Z')],
    ['a timestamp with an offset', EXPECTED_TEXT.replace('17:00:00.000Z', '17:00:00.000+00:00')],
    ['an impossible date', EXPECTED_TEXT.replace('2026-11-30', '2026-11-31')],
    ['an origin with a space', EXPECTED_TEXT.replace('custodian:dep-7f3a', 'custodian: dep')],
    ['an empty origin', EXPECTED_TEXT.replace('custodian:dep-7f3a', '')],
  ])('rejects a body with %s', (_name, text) => {
    expect(() => parseCheckpointBody(text)).toThrow(TypeError);
  });

  it('refuses to serialise a malformed body', () => {
    expect(() => serializeCheckpointBody({ ...body, rootHash: body.rootHash.toUpperCase() })).toThrow(TypeError);
    expect(() => serializeCheckpointBody({ ...body, treeSize: -1 })).toThrow(TypeError);
    expect(() => serializeCheckpointBody({ ...body, origin: 'a\nb' })).toThrow(TypeError);
    expect(() => serializeCheckpointBody({ ...body, version: 2 as 1 })).toThrow(TypeError);
  });
});

describe('signed checkpoints', () => {
  const signed = signCheckpoint(body, keys.privateKey, keyId);

  it('signs exactly the body bytes with Ed25519, and verifies', () => {
    expect(signed).toEqual({ ...body, keyId, signature: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/) });
    expect(verify(null, Buffer.from(EXPECTED_TEXT, 'utf8'), keys.publicKey, Buffer.from(signed.signature, 'base64'))).toBe(true);
    expect(verifyCheckpointSignature(signed, keys.publicKey)).toBe(true);
    expect(verifyCheckpointSignature(JSON.parse(JSON.stringify(signed)), keys.publicKey.export({ type: 'spki', format: 'pem' }) as string)).toBe(true);
  });

  it('derives the key id from the raw 32-byte public key', () => {
    const raw = (keys.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).subarray(-32);
    expect(keyId).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(keyIdOf(keys.privateKey)).toBe(keyId);
    expect(keyIdOf(keys.publicKey.export({ type: 'spki', format: 'pem' }) as string)).toBe(keyId);
    expect(keyIdOf(otherKeys.publicKey)).not.toBe(keyId);
  });

  it('rejects a checkpoint signed with another key, even under the right key id', () => {
    const forged = signCheckpoint(body, otherKeys.privateKey, keyId);
    expect(verifyCheckpointSignature(forged, keys.publicKey)).toBe(false);
    expect(verifyCheckpointSignature(signed, otherKeys.publicKey)).toBe(false);
  });

  it.each<[string, Partial<SignedCheckpoint>]>([
    ['origin', { origin: 'custodian:other' }],
    ['treeSize', { treeSize: body.treeSize + 1 }],
    ['rootHash', { rootHash: body.rootHash.replace(/^5/, '6') }],
    ['timestamp', { timestamp: '2026-11-30T17:00:00.001Z' }],
    ['keyId', { keyId: keyIdOf(otherKeys.publicKey) }],
    ['signature', { signature: Buffer.from(Buffer.from(signed.signature, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64') }],
  ])('rejects the checkpoint once its %s is changed', (_field, change) => {
    expect(verifyCheckpointSignature({ ...signed, ...change }, keys.publicKey)).toBe(false);
  });

  it('rejects malformed checkpoints and unusable keys without throwing', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(verifyCheckpointSignature({ ...signed, version: 2 as 1 }, keys.publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...signed, extra: 1 } as SignedCheckpoint, keys.publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...signed, signature: signed.signature.slice(0, -4) }, keys.publicKey)).toBe(false);
    expect(verifyCheckpointSignature(null as unknown as SignedCheckpoint, keys.publicKey)).toBe(false);
    expect(verifyCheckpointSignature(signed, 'not a pem')).toBe(false);
    expect(verifyCheckpointSignature(signed, rsa.publicKey)).toBe(false);
    expect(() => signCheckpoint(body, rsa.privateKey, keyId)).toThrow(TypeError);
    expect(() => signCheckpoint(body, keys.publicKey, keyId)).toThrow(TypeError);
  });
});
