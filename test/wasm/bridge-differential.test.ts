// Frames on bridge ports in the WebAssembly engine (assembly/path/bridge-input.ts, bridge-fdb.ts)
// against the reference engine (src/engine/reference/bridge-path.ts), on seeded random traces
// over docker0 and its two veth ports (bridged-host.json, bridged.v4): stations that move
// between ports, frames to the bridge's MAC, a port's MAC, another station's, an unknown one and
// the sender's own (hairpin), FDB entries that age out, DNAT to a station on the same bridge
// (learned, `ip neigh`, incomplete and missing neighbours), NAT and REJECT on bridged frames, a
// port with a smaller MTU, bad header checksums, TTL 1, broadcast and multicast frames, and with a
// third port unknown unicast flooded in two copies — with bridge-nf-call-iptables on and off.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { writeTcpPacket, writeUdpPacket } from '../../src/gen/ipv4-packets.js';
import { parseHostFile } from '../../src/host/index.js';
import { LinkType, MemorySink, PcapngWriter } from '../../src/trace/index.js';
import {
  BRIDGE_MAC,
  BROADCAST_MAC,
  bridgedTrace,
  ip,
  mac,
  STATIONS,
  type Station,
  THIRD_PORT,
  UNKNOWN_MAC,
} from './bridged-trace.js';
import { compare } from './engine-compare.js';

const LONG = process.env.NFWASM_FUZZ === 'long';
const FIXTURES = join(import.meta.dirname, '../fixtures/wasm-engine');
const HOST_JSON = JSON.parse(readFileSync(join(FIXTURES, 'bridged-host.json'), 'utf8'));
const RULES = loadRuleset(readFileSync(join(FIXTURES, 'bridged.v4'), 'utf8'), { file: 'bridged.v4' }).ruleset;

/** The fixture host, with `edit` applied to its JSON. */
function host(edit: (json: typeof HOST_JSON) => void = () => {}) {
  const json = structuredClone(HOST_JSON);
  edit(json);
  return parseHostFile(JSON.stringify(json), { file: 'bridged-host.json' });
}

describe('WebAssembly engine = reference engine on frames through a bridge', () => {
  const seeds = LONG ? 40 : 4;
  const packets = LONG ? 50_000 : 3_000;
  const on = { ruleset: RULES, host: host() };
  const off = {
    ruleset: RULES,
    host: host((json) => {
      json.sysctl['net.bridge.bridge-nf-call-iptables'] = 0;
    }),
  };
  const withThirdPort = (json: typeof HOST_JSON) => {
    json.addr.push({ ...json.addr.at(-1), ifindex: 9, ifname: THIRD_PORT, address: '6a:1f:00:00:00:09' });
    json.bridges.docker0.push(THIRD_PORT);
  };
  const three = { ruleset: RULES, host: host(withThirdPort) };
  // Docker's own rules keep walks pure: the flow cache records and replays (frames to the
  // bridge's MAC only: the same flow's frames to another MAC are bridged instead).
  const dockerRules = join(import.meta.dirname, '../../examples/docker-host/rules.v4');
  const docker = {
    ruleset: loadRuleset(readFileSync(dockerRules, 'utf8'), { file: dockerRules }).ruleset,
    host: host(),
  };
  // bridged.v4 without its physdev and mark rules: pure walks with bridged DNAT.
  const pureText = readFileSync(join(FIXTURES, 'bridged.v4'), 'utf8')
    .split('\n')
    .filter((line) => !/physdev|MARK|--mark/.test(line))
    .join('\n');
  const pure = { ruleset: loadRuleset(pureText, { file: 'bridged.v4' }).ruleset, host: host() };
  const threeOff = {
    ruleset: RULES,
    host: host((json) => {
      withThirdPort(json);
      json.sysctl['net.bridge.bridge-nf-call-iptables'] = 0;
    }),
  };
  for (let seed = 1; seed <= seeds; seed++) {
    const batch = [1, 7, 64, 4096][seed % 4]!;
    for (const [name, s, third] of [
      ['two ports, bridge-nf-call-iptables on', on, false],
      ['two ports, bridge-nf-call-iptables off', off, false],
      ['three ports (floods copy twice), bridge-nf-call-iptables on', three, true],
      ['three ports, bridge-nf-call-iptables off', threeOff, true],
      ["Docker's rules, two ports, bridge-nf-call-iptables on", docker, false],
      ['without physdev and marks (pure walks), two ports, bridge-nf-call-iptables on', pure, false],
    ] as const)
      it(`${name}: seed ${seed}, batches of ${batch}`, () => {
        const r = compare(s, bridgedTrace(seed, packets, third), batch);
        expect(r.packets).toBe(packets);
        expect(r.causes.get('bridged')).toBeGreaterThan(packets / 20);
        expect(r.ports.get('veth1a2b3c4')).toBeGreaterThan(packets / 20);
        expect(r.ports.get('veth5d6e7f8')).toBeGreaterThan(packets / 20);
        if (third) expect(r.ports.get(THIRD_PORT)).toBeGreaterThan(packets / 20);
      });
  }

  /**
   * One UDP frame from `from`'s port to `dstMac` (to port `dport`), after one from 172.17.0.3
   * taught the bridge where that station is.
   */
  function oneFrame(dstMac: string, to = '172.17.0.3', from = STATIONS[0]!, dport = 4001): Uint8Array {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    const a = w.addInterface({ name: 'veth1a2b3c4', linkType: LinkType.Ethernet });
    const b = w.addInterface({ name: 'veth5d6e7f8', linkType: LinkType.Ethernet });
    const buf = new Uint8Array(128);
    const frame = (src: Station, dst: string, toIp: string, port = 4001) => {
      buf.set(mac(dst), 0);
      buf.set(mac(src.mac), 6);
      buf.set([0x08, 0x00], 12);
      const ends = { src: ip(src.ip), dst: ip(toIp), id: 1, ttl: 64 };
      return buf.slice(0, 14 + writeUdpPacket(buf, 14, ends, { sport: 4000, dport: port, payload: 8 }));
    };
    w.writePacket(b, 1n, frame(STATIONS[1]!, BRIDGE_MAC, '172.17.0.1'));
    w.writePacket(from.home === 'veth1a2b3c4' ? a : b, 2n, frame(from, dstMac, to, dport));
    w.flush();
    return sink.bytes();
  }
  it('floods unknown unicast to both other ports of three', () => {
    const r = compare(three, oneFrame(UNKNOWN_MAC), 4);
    expect(r.causes.get('bridged')).toBe(2);
    expect(r.ports.get(THIRD_PORT)).toBe(1);
  });
  it('passes a broadcast up as well as flooding it: routed on after the copies', () => {
    const r = compare(three, oneFrame(BROADCAST_MAC, '8.8.8.8'), 4);
    expect(r.causes.get('bridged')).toBe(2);
    expect(r.causes.get('forwarded')).toBe(1);
  });
  // Found by the random traces: the second copy and the way up lost the mark PREROUTING set.
  it("keeps PREROUTING's mark on every copy and on the way up", () => {
    // The way up is routed back onto docker0, where FORWARD drops marked DNS that is not bridged.
    const r = compare(three, oneFrame(BROADCAST_MAC, '172.17.0.4', STATIONS[1]!, 53), 4);
    expect(r.causes.get('bridged')).toBe(2);
    expect(r.causes.has('forwarded')).toBe(false);
  });
  it('bridges every packet of a flow DNATed to a station on the same bridge (no flow replay as routed)', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    const a = w.addInterface({ name: 'veth1a2b3c4', linkType: LinkType.Ethernet });
    const b = w.addInterface({ name: 'veth5d6e7f8', linkType: LinkType.Ethernet });
    const buf = new Uint8Array(256);
    let t = 1_000_000_000n;
    const [stationA, stationB] = [STATIONS[0]!, STATIONS[1]!];
    const send = (
      iface: number,
      src: Station,
      dstMac: string,
      to: string,
      sport: number,
      dport: number,
      flags: number,
    ) => {
      buf.set(mac(dstMac), 0);
      buf.set(mac(src.mac), 6);
      buf.set([0x08, 0x00], 12);
      const ends = { src: ip(src.ip), dst: ip(to), id: 1, ttl: 64 };
      const len = writeTcpPacket(buf, 14, ends, { sport, dport, seq: 1, ack: 1, flags, payload: 10 });
      t += 1_000_000n;
      w.writePacket(iface, t, buf.slice(0, 14 + len));
    };
    send(a, stationA, BRIDGE_MAC, '172.17.0.1', 5000, 9, 0x10);
    send(b, stationB, BRIDGE_MAC, '172.17.0.1', 40000, 8080, 0x02);
    send(a, stationA, stationB.mac, '172.17.0.3', 80, 40000, 0x12);
    for (let i = 0; i < 5; i++) send(b, stationB, BRIDGE_MAC, '172.17.0.1', 40000, 8080, 0x18);
    w.flush();
    const r = compare(pure, sink.bytes(), 3);
    expect(r.causes.get('bridged')).toBe(7);
  });
});
