import fc from 'fast-check';
import { normalizeIp } from './ip-address';

describe('normalizeIp', () => {
  it('keeps a dotted quad as it is', () => {
    for (const ip of ['0.0.0.0', '1.2.3.4', '10.0.0.1', '192.168.100.200', '255.255.255.255']) expect(normalizeIp(ip)).toBe(ip);
  });

  it('refuses IPv4 spellings that parsers read differently, and malformed quads', () => {
    for (const raw of ['01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-1', '0x7f.0.0.1', '2130706433', '1.2.3.4/32', '1.2.3.4:80']) {
      expect(normalizeIp(raw)).toBeUndefined();
    }
  });

  it('writes IPv6 in RFC 5952 form: lower case, no leading zeros, the longest zero run compressed', () => {
    const cases: Array<[string, string]> = [
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8::1', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['FE80::0001', 'fe80::1'],
      ['ffff::', 'ffff::'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ];
    for (const [raw, canonical] of cases) expect([raw, normalizeIp(raw)]).toEqual([raw, canonical]);
  });

  it('turns an IPv4-mapped IPv6 address, in any spelling, into the IPv4 address', () => {
    expect(normalizeIp('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(normalizeIp('::FFFF:192.168.0.1')).toBe('192.168.0.1');
    expect(normalizeIp('0:0:0:0:0:ffff:c0a8:1')).toBe('192.168.0.1');
    expect(normalizeIp('::ffff:0a00:0001')).toBe('10.0.0.1');
  });

  it('writes other embedded dotted quads as hex groups', () => {
    expect(normalizeIp('::1.2.3.4')).toBe('::102:304');
    expect(normalizeIp('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
  });

  it('refuses anything that is not exactly one address', () => {
    for (const raw of ['', ' 1.2.3.4', '1.2.3.4 ', 'localhost', 'fe80::1%eth0', '[::1]', '[::1]:443', '1::2::3', '1:2:3:4:5:6:7:8:9', '::ffff:1.2.3', '2001:db8::/32', 'g::1']) {
      expect(normalizeIp(raw)).toBeUndefined();
    }
    for (const raw of [null, undefined, 16909060, {}, ['1.2.3.4']]) expect(normalizeIp(raw)).toBeUndefined();
  });

  it('is idempotent, and gives every spelling of an IPv6 address the same text', () => {
    const groups = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, fc.boolean(), (g, upper) => {
        const full = g.map((x) => x.toString(16).padStart(4, '0')).join(':');
        const short = g.map((x) => x.toString(16)).join(':');
        const canonical = normalizeIp(short);
        expect(canonical).toBeDefined();
        expect(normalizeIp(upper ? full.toUpperCase() : full)).toBe(canonical);
        expect(normalizeIp(canonical)).toBe(canonical);
        const isMapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
        expect((canonical as string).includes('.')).toBe(isMapped);
        // The WHATWG URL host serializer compresses the same way (RFC 5952): an independent oracle.
        if (!isMapped) expect(`[${canonical as string}]`).toBe(new URL(`http://[${full}]/`).hostname);
      }),
    );
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(normalizeIp(ip)).toBe(ip);
        expect(normalizeIp(`::ffff:${ip}`)).toBe(ip);
      }),
    );
  });
});
