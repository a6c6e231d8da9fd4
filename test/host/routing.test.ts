// routeLookup against the kernel: the recorded answers of `ip route get` for the fixture hosts
// (always), and a live differential run in fresh namespaces when root.

import { describe, expect, it } from 'vitest';
import { parseAddressText, parseHostFile, routeLookup } from '../../src/host/index.js';
import { formatIpv4 } from '../../src/ir/address.js';
import { hostOracleAvailable, kernelRouteCases, TOPOLOGIES, withTopology } from '../kernel/host-oracle.js';
import { loadFixture, recordedLookups } from './fixtures.js';
import { compareLookups } from './route-compare.js';

const ip = (text: string): number => parseAddressText(text, 'ipv4')!.words[0]!;
const kernel = hostOracleAvailable();
if (!kernel)
  console.warn('host routing: cannot create network namespaces (needs root): live kernel comparison skipped');

describe('routeLookup agrees with the kernel (recorded answers)', () => {
  for (const topo of TOPOLOGIES) {
    it(topo.name, () => {
      const cases = recordedLookups(topo.name);
      expect(cases.length).toBeGreaterThan(500);
      expect(compareLookups(loadFixture(topo.name), cases)).toEqual([]);
    });
  }
});

describe.skipIf(!kernel)('routeLookup agrees with the kernel (live namespaces)', () => {
  for (const topo of TOPOLOGIES) {
    it(topo.name, () => {
      withTopology(topo, (built) => {
        const host = parseHostFile(built.hostFile, { file: `${topo.name}.json` });
        const queries = kernelRouteCases(built.hostFile);
        const answers = built.routeGetMany(queries);
        // The batch must say what single calls say (spot check).
        for (const i of [0, 1, 2, queries.length - 1])
          expect(answers[i]).toEqual(built.routeGet(queries[i]!));
        const cases = queries.map((query, i) => ({ query, kernel: answers[i]! }));
        const ok = cases.filter((c) => c.kernel.ok).length;
        console.log(
          `host routing ${topo.name}: ${cases.length} lookups (${ok} routes, ${cases.length - ok} errors)`,
        );
        expect(compareLookups(host, cases)).toEqual([]);
      });
    });
  }
});

describe('routeLookup facts', () => {
  const docker = loadFixture('docker-host');
  const edge = loadFixture('edge-router');

  it('delivers local addresses through lo, secondary ones with the primary as prefsrc', () => {
    const r = routeLookup(docker, ip('203.0.113.11'));
    expect(r).toMatchObject({ ok: true, type: 'local', oif: 'lo' });
    expect(r.ok && formatIpv4(r.prefsrc!.words[0]!)).toBe('203.0.113.10');
  });

  it('routes via the gateway of the default route, with the interface address as source', () => {
    const r = routeLookup(docker, ip('8.8.8.8'));
    expect(
      r.ok && [r.type, r.oif, formatIpv4(r.gateway!.words[0]!), formatIpv4(r.prefsrc!.words[0]!)],
    ).toEqual(['unicast', 'eth0', '203.0.113.1', '203.0.113.10']);
  });

  it('forwards a container packet out of eth0 when ip_forward is on', () => {
    expect(routeLookup(docker, ip('8.8.8.8'), { src: ip('172.17.0.2'), iif: 'docker0' })).toMatchObject({
      ok: true,
      type: 'unicast',
      oif: 'eth0',
    });
  });

  it('is one longest-prefix match over local and main: a main route inside 127/8 wins', () => {
    expect(routeLookup(edge, ip('127.1.2.3'))).toMatchObject({ ok: true, type: 'unicast', oif: 'eth0' });
    expect(routeLookup(edge, ip('127.2.0.1'))).toMatchObject({ ok: true, type: 'local', oif: 'lo' });
  });

  it('keeps the local route of an address on a down interface', () => {
    expect(routeLookup(edge, ip('10.9.9.9'))).toMatchObject({ ok: true, type: 'local' });
    expect(routeLookup(edge, ip('10.9.9.1'))).toMatchObject({ ok: true, oif: 'eth0' });
  });

  it('reports reject routes with their errno', () => {
    expect(routeLookup(edge, ip('10.66.0.1'))).toMatchObject({
      ok: false,
      errno: 'EINVAL',
      type: 'blackhole',
    });
    expect(routeLookup(edge, ip('10.67.0.1'))).toMatchObject({
      ok: false,
      errno: 'EHOSTUNREACH',
      type: 'unreachable',
    });
    expect(routeLookup(edge, ip('10.68.0.1'))).toMatchObject({
      ok: false,
      errno: 'EACCES',
      type: 'prohibit',
    });
  });

  it('refuses received packets to others when forwarding is off, and martians', () => {
    expect(routeLookup(edge, ip('8.8.8.8'), { src: ip('10.1.0.7'), iif: 'lan0' })).toMatchObject({
      ok: false,
      errno: 'EHOSTUNREACH',
    });
    expect(routeLookup(edge, ip('198.51.100.2'), { src: ip('198.51.100.2'), iif: 'eth0' })).toMatchObject({
      ok: false,
      errno: 'EINVAL',
    });
    expect(routeLookup(docker, ip('127.0.0.1'), { src: ip('8.8.4.4'), iif: 'eth0' })).toMatchObject({
      ok: false,
    });
    // route_localnet on eth0 lets 127/8 in.
    expect(routeLookup(edge, ip('127.0.0.1'), { src: ip('8.8.4.4'), iif: 'eth0' })).toMatchObject({
      ok: true,
      type: 'local',
    });
  });

  it('treats 0/8 other than 0.0.0.0 as unicast (Linux 5.3+)', () => {
    expect(routeLookup(docker, ip('0.1.2.3'))).toMatchObject({ ok: true, type: 'unicast', oif: 'eth0' });
    expect(routeLookup(docker, 0)).toMatchObject({ ok: true, type: 'local', oif: 'lo' });
  });
});
