import { describe, expect, it } from 'vitest';
import { blockedAddressKind } from '../../../shared/adapters/http/addresses.ts';
import {
  type OutboundPolicy,
  type Resolver,
  systemResolver,
  vetTarget,
} from '../../../shared/adapters/http/outbound-safety.ts';
import { UnsafeTargetError } from '../../../shared/errors.ts';

const aws: OutboundPolicy = { mode: 'aws', allowedHosts: [] };
const local: OutboundPolicy = { mode: 'local', allowedHosts: [] };

/** Test names answered from a table (no network here); `localhost` by the system resolver (hosts file). */
const resolve: Resolver = async (hostname) => {
  if (hostname === 'localhost') return systemResolver(hostname);
  const table: Record<string, { address: string; family: 4 | 6 }[]> = {
    'public.tickwork.test': [{ address: '93.184.215.14', family: 4 }],
    'mixed.tickwork.test': [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ],
    'rebind.tickwork.test': [{ address: '::ffff:169.254.169.254', family: 6 }],
    'translated.tickwork.test': [{ address: '::ffff:0:7f00:1', family: 6 }],
    'internal.tickwork.test': [{ address: '10.1.2.3', family: 4 }],
  };
  const answer = table[hostname];
  if (answer === undefined) throw new Error(`ENOTFOUND ${hostname}`);
  return answer;
};

describe('vetTarget in AWS mode', () => {
  it.each([
    ['http URL', 'http://public.tickwork.test/hook', 'must be https'],
    ['127.0.0.1', 'https://127.0.0.1/hook', '(loopback address)'],
    ['10.x', 'https://10.20.30.40/hook', '(private address)'],
    ['172.16.x', 'https://172.16.5.4/hook', '(private address)'],
    ['192.168.x', 'https://192.168.1.1/hook', '(private address)'],
    ['CGNAT', 'https://100.64.1.1/hook', '(carrier-grade NAT address)'],
    ['metadata 169.254.169.254', 'https://169.254.169.254/latest/meta-data', '(cloud metadata address)'],
    ['link-local', 'https://169.254.10.10/', '(link-local address)'],
    ['[::1]', 'https://[::1]/hook', '(loopback address)'],
    ['[::ffff:127.0.0.1]', 'https://[::ffff:127.0.0.1]/hook', '(IPv4-mapped loopback address)'],
    ['[fd00::]', 'https://[fd00::]/hook', '(unique-local address)'],
    ['[fd00:ec2::254]', 'https://[fd00:ec2::254]/latest', '(cloud metadata address)'],
    ['[fe80::1]', 'https://[fe80::1]/', '(link-local address)'],
    ['multicast', 'https://224.0.0.251/', '(multicast address)'],
    ['localhost name', 'https://localhost/hook', '(loopback address)'],
    [
      'a name with one private address among public ones',
      'https://mixed.tickwork.test/',
      'resolves to 10.0.0.7',
    ],
    [
      'IPv4-translated loopback, literal',
      'https://[::ffff:0:7f00:1]/hook',
      '(IPv4-translated loopback address)',
    ],
    [
      'a name resolving to IPv4-translated loopback',
      'https://translated.tickwork.test/hook',
      '(IPv4-translated loopback address)',
    ],
    [
      'a name resolving to mapped metadata',
      'https://rebind.tickwork.test/',
      '(IPv4-mapped cloud metadata address)',
    ],
  ])('refuses %s', async (_case, url, rule) => {
    const error = await vetTarget(url, aws, resolve).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnsafeTargetError);
    expect((error as Error).message).toContain(rule);
  });

  it('accepts a public https host and returns the address to connect to', async () => {
    const target = await vetTarget('https://public.tickwork.test/hook', aws, resolve);
    expect(target.address).toEqual({ address: '93.184.215.14', family: 4 });
    expect(target.hostname).toBe('public.tickwork.test');
  });

  it.each([
    ['localhost', 'https://localhost:8443/hook'],
    ['internal.tickwork.test', 'https://internal.tickwork.test/hook'],
  ])('lets an allow-listed host (%s) through', async (host, url) => {
    const target = await vetTarget(url, { mode: 'aws', allowedHosts: [host] }, resolve);
    expect(target.hostname).toBe(host);
  });

  it('still requires https for an allow-listed host', async () => {
    await expect(
      vetTarget(
        'http://internal.tickwork.test/',
        { mode: 'aws', allowedHosts: ['internal.tickwork.test'] },
        resolve,
      ),
    ).rejects.toThrow('must be https');
  });

  it('reports a name that does not resolve as a resolution failure, not a policy refusal', async () => {
    await expect(vetTarget('https://nowhere.tickwork.test/', aws, resolve)).rejects.toThrow(
      'could not resolve the host "nowhere.tickwork.test"',
    );
  });
});

describe('vetTarget in local mode', () => {
  it.each([
    ['http on 127.0.0.1', 'http://127.0.0.1:8787/hook'],
    ['http on localhost', 'http://localhost:8787/hook'],
    ['http on [::1]', 'http://[::1]:8787/hook'],
    ['https to a private address', 'https://10.1.2.3/hook'],
  ])('allows %s', async (_case, url) => {
    await expect(vetTarget(url, local, resolve)).resolves.toMatchObject({ url: new URL(url) });
  });

  it.each([
    ['http to a private address', 'http://10.1.2.3/hook'],
    ['http to a public name', 'http://public.tickwork.test/hook'],
  ])('refuses %s', async (_case, url) => {
    await expect(vetTarget(url, local, resolve)).rejects.toThrow(
      'allowed only to loopback addresses locally',
    );
  });
});

describe('blockedAddressKind', () => {
  // Every special-purpose range of the IANA registries, each in the forms an address can be written
  // in: literal, IPv6 with a dotted tail, IPv4 carried in IPv6 (mapped, translated, compatible,
  // NAT64, 6to4), zero-padded and uncompressed.
  it.each([
    // public
    ['8.8.8.8', undefined],
    ['93.184.215.14', undefined],
    ['2606:4700:4700::1111', undefined],
    ['2001:4860:4860::8888', undefined],
    ['::ffff:8.8.8.8', undefined],
    ['64:ff9b::8.8.8.8', undefined],
    ['2002:808:808::1', undefined],
    // IPv4 special-purpose registry
    ['0.0.0.0', 'unspecified ("this network")'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['127.8.9.10', 'loopback'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.170.2', 'container metadata'],
    ['169.254.1.1', 'link-local'],
    ['172.31.255.255', 'private'],
    ['192.0.0.170', 'IETF protocol assignment'],
    ['192.0.2.1', 'documentation'],
    ['192.31.196.1', 'AS112'],
    ['192.52.193.1', 'AMT'],
    ['192.88.99.1', '6to4 relay'],
    ['192.168.1.1', 'private'],
    ['192.175.48.1', 'AS112'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.1', 'documentation'],
    ['203.0.113.1', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    // IPv6 special-purpose registry
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', 'loopback'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['100::1', 'discard-only'],
    ['100:0:0:1::1', 'dummy prefix'],
    ['2001::1', 'IETF protocol assignment'],
    ['2001:2::1', 'IETF protocol assignment'],
    ['2001:db8::1', 'documentation'],
    ['2620:4f:8000::1', 'AS112'],
    ['3fff::1', 'documentation'],
    ['5f00::1', 'segment routing'],
    ['fc12::1', 'unique-local'],
    ['fd00::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    // IPv4 carried in IPv6
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped cloud metadata'],
    ['::ffff:0:7f00:1', 'IPv4-translated loopback'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated loopback'],
    ['0:0:0:0:ffff:0:a9fe:a9fe', 'IPv4-translated cloud metadata'],
    ['::ffff:0:808:808', 'IPv4-translated (RFC 2765, not routed)'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::8.8.8.8', 'IPv4-compatible (deprecated, not routed)'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 cloud metadata'],
    ['64:ff9b::10.0.0.1', 'NAT64 private'],
    ['2002:c0a8:0101::1', '6to4 private'],
    ['2002:7f00:1::', '6to4 loopback'],
  ])('%s → %s', (address, kind) => {
    expect(blockedAddressKind(address)).toBe(kind);
  });

  it('throws on something that is not an address', () => {
    expect(() => blockedAddressKind('example.com')).toThrow('not an IP address');
  });
});
