// routeLookup6 against the kernel: the recorded answers of `ip -6 route get` for the fixture
// hosts (always), and a live differential run in fresh namespaces when root; then the IPv6 local
// table, source selection and addrtype facts.

import { describe, expect, it } from 'vitest';
import {
  addressType,
  parseAddressText,
  parseHostFile,
  routeLookup6,
  routeTypes6,
  selectSourceAddress6,
} from '../../src/host/index.js';
import { localTableRoutes6 } from '../../src/host/local-table6.js';
import { formatAddress } from '../../src/ir/address.js';
import { hostOracleAvailable, kernelRouteCases6, TOPOLOGIES, withTopology } from '../kernel/host-oracle.js';
import { loadFixture, recordedLookups } from './fixtures.js';
import { compareLookups6 } from './route-compare6.js';

const w = (text: string): readonly number[] => parseAddressText(text, 'ipv6')!.words;
const text = (a: { words: readonly number[] } | undefined): string | undefined =>
  a && formatAddress('ipv6', a.words);
const kernel = hostOracleAvailable();

describe('routeLookup6 agrees with the kernel (recorded answers)', () => {
  for (const topo of TOPOLOGIES) {
    it(topo.name, () => {
      const cases = recordedLookups(topo.name, 'route-get6');
      expect(cases.length).toBeGreaterThan(500);
      expect(compareLookups6(loadFixture(topo.name), cases)).toEqual([]);
    });
  }
});

/** The IPv6 local table as `ip -6 route show table local` prints it, one `type dst dev` line each. */
function localLines(routes: readonly { type: string; dst: string; dev: string }[]): string[] {
  return routes.map((r) => `${r.type} ${r.dst} ${r.dev}`);
}

describe.skipIf(!kernel)('routeLookup6 agrees with the kernel (live namespaces)', () => {
  for (const topo of TOPOLOGIES) {
    it(topo.name, () => {
      withTopology(topo, (built) => {
        const host = parseHostFile(built.hostFile, { file: `${topo.name}.json` });
        const queries = kernelRouteCases6(built.hostFile);
        const answers = built.routeGetMany(queries);
        const cases = queries.map((query, i) => ({ query, kernel: answers[i]! }));
        console.log(`host routing6 ${topo.name}: ${cases.length} lookups`);
        expect(compareLookups6(host, cases)).toEqual([]);
        // The derived local table is the kernel's (in the kernel's order for equal keys).
        const dumped = JSON.parse(
          built.exec(['ip', '-j', '-6', 'route', 'show', 'table', 'local']).stdout,
        ) as { type: string; dst: string; dev: string; protocol?: string }[];
        const kernelLocal = localLines(dumped.filter((r) => r.protocol === 'kernel'));
        const ours = localLines(
          localTableRoutes6(host.interfaces, host.sysctl).map((r) => ({
            type: r.type,
            dst:
              r.dst.prefixLen === 128
                ? formatAddress('ipv6', r.dst.addr)
                : `${formatAddress('ipv6', r.dst.addr)}/${r.dst.prefixLen}`,
            dev: r.nexthops[0]!.dev!,
          })),
        );
        expect([...ours].sort()).toEqual([...kernelLocal].sort());
      });
    });
  }
});

describe('IPv6 host facts', () => {
  const v6 = loadFixture('v6-host');
  const fwd = loadFixture('docker-host');

  it('derives local, anycast (forwarding only) and multicast routes', () => {
    const local = (h: typeof v6) =>
      h.routes
        .filter((r) => r.family === 'ipv6' && r.table === 'local')
        .map(
          (r) => `${r.type} ${formatAddress('ipv6', r.dst.addr)}/${r.dst.prefixLen} ${r.nexthops[0]!.dev}`,
        );
    expect(local(v6)).toContain('local 2001:db8:ff::1/128 lo');
    expect(local(v6).some((l) => l.startsWith('anycast'))).toBe(false);
    expect(local(v6)).not.toContain('multicast ff00::/8 lo');
    expect(local(fwd)).toEqual(
      expect.arrayContaining(['anycast fd00:beef::/128 br-5f3e1d2c', 'anycast fe80::/128 br-5f3e1d2c']),
    );
  });

  it('delivers local and anycast addresses through lo', () => {
    expect(routeLookup6(v6, w('2001:db8:100::2'))).toMatchObject({ ok: true, type: 'local', oif: 'lo' });
    expect(routeLookup6(fwd, w('fd00:beef::'))).toMatchObject({ ok: true, type: 'anycast', oif: 'lo' });
  });

  it('scopes link-local and multicast destinations to the device', () => {
    const r = routeLookup6(v6, w('fe80::1'), { oif: 'eth0' });
    expect(r.ok && [r.type, r.oif, text(r.prefsrc)]).toEqual(['unicast', 'eth0', 'fe80::ff:fe00:1']);
    // fe80::1 is eth1's own address: local there, a neighbour on eth0.
    expect(routeLookup6(v6, w('fe80::1'), { iif: 'eth1', src: w('fe80::5') })).toMatchObject({
      type: 'local',
    });
    expect(routeLookup6(v6, w('fe80::1'), { iif: 'eth0', src: w('fe80::5') })).toMatchObject({
      type: 'unicast',
      oif: 'eth0',
    });
  });

  it('answers reject routes and unrouted destinations with their errno', () => {
    expect(routeLookup6(v6, w('2001:db8:66::1'))).toMatchObject({ ok: false, errno: 'EHOSTUNREACH' });
    expect(routeLookup6(v6, w('2001:db8:100::2'), { oif: 'eth1' })).toMatchObject({
      ok: false,
      errno: 'ENETUNREACH',
    });
  });

  it('reports whether an input lookup would be forwarded', () => {
    expect(routeLookup6(v6, w('2001:db8:2::1'), { iif: 'eth0', src: w('2001:db8:ffff::9') })).toMatchObject({
      ok: true,
      type: 'unicast',
      oif: 'eth1',
      forwarding: false,
    });
    expect(
      routeLookup6(fwd, w('2001:db8:30::1'), { iif: 'br-5f3e1d2c', src: w('fd00:beef::9') }),
    ).toMatchObject({
      ok: true,
      forwarding: true,
    });
  });

  it('selects sources as ipv6_dev_get_saddr: scope, not deprecated, outgoing device, longest prefix', () => {
    expect(text(selectSourceAddress6(v6, 'eth0', w('2001:db8:100::5')))).toBe('2001:db8:100::2');
    expect(text(selectSourceAddress6(v6, 'eth0', w('ff02::1')))).toBe('fe80::ff:fe00:1');
    expect(text(selectSourceAddress6(v6, 'eth1', w('fd00:1::9')))).toBe('fd00:1::1');
    expect(text(selectSourceAddress6(v6, 'lo', w('::1')))).toBe('::1');
  });

  it('computes addrtype as match_lookup_rt6', () => {
    expect(routeTypes6(v6, w('2001:db8:100::2'))).toEqual(['local']);
    expect(routeTypes6(v6, w('2001:db8:100::2'), 'eth0')).toEqual(['local']);
    // With a device the lookup is strict: no route out of eth1 reaches eth0's subnet.
    expect(routeTypes6(v6, w('2001:db8:100::2'), 'eth1')).toEqual(['unreachable']);
    expect(routeTypes6(v6, w('2001:db8:100::'))).toEqual(['anycast']);
    expect(routeTypes6(v6, w('2001:db8:66::1'))).toEqual(['unreachable']);
    expect(addressType(v6, { family: 'ipv6', words: w('ff02::1') })).toBe('multicast');
    expect(addressType(v6, { family: 'ipv6', words: w('::') })).toBe('unspec');
    expect(addressType(v6, { family: 'ipv6', words: w('2001:db8:9::1') })).toBe('unicast');
  });
});
