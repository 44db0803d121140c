/**
 * Which IP addresses a webhook may not reach from a deployed function: everything that is not the
 * public internet. The ranges are the IANA IPv4 and IPv6 Special-Purpose Address Registries (as of
 * 2025: RFC 6890 and its updates, including 3fff::/20 of RFC 9637, 5f00::/16 of RFC 9602 and
 * 100:0:0:1::/64 of RFC 9780), multicast, and the cloud metadata addresses. Entries the registry marks
 * globally reachable (AS112, AMT, TURN and PCP anycast) are refused too: no webhook lives there.
 *
 * Matching is node:net's BlockList (Node's own, maintained parser: every textual form, IPv4 dotted
 * tails, IPv4-mapped IPv6 judged by its IPv4 rules). IPv6 forms that carry an IPv4 address
 * (IPv4-mapped, IPv4-translated `::ffff:0:a.b.c.d`, IPv4-compatible, NAT64, 6to4) are judged by the
 * address they carry: for each such prefix, every blocked IPv4 range is also written as the IPv6 range
 * it becomes inside that prefix, so `::ffff:0:7f00:1` is "IPv4-translated loopback".
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

interface Rule {
  readonly name: string;
  readonly list: BlockList;
}

/** `[cidr, name]`, most specific first: the first match names the rule in the error message. */
const BLOCKED_V4: readonly (readonly [string, string])[] = [
  ['169.254.169.254/32', 'cloud metadata'],
  ['169.254.170.2/32', 'container metadata'],
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignment'],
  ['192.0.2.0/24', 'documentation'],
  ['192.31.196.0/24', 'AS112'],
  ['192.52.193.0/24', 'AMT'],
  ['192.88.99.0/24', '6to4 relay'],
  ['192.168.0.0/16', 'private'],
  ['192.175.48.0/24', 'AS112'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

const BLOCKED_V6: readonly (readonly [string, string])[] = [
  ['fd00:ec2::254/128', 'cloud metadata'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'local-use NAT64'],
  ['100::/64', 'discard-only'],
  ['100:0:0:1::/64', 'dummy prefix'],
  ['2001::/23', 'IETF protocol assignment'],
  ['2001:db8::/32', 'documentation'],
  ['2620:4f:8000::/48', 'AS112'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'segment routing'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
];

/**
 * IPv6 prefixes whose addresses carry an IPv4 address, and where: the IPv6 range a blocked IPv4
 * range `a.b.c.d/n` becomes inside the prefix. `whole` names the form when it is refused whatever
 * IPv4 address it carries (forms no public host is reached by).
 */
const EMBEDDING: readonly {
  readonly label: string;
  readonly toV6: (v4: string, bits: number) => readonly [string, number];
  readonly whole?: readonly [string, string];
}[] = [
  { label: 'IPv4-mapped', toV6: (v4, bits) => [`::ffff:${v4}`, 96 + bits] },
  {
    label: 'IPv4-translated',
    toV6: (v4, bits) => [`::ffff:0:${v4}`, 96 + bits],
    whole: ['::ffff:0:0:0/96', 'IPv4-translated (RFC 2765, not routed)'],
  },
  {
    label: 'IPv4-compatible',
    toV6: (v4, bits) => [`::${v4}`, 96 + bits],
    whole: ['::/96', 'IPv4-compatible (deprecated, not routed)'],
  },
  { label: 'NAT64', toV6: (v4, bits) => [`64:ff9b::${v4}`, 96 + bits] },
  { label: '6to4', toV6: (v4, bits) => [`2002:${hexGroups(v4)}::`, 16 + bits] },
];

function rule(name: string, entries: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[]): Rule {
  const list = new BlockList();
  for (const [address, bits, family] of entries) list.addSubnet(address, bits, family);
  return { name, list };
}

function cidr(text: string): [string, number] {
  const [address = '', bits = ''] = text.split('/');
  return [address, Number(bits)];
}

/** `a.b.c.d` as the two IPv6 groups `aabb:ccdd`. */
function hexGroups(v4: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

const V4_RULES: readonly Rule[] = BLOCKED_V4.map(([range, name]) => rule(name, [[...cidr(range), 'ipv4']]));

const V6_RULES: readonly Rule[] = [
  // Direct ranges first: `::` and `::1` sit inside the IPv4-compatible prefix.
  ...BLOCKED_V6.map(([range, name]) => rule(name, [[...cidr(range), 'ipv6']])),
  ...EMBEDDING.flatMap(({ label, toV6, whole }) => [
    ...BLOCKED_V4.map(([range, name]) => {
      const [address, bits] = toV6(...cidr(range));
      return rule(`${label} ${name}`, [[address, bits, 'ipv6']]);
    }),
    ...(whole === undefined ? [] : [rule(whole[1], [[...cidr(whole[0]), 'ipv6']])]),
  ]),
];

/**
 * The kind of non-public address `address` is (e.g. "loopback", "IPv4-mapped private"), or undefined
 * for a public address. Throws on something that is not an IP address.
 */
export function blockedAddressKind(address: string): string | undefined {
  if (isIPv4(address)) return V4_RULES.find((candidate) => candidate.list.check(address, 'ipv4'))?.name;
  if (!isIPv6(address)) throw new TypeError(`not an IP address: "${address}"`);
  // A zone (`fe80::1%eth0`) says which interface, not which address; BlockList does not take one.
  const bare = address.split('%')[0] ?? address;
  return V6_RULES.find((candidate) => candidate.list.check(bare, 'ipv6'))?.name;
}

/** Loopback in any form: 127/8, ::1, and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  const kind = blockedAddressKind(address);
  return kind === 'loopback' || kind === 'IPv4-mapped loopback';
}
