import { randomBytes } from 'node:crypto';
import { ValidationError } from '@custodian/kernel';
import { generateMasterKey, parseMasterKey } from './master-key';

describe('parseMasterKey', () => {
  const bytes = randomBytes(32);

  it('accepts 32 bytes as base64 and base64url, padded or not, surrounded by whitespace', () => {
    expect(parseMasterKey(bytes.toString('base64')).equals(bytes)).toBe(true);
    expect(parseMasterKey(bytes.toString('base64url')).equals(bytes)).toBe(true);
    expect(parseMasterKey(` ${bytes.toString('base64')}\n`).equals(bytes)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['64 bytes', randomBytes(64).toString('base64')],
    ['hex of 32 bytes', randomBytes(32).toString('hex')],
    ['not base64', `${bytes.toString('base64').slice(0, 20)}!@#$${bytes.toString('base64').slice(24)}`],
  ])('rejects %s, naming CUSTODIAN_MASTER_KEY', (_label, text) => {
    expect(() => parseMasterKey(text)).toThrow(ValidationError);
    expect(() => parseMasterKey(text)).toThrow(/CUSTODIAN_MASTER_KEY/);
  });

  it('never echoes the rejected text', () => {
    const text = randomBytes(31).toString('base64');
    expect(() => parseMasterKey(text)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(text) }));
  });
});

describe('generateMasterKey', () => {
  it('produces distinct keys that parse to 32 bytes', () => {
    const a = generateMasterKey();
    const b = generateMasterKey();
    expect(parseMasterKey(a)).toHaveLength(32);
    expect(a).not.toBe(b);
  });
});
