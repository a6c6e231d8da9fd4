// The kernel harness itself: scenarios replayed through the real kernel in namespaces, with
// what the kernel did asserted loosely (the exact results are for the engine comparison).
// Needs root, iproute2, iptables-legacy, conntrack, ethtool, tshark and /usr/bin/python3;
// elsewhere it skips with a message.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHost } from './build-host.js';
import { ipv4ChecksumsOk } from './checksums.js';
import { decodeFrame, isLinkControl } from './frame.js';
import { hostJsonFromNetns } from './host-json-from-netns.js';
import type { IpAddrLink } from './host-spec.js';
import type { KernelResult } from './kernel-result.js';
import { netnsUnavailableReason } from './namespaces.js';
import { parseConntrackXml } from './read-conntrack.js';
import { parseSaveCounters } from './read-counters.js';
import { chain, emittedOn, packetsOf, rulePackets } from './result-queries.js';
import { runScenario } from './run-scenario.js';
import { inNs, run } from './sh.js';

const SCENARIOS = join(import.meta.dirname, '../../fixtures/scenarios');
const unavailable = netnsUnavailableReason();
if (unavailable) console.warn(`kernel netns harness skipped: ${unavailable}`);

describe('result readers', () => {
  it('reads iptables-save -c counters per rule and policy', () => {
    const t = parseSaveCounters(
      '*nat\n:PREROUTING ACCEPT [3:180]\n:DOCKER - [0:0]\n[2:120] -A PREROUTING -j DOCKER\n[1:60] -A DOCKER -p tcp -j RETURN\nCOMMIT\n',
    );
    expect(t[0]!.chains[0]).toEqual({
      chain: 'PREROUTING',
      policy: 'ACCEPT',
      packets: 3,
      bytes: 180,
      rules: [{ index: 1, rule: '-A PREROUTING -j DOCKER', packets: 2, bytes: 120 }],
    });
    expect(t[0]!.chains[1]!.policy).toBeNull();
  });

  it('reads conntrack XML with the NATed reply tuple', () => {
    const [e] = parseConntrackXml(
      '<flow><meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>1.1.1.1</src><dst>2.2.2.2</dst></layer3><layer4 protonum="6" protoname="tcp"><sport>1000</sport><dport>80</dport></layer4></meta><meta direction="reply"><layer3 protonum="2" protoname="ipv4"><src>172.17.0.2</src><dst>1.1.1.1</dst></layer3><layer4 protonum="6" protoname="tcp"><sport>8080</sport><dport>1000</dport></layer4></meta><meta direction="independent"><state>SYN_SENT</state><timeout>119</timeout><mark>7</mark><use>1</use><unreplied/></meta></flow>',
    );
    expect(e).toMatchObject({
      proto: 'tcp',
      state: 'SYN_SENT',
      timeout: 119,
      mark: 7,
      flags: ['UNREPLIED'],
      reply: { src: '172.17.0.2', sport: 8080 },
    });
  });

  it('files MLD reports (behind a hop-by-hop header) and ARP as link housekeeping', () => {
    // Built with scapy: an MLDv2 report, and a TCP RST behind an (empty) hop-by-hop header.
    const mld = decodeFrame(
      Buffer.from(
        '33330000001652540012345686dd6000000000100001fe80000000000000505400fffe123456ff020000000000000000000000000016' +
          '3a000502000001008f00ef6600000000',
        'hex',
      ),
    );
    expect(mld).toMatchObject({ type: 'ipv6', proto: 'icmpv6', icmpType: 143, dst: 'ff02::16' });
    expect(isLinkControl(mld)).toBe(true);
    const rst = decodeFrame(
      Buffer.from(
        '02000000000152540012345686dd60000000001c004020010db800000000000000000000001020010db8000000000000000000000007' +
          '0600010400000000001703e800000000000000005014200030490000',
        'hex',
      ),
    );
    expect(rst).toMatchObject({
      src: '2001:db8::10',
      dst: '2001:db8::7',
      proto: 'tcp',
      sport: 23,
      flags: 'R.',
    });
    expect(isLinkControl(rst)).toBe(false);
  });
});

/** The scenarios whose kernel results the tests below inspect. */
const HARNESS_SCENARIOS = [
  'docker-dnat-seed',
  'docker-masquerade',
  'docker-proxy-input',
  'nat-prerouting-return',
  'reject-tcp-reset',
  'udp-flow',
  'udp-timeout-gap',
];

describe.skipIf(!!unavailable)('kernel netns harness', () => {
  const results = new Map<string, KernelResult>();
  const get = (name: string) => results.get(name)!;

  beforeAll(async () => {
    // Concurrently: each scenario has its own namespaces, and the slow steps (reading the trace,
    // the replay with its settle time and gaps) overlap. Only the scenarios checked below: the
    // conformance suite runs them all, and dozens at once starve the local services' start-up.
    const names = readdirSync(SCENARIOS)
      .filter((name) => HARNESS_SCENARIOS.includes(name))
      .sort();
    const all = await Promise.all(names.map((name) => runScenario(join(SCENARIOS, name))));
    for (const [i, name] of names.entries()) results.set(name, all[i]!);
  });

  it('builds the host JSON back: names, MACs, MTUs, addresses, bridge ports', () => {
    const spec = hostJsonFromNetns({
      interfaces: [
        { name: 'ens3', mac: '52:54:00:00:00:01', mtu: 1400, addrs: ['10.9.0.5/24', '10.9.1.5/24'] },
        { name: 'vethabc', mac: '6a:00:00:00:00:01', master: 'br-x' },
      ],
      bridges: [{ name: 'br-x', mac: '02:42:00:00:00:01', addrs: ['172.20.0.1/16'] }],
      routes: ['default via 10.9.0.1 dev ens3', '192.0.2.0/24 via 172.20.0.9 dev br-x'],
    });
    const host = buildHost(spec);
    try {
      const built = JSON.parse(run(['ip', '-n', host.hostNs, '-j', 'addr', 'show'])) as IpAddrLink[];
      const pick = (links: readonly IpAddrLink[]) =>
        links
          .filter((l) => l.ifname !== 'lo') // IPv6 (::1) is off in an IPv4-only build
          .map((l) => [
            l.ifname,
            l.address,
            l.mtu,
            l.master,
            (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`),
          ])
          .sort();
      expect(pick(built)).toEqual(pick(spec.addr));
      const routes = run(['ip', '-n', host.hostNs, 'route', 'show']);
      expect(routes).toContain('default via 10.9.0.1 dev ens3');
      expect(routes).toContain('192.0.2.0/24 via 172.20.0.9 dev br-x');
      // The gateways resolve statically: nothing waits on ARP.
      expect(run(['ip', '-n', host.hostNs, 'neigh', 'show'])).toMatch(
        /10\.9\.0\.1 dev ens3 lladdr \S+ PERMANENT/,
      );
      expect(run(inNs(host.hostNs, ['ethtool', '-k', 'ens3']))).toMatch(/tx-checksumming: off/);
      expect(run(inNs(host.hostNs, ['sysctl', '-n', 'net.ipv6.conf.ens3.disable_ipv6'])).trim()).toBe('1');
    } finally {
      host.dispose();
    }
    expect(run(['ip', 'netns', 'list'])).not.toContain(host.hostNs);
  });

  it('docker-dnat-seed: the DNATed SYN leaves on docker0 for 172.17.0.2:8080; INPUT never sees port 80', () => {
    const r = get('docker-dnat-seed');
    const toContainer = emittedOn(r, 'docker0').map((p) => p.frame);
    expect(toContainer[0]).toMatchObject({ src: '203.0.113.7', dst: '172.17.0.2', dport: 8080, flags: 'S' });
    expect(toContainer.some((f) => f.src === '172.16.0.9' && f.dport === 8080)).toBe(true);
    expect(rulePackets(r, 'filter', 'INPUT', 1)).toBe(0); // -s 172.16.0.0/24 --dport 80 ACCEPT
    expect(rulePackets(r, 'filter', 'INPUT', 2)).toBe(0); // REJECT
    expect(packetsOf(r, 'nat', 'DOCKER', '-j DNAT')).toBe(2); // only each connection's first packet
    expect(packetsOf(r, 'filter', 'DOCKER', '--dport 8080 -j ACCEPT')).toBe(2);
    // The container's SYN-ACK is un-DNATed on the way out.
    expect(emittedOn(r, 'eth0')[0]!.frame).toMatchObject({ src: '192.168.1.10', sport: 80, flags: 'S.' });
    const ct = r.conntrack.find((c) => c.original.sport === 40000);
    expect(ct).toMatchObject({ state: 'ESTABLISHED', reply: { src: '172.17.0.2', sport: 8080 } });
    expect(ct!.flags).toContain('ASSURED');
    expect(Object.values(r.linkControl).flat()).toEqual([]); // no ARP: static neighbours did it
  });

  it('docker-masquerade: the container SYN leaves eth0 as 192.168.1.10 and the reply comes back', () => {
    const r = get('docker-masquerade');
    expect(emittedOn(r, 'eth0')[0]!.frame).toMatchObject({
      src: '192.168.1.10',
      dst: '198.51.100.20',
      flags: 'S',
    });
    expect(emittedOn(r, 'docker0')[0]!.frame).toMatchObject({ dst: '172.17.0.2', dport: 45000, flags: 'S.' });
    expect(packetsOf(r, 'nat', 'POSTROUTING', '-j MASQUERADE')).toBe(1);
    expect(packetsOf(r, 'filter', 'FORWARD', '-i docker0 ! -o docker0 -j ACCEPT')).toBe(2);
    expect(r.conntrack[0]).toMatchObject({ state: 'ESTABLISHED', reply: { dst: '192.168.1.10' } });
  });

  it('reject-tcp-reset: tcp-reset, icmp-host-prohibited and port-unreachable, with whole checksums', () => {
    const r = get('reject-tcp-reset');
    const out = emittedOn(r, 'eth0');
    expect(out.map((p) => p.frame)).toMatchObject([
      { proto: 'tcp', sport: 23, dport: 41000, flags: 'R.' },
      { proto: 'icmp', icmpType: 3, icmpCode: 10 },
      { proto: 'icmp', icmpType: 3, icmpCode: 3 },
    ]);
    for (const p of out) expect(ipv4ChecksumsOk(Buffer.from(p.hex, 'hex')), p.summary).toBe(true);
    expect(chain(r, 'filter', 'INPUT').rules.map((x) => x.packets)).toEqual([1, 1, 1]);
  });

  it('nat-prerouting-return: RETURN in a built-in nat chain falls to its policy', () => {
    const r = get('nat-prerouting-return');
    expect(rulePackets(r, 'nat', 'PREROUTING', 1)).toBe(1);
    expect(rulePackets(r, 'nat', 'PREROUTING', 2)).toBe(1);
    expect(chain(r, 'nat', 'PREROUTING').packets).toBe(1); // the RETURNed packet, counted by the policy
    // Not DNATed: delivered locally, no socket, the kernel resets.
    expect(emittedOn(r, 'eth0').map((p) => p.frame)).toMatchObject([{ dst: '192.168.1.50', flags: 'R.' }]);
    expect(emittedOn(r, 'eth1').map((p) => p.frame)).toMatchObject([
      { dst: '10.0.0.20', dport: 8080, flags: 'S' },
    ]);
  });

  it('udp-flow: MASQUERADEd query, reply forwarded back, stray datagram answered port-unreachable', () => {
    const r = get('udp-flow');
    const wan = emittedOn(r, 'eth0').map((p) => p.frame);
    expect(wan.filter((f) => f.proto === 'udp')).toMatchObject([
      { src: '192.168.1.10', sport: 5353, dport: 53 },
      { src: '192.168.1.10', sport: 5353, dport: 53 },
    ]);
    expect(wan.find((f) => f.proto === 'icmp')).toMatchObject({ icmpType: 3, icmpCode: 3, dst: '8.8.8.8' });
    expect(emittedOn(r, 'eth1').map((p) => p.frame)).toMatchObject([
      { src: '8.8.8.8', dst: '10.0.0.20', dport: 5353 },
    ]);
    expect(packetsOf(r, 'filter', 'FORWARD', 'RELATED,ESTABLISHED')).toBe(2);
    expect(packetsOf(r, 'filter', 'FORWARD', '--dport 53')).toBe(1);
    const flow = r.conntrack.find((c) => c.original.src === '10.0.0.20');
    expect(flow).toMatchObject({ proto: 'udp', reply: { dst: '192.168.1.10' } });
    expect(flow!.flags).not.toContain('UNREPLIED');
  });

  it('udp-timeout-gap: after the shortened UDP timeout the late reply finds no connection', () => {
    const r = get('udp-timeout-gap');
    expect(r.sysctl['net.netfilter.nf_conntrack_udp_timeout']).toBe('1');
    expect(r.injected[2]!.at - r.injected[1]!.at).toBeGreaterThan(1.5); // the gap was real
    expect(emittedOn(r, 'eth1')).toHaveLength(1); // only the first answer is forwarded
    expect(emittedOn(r, 'eth0').at(-1)!.frame).toMatchObject({ proto: 'icmp', icmpType: 3, icmpCode: 3 });
    expect(r.conntrack.some((c) => c.original.src === '10.0.0.20')).toBe(false);
  });

  it('docker-proxy-input: a container reaching the published port meets the userland proxy via INPUT', () => {
    const r = get('docker-proxy-input');
    expect(packetsOf(r, 'nat', 'DOCKER', '-i docker0 -j RETURN')).toBe(3);
    expect(packetsOf(r, 'nat', 'DOCKER', '-j DNAT')).toBe(0);
    expect(packetsOf(r, 'filter', 'INPUT', '-i docker0 -j ACCEPT')).toBe(3);
    expect(emittedOn(r, 'docker0').map((p) => [p.frame.sport, p.frame.flags])).toEqual([
      [80, 'S.'], // docker-proxy listening
      [22, 'S.'], // a listener
      [81, 'R.'], // no socket: the kernel's RST
    ]);
    // Frames for the container sending them went out of its own port only.
    expect(r.emitted['veth1a2b3c4']).toEqual([]);
  });

  it('leaves no namespace behind and every frame decodes', () => {
    expect(run(['ip', 'netns', 'list'])).not.toContain(`nfw-${process.pid}-`);
    for (const r of results.values())
      for (const p of Object.values(r.emitted).flat())
        expect(decodeFrame(Buffer.from(p.hex, 'hex')).type).not.toBe('');
  });
});
