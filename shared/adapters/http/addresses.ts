/**
 * Which IP addresses a webhook may not reach from a deployed function: everything that is not the
 * public internet. IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4)
 * are judged by the address they embed, so `::ffff:127.0.0.1` is loopback like `127.0.0.1`.
 */
import { isIPv4, isIPv6 } from 'node:net';

interface Range {
  readonly base: bigint;
  readonly bits: number;
  readonly name: string;
}

function v4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v4Range(cidr: string, name: string): Range {
  const [base = '', bits = '32'] = cidr.split('/');
  return { base: v4(base), bits: Number(bits), name };
}

function v6Range(cidr: string, name: string): Range {
  const [base = '', bits = '128'] = cidr.split('/');
  return { base: parseIPv6(base), bits: Number(bits), name };
}

// Most specific first: the first match names the rule in the error message.
const BLOCKED_V4: readonly Range[] = [
  v4Range('169.254.169.254/32', 'cloud metadata'),
  v4Range('0.0.0.0/8', 'unspecified ("this network")'),
  v4Range('10.0.0.0/8', 'private'),
  v4Range('100.64.0.0/10', 'carrier-grade NAT'),
  v4Range('127.0.0.0/8', 'loopback'),
  v4Range('169.254.0.0/16', 'link-local'),
  v4Range('172.16.0.0/12', 'private'),
  v4Range('192.0.0.0/24', 'IETF protocol assignment'),
  v4Range('192.0.2.0/24', 'documentation'),
  v4Range('192.88.99.0/24', '6to4 relay'),
  v4Range('192.168.0.0/16', 'private'),
  v4Range('198.18.0.0/15', 'benchmarking'),
  v4Range('198.51.100.0/24', 'documentation'),
  v4Range('203.0.113.0/24', 'documentation'),
  v4Range('224.0.0.0/4', 'multicast'),
  v4Range('240.0.0.0/4', 'reserved'),
];

const BLOCKED_V6: readonly Range[] = [
  v6Range('fd00:ec2::254/128', 'cloud metadata'),
  v6Range('::/128', 'unspecified'),
  v6Range('::1/128', 'loopback'),
  v6Range('64:ff9b:1::/48', 'local-use NAT64'),
  v6Range('100::/64', 'discard-only'),
  v6Range('2001:db8::/32', 'documentation'),
  v6Range('fc00::/7', 'unique-local'),
  v6Range('fe80::/10', 'link-local'),
  v6Range('fec0::/10', 'site-local'),
  v6Range('ff00::/8', 'multicast'),
];

/** IPv6 prefixes whose low bits carry an IPv4 address: [range, bit offset of the IPv4 address from the right]. */
const EMBEDS_V4: readonly [Range, number, string][] = [
  [v6Range('::ffff:0:0/96', ''), 0, 'IPv4-mapped'],
  [v6Range('::/96', ''), 0, 'IPv4-compatible'],
  [v6Range('64:ff9b::/96', ''), 0, 'NAT64'],
  [v6Range('2002::/16', ''), 80, '6to4'],
];

function inRange(value: bigint, range: Range, width: number): boolean {
  const shift = BigInt(width - range.bits);
  return value >> shift === range.base >> shift;
}

/** Parses any textual IPv6 form (with `::` and a dotted IPv4 tail) into a 128-bit number. */
export function parseIPv6(text: string): bigint {
  let address = text;
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  let tail: bigint[] = [];
  const lastColon = address.lastIndexOf(':');
  const last = address.slice(lastColon + 1);
  if (last.includes('.')) {
    const value = v4(last);
    tail = [value >> 16n, value & 0xffffn];
    address = `${address.slice(0, lastColon + 1)}x`;
  }
  const [head = '', rest] = address.split('::');
  const toGroups = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((group) => (group === 'x' ? tail : [BigInt(`0x${group}`)]));
  const headGroups = toGroups(head);
  const restGroups = rest === undefined ? [] : toGroups(rest);
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = [
    ...headGroups,
    ...Array.from({ length: rest === undefined ? 0 : missing }, () => 0n),
    ...restGroups,
  ];
  return groups.reduce((acc, group) => (acc << 16n) | group, 0n);
}

/**
 * The kind of non-public address `address` is (e.g. "loopback", "IPv4-mapped private"), or undefined
 * for a public address. Throws on something that is not an IP address.
 */
export function blockedAddressKind(address: string): string | undefined {
  if (isIPv4(address)) return BLOCKED_V4.find((range) => inRange(v4(address), range, 32))?.name;
  if (!isIPv6(address)) throw new TypeError(`not an IP address: "${address}"`);
  const value = parseIPv6(address);
  // ::, ::1 first: they sit inside the IPv4-compatible prefix.
  const direct = BLOCKED_V6.find((range) => inRange(value, range, 128));
  if (direct !== undefined) return direct.name;
  for (const [range, offset, label] of EMBEDS_V4) {
    if (!inRange(value, range, 128)) continue;
    const embedded = (value >> BigInt(offset)) & 0xffffffffn;
    const dotted = [24n, 16n, 8n, 0n].map((shift) => String((embedded >> shift) & 0xffn)).join('.');
    const kind = blockedAddressKind(dotted);
    return kind === undefined ? undefined : `${label} ${kind}`;
  }
  return undefined;
}

/** Loopback in any form: 127/8, ::1, and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  const kind = blockedAddressKind(address);
  return kind === 'loopback' || kind === 'IPv4-mapped loopback';
}
