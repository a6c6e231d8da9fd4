// Seeded random traces over docker0 and its veth ports (test/fixtures/wasm-engine/
// bridged-host.json, and a third port THIRD_PORT when the host has it): containers that send
// from their port (now and then from another one, as if moved) to the bridge's MAC, another
// container's, a port's, an unknown one, their own, broadcast or multicast; hosts behind eth0; answers to earlier datagrams; gaps long enough for the bridge to forget
// stations; TTL 1, bad header checksums, segments too big for a port's MTU, ARP frames.

import { writeIcmpEcho, writeTcpPacket, writeUdpPacket } from '../../src/gen/ipv4-packets.js';
import { LinkType, MemorySink, PcapngWriter } from '../../src/trace/index.js';

export const ip = (a: string) => a.split('.').reduce((v, b) => v * 256 + Number(b), 0) >>> 0;
export const mac = (m: string) => Uint8Array.from(m.split(':'), (b) => Number.parseInt(b, 16));

export const BRIDGE_MAC = '02:42:8e:6f:1a:01';
const PORT_MAC = '6a:1f:00:00:00:03';
export const UNKNOWN_MAC = '02:42:ac:11:00:55';
export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
const MULTICAST_MAC = '01:00:5e:00:00:fb';
/** A port the fixture host gets in some tests (a bridge of three floods to two). */
export const THIRD_PORT = 'veth9';
export interface Station {
  readonly ip: string;
  readonly mac: string;
  readonly home: string;
}
/** Containers: two learned as they send, one only known from `ip neigh` until it sends. */
export const STATIONS: readonly Station[] = [
  { ip: '172.17.0.2', mac: '02:42:ac:11:00:02', home: 'veth1a2b3c4' },
  { ip: '172.17.0.3', mac: '02:42:ac:11:00:03', home: 'veth5d6e7f8' },
  { ip: '172.17.0.9', mac: '02:42:ac:11:00:09', home: 'veth5d6e7f8' },
  { ip: '172.17.0.4', mac: '02:42:ac:11:00:04', home: THIRD_PORT },
];
const TWO_PORTS = ['veth1a2b3c4', 'veth5d6e7f8'];
const OUTSIDE = ['192.168.1.50', '203.0.113.7'];
const DESTINATIONS = [
  '172.17.0.1',
  '172.17.0.2',
  '172.17.0.3',
  '172.17.0.4',
  '172.17.0.9',
  '172.17.255.255',
  '224.0.0.251',
  '172.17.0.10',
  '172.17.0.77',
  '192.168.1.10',
  '192.168.1.50',
  '8.8.8.8',
];
const DPORTS = [7, 9, 23, 24, 25, 26, 53, 80, 81, 8080, 5353, 5354, 5355, 5356];

interface Flow {
  readonly proto: number;
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
}

/** A seeded trace of frames on docker0's ports and on eth0 (see the file's comment). */
export function bridgedTrace(seed: number, packets: number, thirdPort = false): Uint8Array {
  const PORTS = thirdPort ? [...TWO_PORTS, THIRD_PORT] : TWO_PORTS;
  const stations = STATIONS.filter((s) => PORTS.includes(s.home));
  let r = (seed * 2654435761) >>> 0 || 1;
  const random = () => {
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    r >>>= 0;
    return r / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const sink = new MemorySink();
  const w = new PcapngWriter(sink);
  const eth0 = w.addInterface({ name: 'eth0', linkType: LinkType.Raw });
  const ports = new Map(PORTS.map((p) => [p, w.addInterface({ name: p, linkType: LinkType.Ethernet })]));
  const buf = new Uint8Array(1600);
  const recent: Flow[] = [];
  let t = 1_700_000_000_000_000_000n;
  let id = 1;
  const datagram = (off: number, f: Flow): number => {
    const ends = { src: ip(f.src), dst: ip(f.dst), id: id++ & 0xffff, ttl: random() < 0.1 ? 1 : 64 };
    if (f.proto === 6) {
      const flags = pick([0x02, 0x12, 0x10, 0x18, 0x04, 0x11]);
      const payload = random() < 0.05 ? 1400 : 0;
      return writeTcpPacket(buf, off, ends, {
        sport: f.sport,
        dport: f.dport,
        seq: id,
        ack: 0,
        flags,
        payload,
      });
    }
    if (f.proto === 17)
      return writeUdpPacket(buf, off, ends, { sport: f.sport, dport: f.dport, payload: 16 });
    return writeIcmpEcho(buf, off, ends, { type: f.sport === 0 ? 0 : 8, id: f.dport, seq: id, payload: 8 });
  };
  const station = (addr: string) => stations.find((s) => s.ip === addr);
  for (let n = 0; n < packets; n++) {
    t += random() < 0.02 ? 400_000_000_000n : BigInt(1 + Math.floor(random() * 50)) * 1_000_000n;
    let f: Flow;
    if (recent.length > 0 && random() < 0.3) {
      // An answer: the endpoints of an earlier datagram swapped.
      const o = pick(recent);
      f = { proto: o.proto, src: o.dst, dst: o.src, sport: o.dport, dport: o.sport };
      if (o.proto === 1) f = { ...f, sport: o.sport === 0 ? 8 : 0, dport: o.dport };
    } else {
      const from = random() < 0.75 ? pick(stations).ip : pick(OUTSIDE);
      const proto = pick([6, 6, 6, 17, 17, 1]);
      f = {
        proto,
        src: from,
        dst: pick(DESTINATIONS),
        sport: proto === 1 ? 8 : 30000 + Math.floor(random() * 8),
        dport: proto === 1 ? Math.floor(random() * 4) : pick(DPORTS),
      };
      recent.push(f);
      if (recent.length > 64) recent.shift();
    }
    const sender = station(f.src);
    if (!sender) {
      const len = datagram(0, f);
      w.writePacket(eth0, t, buf.slice(0, len));
      continue;
    }
    // A station sends from its port (now and then from another one: it moved), to the bridge,
    // to a station by its MAC, to a port's MAC, to nobody known, to itself, or to all.
    const port = random() < 0.1 ? pick(PORTS) : sender.home;
    const to = station(f.dst);
    const roll = random();
    const dst =
      roll < 0.4
        ? BRIDGE_MAC
        : roll < 0.7 && to
          ? to.mac
          : roll < 0.8
            ? pick(stations).mac
            : roll < 0.85
              ? PORT_MAC
              : roll < 0.92
                ? UNKNOWN_MAC
                : roll < 0.95
                  ? sender.mac
                  : roll < 0.98
                    ? BROADCAST_MAC
                    : MULTICAST_MAC;
    buf.set(mac(dst), 0);
    buf.set(mac(random() < 0.03 ? UNKNOWN_MAC : sender.mac), 6);
    if (random() < 0.03) {
      // An ARP frame: malformed to both engines, yet the bridge learns where its sender is.
      buf.set([0x08, 0x06], 12);
      buf.fill(0, 14, 42);
      w.writePacket(ports.get(port)!, t, buf.slice(0, 42));
      continue;
    }
    buf[12] = 0x08;
    buf[13] = 0x00;
    const len = datagram(14, f);
    if (random() < 0.03) buf[14 + 10]! ^= 0x5a; // a bad header checksum
    w.writePacket(ports.get(port)!, t, buf.slice(0, 14 + len));
  }
  w.flush();
  return sink.bytes();
}
