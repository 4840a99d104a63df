import { isIP } from 'node:net';

/**
 * The one spelling of an IP address that the blocklist stores and compares, or undefined when
 * `raw` is not exactly an address:
 * - IPv4: the dotted quad; octets with leading zeros (`01.2.3.4`, octal to some parsers) are refused;
 * - IPv6: RFC 5952 text — lower-case hex without leading zeros, the longest run of two or more
 *   zero groups (the first on a tie) as `::`; an embedded dotted quad becomes two hex groups;
 * - IPv4-mapped IPv6 (`::ffff:a.b.c.d`, in any spelling) is the IPv4 address it maps;
 * - zone ids (`fe80::1%eth0`), brackets, ports, CIDR ranges and surrounding spaces are refused.
 * normalizeIp(normalizeIp(x)) === normalizeIp(x) for every x.
 */
export function normalizeIp(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const family = isIP(raw);
  if (family === 4) return raw.split('.').map(Number).join('.') === raw ? raw : undefined;
  if (family !== 6 || raw.includes('%')) return undefined;
  const groups = ipv6Groups(raw);
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return undefined;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return formatIpv6(groups);
}

/** The eight 16-bit groups of an address `isIP` accepted as IPv6. */
function ipv6Groups(text: string): number[] {
  const parts = text.split('::');
  if (parts.length === 1) return groupsOf(text);
  const head = groupsOf(parts[0]);
  const tail = groupsOf(parts[1]);
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function groupsOf(part: string): number[] {
  if (part === '') return [];
  return part.split(':').flatMap((piece) => {
    if (!piece.includes('.')) return [parseInt(piece, 16)];
    const [a, b, c, d] = piece.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | d];
  });
}

function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
