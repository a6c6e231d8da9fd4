// The bridge's forwarding database (bridge.ts) on its own, and how the engine forwards by it
// (bridge-path.ts): learning and ageing, flooding order, and the drop of a frame whose
// destination sits on the port it came from.

import { describe, expect, it } from 'vitest';
import { BridgeFdb, macText } from '../../src/engine/reference/bridge.js';
import { ReferenceEngine } from '../../src/engine/reference/engine.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { parseHostFile } from '../../src/host/index.js';
import { writeEthernet } from '../../src/wire/ethernet.js';
import { parsePacketSpec } from '../../src/wire/packet-text.js';

const SECOND = 1_000_000_000n;
const mac = (text: string) => Uint8Array.from(text.split(':').map((b) => Number.parseInt(b, 16)));

describe('BridgeFdb', () => {
  it('learns a unicast source MAC on the port it came from, per bridge', () => {
    const fdb = new BridgeFdb();
    fdb.learn('br0', 'p1', mac('02:00:00:00:00:0a'), 0n);
    expect(fdb.port('br0', '02:00:00:00:00:0a', 0n)).toBe('p1');
    expect(fdb.port('br1', '02:00:00:00:00:0a', 0n)).toBeUndefined();
    expect(fdb.port('br0', '02:00:00:00:00:0b', 0n)).toBeUndefined();
  });

  it('moves a station that shows up on another port', () => {
    const fdb = new BridgeFdb();
    fdb.learn('br0', 'p1', mac('02:00:00:00:00:0a'), 0n);
    fdb.learn('br0', 'p2', mac('02:00:00:00:00:0a'), 1n);
    expect(fdb.port('br0', '02:00:00:00:00:0a', 1n)).toBe('p2');
  });

  it('never learns a group or all-zero source MAC', () => {
    const fdb = new BridgeFdb();
    fdb.learn('br0', 'p1', mac('01:00:5e:00:00:01'), 0n);
    fdb.learn('br0', 'p1', mac('00:00:00:00:00:00'), 0n);
    expect(fdb.port('br0', '01:00:5e:00:00:01', 0n)).toBeUndefined();
    expect(fdb.port('br0', '00:00:00:00:00:00', 0n)).toBeUndefined();
  });

  it('ages an entry out after 300 s of packet time, and a new frame refreshes it', () => {
    const fdb = new BridgeFdb();
    const a = mac('02:00:00:00:00:0a');
    fdb.learn('br0', 'p1', a, 10n * SECOND);
    expect(fdb.port('br0', macText(a), 310n * SECOND)).toBe('p1');
    expect(fdb.port('br0', macText(a), 310n * SECOND + 1n)).toBeUndefined();
    fdb.learn('br0', 'p1', a, 200n * SECOND);
    expect(fdb.port('br0', macText(a), 500n * SECOND)).toBe('p1');
  });

  it('remembers which unicast MAC an IPv4 address was seen with', () => {
    const fdb = new BridgeFdb();
    fdb.sawAddress('br0', 0xac110002, mac('02:00:00:00:00:0a'));
    fdb.sawAddress('br0', 0xac110003, mac('01:00:5e:00:00:01'));
    expect(fdb.macOf('br0', 0xac110002)).toBe('02:00:00:00:00:0a');
    // The same address as a signed 32-bit number (what `|` arithmetic gives) is the same key.
    expect(fdb.macOf('br0', 0xac110002 | 0)).toBe('02:00:00:00:00:0a');
    expect(fdb.macOf('br0', 0xac110003)).toBeUndefined();
    expect(fdb.macOf('br1', 0xac110002)).toBeUndefined();
  });
});

// A bridge br0 with ports p1, p2, p3 (added in that order), br_netfilter not calling iptables.
function port(index: number, name: string) {
  return {
    ifindex: index,
    ifname: name,
    flags: ['BROADCAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    master: 'br0',
    link_type: 'ether',
    address: `02:00:00:00:01:0${index}`,
    addr_info: [],
  };
}
const HOST = JSON.stringify({
  addr: [
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], mtu: 65536, link_type: 'loopback', addr_info: [] },
    {
      ifindex: 2,
      ifname: 'br0',
      flags: ['BROADCAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      link_type: 'ether',
      address: '02:00:00:00:01:00',
      addr_info: [{ family: 'inet', local: '10.0.0.1', prefixlen: 24, scope: 'global' }],
    },
    port(3, 'p1'),
    port(4, 'p2'),
    port(5, 'p3'),
  ],
  route: [{ dst: '10.0.0.0/24', dev: 'br0', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.1' }],
  sysctl: { 'net.bridge.bridge-nf-call-iptables': 0 },
  bridges: { br0: ['p1', 'p2', 'p3'] },
});

const STATION_A = '02:00:00:00:00:0a';
const STATION_B = '02:00:00:00:00:0b';

function engine(): ReferenceEngine {
  const ruleset = parseIptablesSave('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', {
    file: 'rules',
    family: 'ipv4',
  });
  return new ReferenceEngine(ruleset, parseHostFile(HOST, { file: 'host.json' }));
}

/** A UDP datagram between two stations, in an Ethernet frame received on `iif`. */
function frame(iif: string, src: string, dst: string, atSeconds = 1n) {
  const ip = parsePacketSpec('udp 10.0.0.10:4000 > 10.0.0.11:53');
  if ('error' in ip) throw new Error(ip.error);
  const bytes = new Uint8Array(14 + ip.bytes.length);
  writeEthernet(bytes, 0, { dst: mac(dst), src: mac(src), etherType: 0x0800 });
  bytes.set(ip.bytes, 14);
  return { bytes, linkType: 'ethernet' as const, iif, timestampNs: atSeconds * SECOND };
}

describe('bridging through the engine', () => {
  it('floods unknown unicast to every other port, the most recently added port first', () => {
    const r = engine().process(frame('p1', STATION_A, STATION_B));
    expect(r.fate).toEqual({ kind: 'forwarded', oif: 'br0' });
    expect(r.emitted.map((e) => e.port)).toEqual(['p3', 'p2']);
  });

  it('floods broadcast the same way', () => {
    const r = engine().process(frame('p2', STATION_A, 'ff:ff:ff:ff:ff:ff'));
    expect(r.emitted.map((e) => e.port)).toEqual(['p3', 'p1']);
  });

  it('forwards to the port it learned the destination on, until the entry ages out', () => {
    const e = engine();
    e.process(frame('p2', STATION_B, STATION_A, 1n));
    expect(e.process(frame('p1', STATION_A, STATION_B, 2n)).emitted.map((x) => x.port)).toEqual(['p2']);
    expect(e.process(frame('p1', STATION_A, STATION_B, 302n)).emitted.map((x) => x.port)).toEqual([
      'p3',
      'p2',
    ]);
  });

  it('drops a frame whose destination was learned on its ingress port (no hairpin)', () => {
    const e = engine();
    e.process(frame('p1', STATION_B, STATION_A, 1n));
    const r = e.process(frame('p1', STATION_A, STATION_B, 2n));
    expect(r.emitted).toEqual([]);
    expect(r.fate.kind).toBe('dropped');
    expect(r.fate.kind === 'dropped' && r.fate.reason).toMatch(/ingress port \(no hairpin mode\)/);
  });
});
