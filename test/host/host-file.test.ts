// Reading host files: real iproute2 dumps, minimal hand-written ones, and errors that name the
// JSON path and what was expected.

import { describe, expect, it } from 'vitest';
import { HostFileError, parseHostFile } from '../../src/host/index.js';
import { formatAddress } from '../../src/ir/address.js';
import { fixtureText, loadFixture } from './fixtures.js';

const minimal = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    addr: [
      {
        ifindex: 1,
        ifname: 'lo',
        flags: ['LOOPBACK', 'UP'],
        addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }],
      },
      {
        ifindex: 2,
        ifname: 'eth0',
        flags: ['UP'],
        addr_info: [{ family: 'inet', local: '10.0.0.5', prefixlen: 24 }, {}],
      },
    ],
    route: [{ dst: 'default', gateway: '10.0.0.1', dev: 'eth0' }],
    ...extra,
  });

function errorOf(text: string): string {
  try {
    parseHostFile(text, { file: 'host.json' });
  } catch (e) {
    expect(e).toBeInstanceOf(HostFileError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('host files', () => {
  it('reads a Docker host dumped with ip -d -j (kinds from linkinfo)', () => {
    const host = loadFixture('docker-host');
    expect(host.interfaces.map((i) => [i.name, i.kind, i.master ?? '', i.up])).toEqual([
      ['lo', 'loopback', '', true],
      ['eth0', 'veth', '', true],
      ['docker0', 'bridge', '', true],
      ['veth1a2b3c4', 'veth', 'docker0', true],
      ['br-5f3e1d2c', 'bridge', '', true],
    ]);
    const eth0 = host.interface('eth0')!;
    expect(
      eth0.addresses
        .filter((a) => a.family === 'ipv4')
        .map((a) => [formatAddress(a.family, a.words), a.prefixLen, a.secondary]),
    ).toEqual([
      ['203.0.113.10', 24, false],
      ['203.0.113.11', 24, true],
    ]);
    expect(eth0.mtu).toBe(1500);
    expect(eth0.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(host.sysctl.number('net.ipv4.ip_forward')).toBe(1);
    expect(host.proxies[0]?.target.port).toBe(8080);
  });

  it('infers kinds without -d: masters are bridges, veths by their peers', () => {
    const host = loadFixture('edge-router');
    expect(host.interface('lo')!.kind).toBe('loopback');
    expect(host.interface('eth0')!.kind).toBe('veth'); // its peer lives in another namespace
    const text = JSON.parse(fixtureText('docker-host')) as { addr: { linkinfo?: unknown }[] };
    for (const i of text.addr) delete i.linkinfo;
    const plain = parseHostFile(JSON.stringify(text), { file: 'h.json' });
    expect(plain.interface('docker0')!.kind).toBe('bridge');
    // A bridge without ports is only known from the `bridges` key.
    expect(plain.interface('br-5f3e1d2c')!.kind).toBe('ether');
    const withKey = parseHostFile(JSON.stringify({ ...text, bridges: { 'br-5f3e1d2c': [] } }), {
      file: 'h.json',
    });
    expect(withKey.interface('br-5f3e1d2c')!.kind).toBe('bridge');
  });

  it('tolerates missing optional fields and lifetime-only addr_info entries', () => {
    const host = parseHostFile(minimal(), { file: 'host.json' });
    expect(host.interface('eth0')!.addresses).toHaveLength(1);
    expect(host.interface('eth0')!.addresses[0]!.scope).toBe(0);
    expect(host.sysctl.number('net.netfilter.nf_conntrack_tcp_loose')).toBe(1);
    expect(host.sysctl.number('net.netfilter.nf_conntrack_udp_timeout')).toBe(30);
    // The kernel's local table: the address, the subnet broadcast, 127/8 on lo.
    const local = host.routes
      .filter((r) => r.table === 'local')
      .map((r) => `${r.type} ${formatAddress(r.family, r.dst.addr)}/${r.dst.prefixLen}`);
    expect(local).toEqual([
      'local 127.0.0.1/32',
      'local 127.0.0.0/8',
      'broadcast 127.255.255.255/32',
      'local 10.0.0.5/32',
      'broadcast 10.0.0.255/32',
    ]);
  });

  it('names the JSON path and what was expected', () => {
    const bad = JSON.parse(minimal()) as { addr: { addr_info: { prefixlen?: unknown }[] }[] };
    bad.addr[1]!.addr_info[0]!.prefixlen = '24';
    expect(errorOf(JSON.stringify(bad))).toBe(
      'host.json: addr[1].addr_info[0].prefixlen: expected a number, found string "24"',
    );
    expect(errorOf('{"addr": [], "route": [], "rules": []}')).toBe(
      'host.json: rules: expected nothing: the keys are addr, route, route6, neigh, sysctl, bridges, listeners, proxies, found an array',
    );
    expect(errorOf('{"addr": []}')).toMatch(/^host\.json: route: expected the output of `ip -j route show`/);
    expect(errorOf(minimal({ route: [{ dst: '10.1.0.0/16', dev: 'eth9' }] }))).toBe(
      'host.json: route[0].dev: expected the name of an interface in `addr`, found string "eth9"',
    );
    expect(errorOf(minimal({ route: [{ dst: '10.1.0.0/33' }] }))).toMatch(
      /^host\.json: route\[0\]\.dst: expected `default` or an ipv4 prefix/,
    );
    expect(errorOf(minimal({ route6: [{ dst: '10.1.0.0/16' }] }))).toMatch(/^host\.json: route6\[0\]\.dst: /);
    expect(errorOf(minimal({ listeners: [{ protocol: 'icmp', port: 1 }] }))).toMatch(
      /^host\.json: listeners\[0\]\.protocol: expected tcp, udp, sctp/,
    );
    expect(errorOf(minimal({ proxies: [{ protocol: 'tcp', port: 80, target: { port: 8080 } }] }))).toMatch(
      /^host\.json: proxies\[0\]\.target\.address: expected an IPv4 or IPv6 address/,
    );
    expect(errorOf(minimal({ sysctl: { 'net.ipv4.ip_forward': true } }))).toMatch(
      /^host\.json: sysctl\.net\.ipv4\.ip_forward: expected a number or a string/,
    );
    expect(errorOf(minimal({ bridges: { docker0: [] } }))).toMatch(
      /^host\.json: bridges\.docker0: expected a bridge listed in `addr`/,
    );
    expect(errorOf('{"addr": [}')).toMatch(/^host\.json: not valid JSON/);
  });

  it('is immutable', () => {
    const host = loadFixture('docker-host');
    expect(Object.isFrozen(host)).toBe(true);
    expect(Object.isFrozen(host.interfaces)).toBe(true);
    expect(Object.isFrozen(host.interfaces[0])).toBe(true);
    expect(Object.isFrozen(host.routes[0])).toBe(true);
  });
});
