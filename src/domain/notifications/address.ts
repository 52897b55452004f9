/**
 * Which IP addresses a webhook may be delivered to (issue 15 item 3): only public unicast ones.
 * Loopback, private, link-local, unique-local, carrier-grade NAT, multicast, unspecified,
 * documentation and other special-purpose ranges (RFC 6890 and its IANA registries) are refused,
 * and an IPv6 address that embeds an IPv4 one (IPv4-mapped, NAT64) is judged by that IPv4 address.
 * Pure: the delivery service resolves the name and asks about every address it got.
 */

type Parsed = { readonly v: 4; readonly n: number } | { readonly v: 6; readonly n: bigint };

function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const x = Number(p);
    if (x > 255) return undefined;
    n = n * 256 + x;
  }
  return n;
}

function parseIPv6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined; // a zone id: link-local by definition, refused
  let head = text;
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) is rewritten as its two hex groups.
  const lastColon = head.lastIndexOf(':');
  if (lastColon >= 0 && head.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(head.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    head = `${head.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = groupsOf(halves[0] ?? '');
  const right = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (!left || !right) return undefined;
  const given = left.length + right.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...left, ...new Array<number>(8 - given).fill(0), ...right];
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  return n;
}

/** An IPv4 or IPv6 address in text form (brackets allowed), or undefined when it is neither. */
export function parseIp(text: string): Parsed | undefined {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (t.includes(':')) {
    const n = parseIPv6(t);
    return n === undefined ? undefined : { v: 6, n };
  }
  const n = parseIPv4(t);
  return n === undefined ? undefined : { v: 4, n };
}

const V4_REFUSED: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
];

function v4Public(n: number): boolean {
  for (const [base, bits] of V4_REFUSED) {
    const b = parseIPv4(base) as number;
    const size = 2 ** (32 - bits);
    if (n >= b && n < b + size) return false;
  }
  return true;
}

function inV6(n: bigint, base: string, bits: number): boolean {
  const b = parseIPv6(base) as bigint;
  const shift = BigInt(128 - bits);
  return n >> shift === b >> shift;
}

function v6Public(n: bigint): boolean {
  // IPv4-mapped (::ffff:0:0/96) and the NAT64 well-known prefix (64:ff9b::/96) carry an IPv4 address.
  if (inV6(n, '::ffff:0:0', 96) || inV6(n, '64:ff9b::', 96)) return v4Public(Number(n & 0xffffffffn));
  // Only global unicast (2000::/3) is public; unspecified, loopback, IPv4-compatible, ULA
  // (fc00::/7), link-local (fe80::/10), site-local and multicast (ff00::/8) all lie outside it.
  if (!inV6(n, '2000::', 3)) return false;
  const refused: [string, number][] = [
    ['2001::', 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID
    ['2001:db8::', 32], // documentation
    ['2002::', 16], // 6to4: embeds an IPv4 address a relay would reach
    ['3fff::', 20], // documentation (RFC 9637)
  ];
  return !refused.some(([base, bits]) => inV6(n, base, bits));
}

/** True only for a public unicast address a webhook may be delivered to. */
export function isPublicAddress(text: string): boolean {
  const ip = parseIp(text);
  if (!ip) return false;
  return ip.v === 4 ? v4Public(ip.n) : v6Public(ip.n);
}
