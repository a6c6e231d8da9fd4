// Source address selection (inet_select_addr), the addrtype match's address types, and the
// local socket lookup.

import { describe, expect, it } from 'vitest';
import {
  addressType,
  findSocket,
  parseAddressText,
  parseHostFile,
  SCOPE,
  selectSourceAddress,
} from '../../src/host/index.js';
import { formatAddress } from '../../src/ir/address.js';
import { loadFixture } from './fixtures.js';

const a4 = (t: string) => parseAddressText(t, 'ipv4')!;
const show = (a: { family: 'ipv4' | 'ipv6'; words: readonly number[] } | undefined) =>
  a ? formatAddress(a.family, a.words) : undefined;

describe('selectSourceAddress', () => {
  const edge = loadFixture('edge-router');
  const docker = loadFixture('docker-host');

  it('takes the primary address of the device, preferring the subnet of dst', () => {
    expect(show(selectSourceAddress(docker, 'eth0', a4('8.8.8.8').words[0]))).toBe('203.0.113.10');
    expect(show(selectSourceAddress(docker, 'docker0'))).toBe('172.17.0.1');
    expect(show(selectSourceAddress(edge, 'lan0', a4('10.1.200.9').words[0]))).toBe('10.1.0.1');
  });

  it('falls back to the first non-link-scope address of any device, lo first', () => {
    // veth1a2b3c4 has no IPv4 address: lo's 127.0.0.1 is host-scoped, so eth0's comes first.
    expect(show(selectSourceAddress(docker, 'veth1a2b3c4'))).toBe('203.0.113.10');
    // lo's non-loopback /32 is global and comes first.
    expect(show(selectSourceAddress(edge, 'tun0', 0, SCOPE.host))).toBe('100.64.0.1');
    expect(show(selectSourceAddress(edge, 'nothere'))).toBe('192.0.2.53');
  });

  it('lets 127/8 serve link scope with route_localnet', () => {
    const host = parseHostFile(
      JSON.stringify({
        addr: [
          {
            ifindex: 1,
            ifname: 'eth0',
            flags: ['UP'],
            addr_info: [{ family: 'inet', local: '127.0.0.9', prefixlen: 8, scope: 'host' }],
          },
        ],
        route: [],
        sysctl: { 'net.ipv4.conf.eth0.route_localnet': 1 },
      }),
      { file: 'h.json' },
    );
    expect(show(selectSourceAddress(host, 'eth0', 0, SCOPE.link))).toBe('127.0.0.9');
    expect(selectSourceAddress(host, 'eth0', 0, SCOPE.global)).toBeUndefined();
  });
});

describe('addressType (addrtype match)', () => {
  const docker = loadFixture('docker-host');
  const edge = loadFixture('edge-router');

  it('classifies like inet_dev_addr_type', () => {
    expect(addressType(docker, a4('203.0.113.10'))).toBe('local');
    expect(addressType(docker, a4('127.3.4.5'))).toBe('local');
    expect(addressType(docker, a4('172.17.255.255'))).toBe('broadcast');
    expect(addressType(docker, a4('172.17.0.0'))).toBe('unicast'); // not a broadcast route since 5.14
    expect(addressType(docker, a4('0.0.0.0'))).toBe('broadcast');
    expect(addressType(docker, a4('255.255.255.255'))).toBe('broadcast');
    expect(addressType(docker, a4('224.0.0.1'))).toBe('multicast');
    expect(addressType(docker, a4('8.8.8.8'))).toBe('unicast');
    expect(addressType(edge, a4('10.66.1.1'))).toBe('unicast'); // a reject route answers: unicast
    expect(addressType(edge, a4('10.200.3.4'))).toBe('local'); // `local` route in main (AnyIP)
  });

  it('counts a route on another device as unicast with --limit-iface', () => {
    expect(addressType(docker, a4('172.17.0.1'), { dev: 'docker0' })).toBe('local');
    expect(addressType(docker, a4('172.17.0.1'), { dev: 'eth0' })).toBe('unicast');
    expect(addressType(docker, a4('203.0.113.255'), { dev: 'eth0' })).toBe('broadcast');
  });
});

describe('findSocket', () => {
  const docker = loadFixture('docker-host');

  it('finds listeners and proxies, specific addresses before wildcards, :: taking IPv4', () => {
    expect(findSocket(docker.listeners, 'tcp', a4('203.0.113.10'), 22)?.process).toBe('sshd');
    expect(findSocket(docker.listeners, 'tcp', a4('203.0.113.10'), 23)).toBeUndefined();
    expect(findSocket(docker.listeners, 'udp', a4('203.0.113.10'), 22)).toBeUndefined();
    expect(show(findSocket(docker.proxies, 'tcp', a4('172.17.0.1'), 80)?.target.address)).toBe('172.17.0.2');
    const host = parseHostFile(
      JSON.stringify({
        addr: [],
        route: [],
        listeners: [
          { protocol: 'udp', address: '::', port: 53, process: 'any6' },
          { protocol: 'udp', address: '10.0.0.1', port: 53, process: 'exact' },
          { protocol: 'udp', address: '::', port: 54, v6only: true },
        ],
      }),
      { file: 'h.json' },
    );
    expect(findSocket(host.listeners, 'udp', a4('10.0.0.1'), 53)?.process).toBe('exact');
    expect(findSocket(host.listeners, 'udp', a4('10.0.0.2'), 53)?.process).toBe('any6');
    expect(findSocket(host.listeners, 'udp', a4('10.0.0.2'), 54)).toBeUndefined();
  });
});
