import { randomBytes } from 'node:crypto';
import { ValidationError } from '@custodian/kernel';
import { encodeAad, open, seal } from './aead';
import { formatPersonalData, isEncrypted, parsePersonalData, personalDataAad } from './personal-data-format';

describe('pd:v1 format', () => {
  const key = randomBytes(32);

  it('binds tenant and subject through the AAD, even under one key', () => {
    const sealed = parsePersonalData(formatPersonalData(seal(key, Buffer.from('alice'), personalDataAad('t', 's1'))));
    expect(open(key, sealed, personalDataAad('t', 's1'))?.toString()).toBe('alice');
    expect(open(key, sealed, personalDataAad('t', 's2'))).toBeNull();
    expect(open(key, sealed, personalDataAad('t2', 's1'))).toBeNull();
    expect(open(key, sealed, personalDataAad('ts', '1'))).toBeNull();
  });

  it('encodes AAD fields length-prefixed, so shifting a boundary changes it', () => {
    expect(encodeAad('l', 'ab', 'c').equals(encodeAad('l', 'a', 'bc'))).toBe(false);
    expect(encodeAad('l', 'a').toString('hex')).toBe('000000016c' + '0000000161');
  });

  it('parses what it formats and nothing else', () => {
    const value = formatPersonalData(seal(key, Buffer.from('x'), personalDataAad('t', 's')));
    expect(isEncrypted(value)).toBe(true);
    expect(formatPersonalData(parsePersonalData(value))).toBe(value);
    for (const bad of ['', 'pd:v1:', 'pd:v1:..', value.toUpperCase(), value.replace('.', ':'), `${value}A`]) {
      expect(isEncrypted(bad)).toBe(false);
      expect(() => parsePersonalData(bad)).toThrow(ValidationError);
    }
    expect(() => parsePersonalData('pd:v1:AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAB')).toThrow(ValidationError); // stray tag bits
  });
});
