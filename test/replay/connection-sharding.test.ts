import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { parseHostFile } from '../../src/host/index.js';
import { ConnectionSharding } from '../../src/replay/connection-sharding.js';
import { LinkType } from '../../src/trace/index.js';

const rulesFile = 'test/fixtures/wasm-engine/docker-routed.v4';
const { ruleset } = loadRuleset(readFileSync(rulesFile, 'utf8'), { file: rulesFile });
const host = parseHostFile(readFileSync('test/fixtures/wasm-engine/routed-host.json', 'utf8'), {
  file: 'routed-host.json',
});

/** A bare IPv4 header from `src` to `dst`. */
function ipv4(src: string, dst: string): Uint8Array {
  const b = new Uint8Array(20);
  b[0] = 0x45;
  b.set(src.split('.').map(Number), 12);
  b.set(dst.split('.').map(Number), 16);
  return b;
}

/** An IPv4 packet: `proto` with `l4` after a 20-byte header, fragment field `frag`, IP id `id`. */
function ipv4With(src: string, dst: string, proto: number, l4: number[], frag = 0, id = 1): Uint8Array {
  const b = ipv4(src, dst);
  const p = new Uint8Array(20 + l4.length);
  p.set(b);
  p[4] = id >> 8;
  p[5] = id & 255;
  p[6] = frag >> 8;
  p[7] = frag & 255;
  p[9] = proto;
  p.set(l4, 20);
  return p;
}

/** A TCP segment's first 8 bytes (ports and sequence number) from `sport` to `dport`. */
function tcp(src: string, sport: number, dst: string, dport: number, frag = 0, id = 1): Uint8Array {
  return ipv4With(src, dst, 6, [sport >> 8, sport & 255, dport >> 8, dport & 255, 0, 0, 0, 1], frag, id);
}

describe('connection sharding', () => {
  const shards = new ConnectionSharding(ruleset, host, 3);
  const shard = (src: string, dst: string) => {
    const b = ipv4(src, dst);
    return shards.shardOf(b, 0, b.length, LinkType.Raw);
  };
  const clients = Array.from({ length: 60 }, (_, i) => `198.51.100.${i + 1}`);

  it("keeps a DNAT'd connection and its replies from the container on one worker", () => {
    // Client -> host:80, DNAT'd to 172.17.0.2:8080; the reply comes from the container.
    for (const c of clients) expect(shard('172.17.0.2', c)).toBe(shard(c, '192.168.1.10'));
  });

  it('keeps a MASQUERADEd connection and its replies to the host on one worker', () => {
    // Container -> server, MASQUERADEd to the host's address; the reply goes to the host.
    for (const s of clients) expect(shard(s, '192.168.1.10')).toBe(shard('172.17.0.5', s));
  });

  it('keys routed traffic on both addresses, either way round, and spreads it', () => {
    const used = new Set<number>();
    for (const c of clients) {
      expect(shard(c, '203.0.113.9')).toBe(shard('203.0.113.9', c));
      used.add(shard(c, '203.0.113.9'));
    }
    expect(used.size).toBe(3);
  });

  const raw = (b: Uint8Array) => shards.shardOf(b, 0, b.length, LinkType.Raw);
  const client = '198.51.100.7';

  it("spreads one client's connections over the workers by port, each DNAT'd connection whole", () => {
    const used = new Set<number>();
    for (let port = 40000; port < 40060; port++) {
      const w = raw(tcp(client, port, '192.168.1.10', 80));
      // The container's reply, after DNAT: 172.17.0.2:8080 -> client:port.
      expect(raw(tcp('172.17.0.2', 8080, client, port))).toBe(w);
      used.add(w);
    }
    expect(used.size).toBe(3);
  });

  it('keeps a MASQUERADEd connection whole when NAT picks another source port', () => {
    for (let port = 40000; port < 40060; port++)
      expect(raw(tcp('203.0.113.9', 443, '192.168.1.10', port + 7))).toBe(
        raw(tcp('172.17.0.5', port, '203.0.113.9', 443)),
      );
  });

  it('keys routed TCP on both endpoints, either way round', () => {
    const used = new Set<number>();
    for (let port = 40000; port < 40060; port++) {
      const w = raw(tcp(client, port, '203.0.113.9', 443));
      expect(raw(tcp('203.0.113.9', 443, client, port))).toBe(w);
      used.add(w);
    }
    expect(used.size).toBe(3);
  });

  it("sends a datagram's later fragments to its first fragment's worker", () => {
    for (let port = 40000; port < 40030; port++) {
      const id = port - 39000;
      const whole = raw(tcp(client, port, '192.168.1.10', 80));
      // First fragment (MF, offset 0) carries the ports; the later ones only addresses and id.
      expect(raw(tcp(client, port, '192.168.1.10', 80, 0x2000, id))).toBe(whole);
      expect(raw(ipv4With(client, '192.168.1.10', 6, [1, 2, 3, 4, 5, 6, 7, 8], 0x2000 | 1, id))).toBe(whole);
      expect(raw(ipv4With(client, '192.168.1.10', 6, [1, 2, 3, 4, 5, 6, 7, 8], 2, id))).toBe(whole);
    }
    // After the last fragment the group is forgotten: a stray one goes by its addresses.
    const stray = raw(ipv4With(client, '192.168.1.10', 6, [1, 2, 3, 4], 3, 1001));
    expect(stray).toBe(shard(client, '192.168.1.10'));
  });

  it('finds the first fragment ahead for a fragment that came before it', () => {
    for (let port = 40000; port < 40030; port++) {
      const id = port - 38000;
      const whole = raw(tcp(client, port, '192.168.1.10', 80));
      const frames = [
        ipv4With(client, '192.168.1.10', 6, [1, 2, 3, 4, 5, 6, 7, 8], 2, id),
        tcp('203.0.113.9', 443, client, port),
        tcp(client, port, '192.168.1.10', 80, 0x2000, id),
      ];
      const data = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
      const starts: number[] = [];
      let at = 0;
      for (const f of frames) {
        starts.push(at);
        data.set(f, at);
        at += f.length;
      }
      const ahead = {
        count: frames.length,
        linkType: () => LinkType.Raw,
        offset: (j: number) => starts[j]!,
        length: (j: number) => frames[j]!.length,
      };
      expect(shards.shardOf(data, 0, frames[0]!.length, LinkType.Raw, ahead, 1)).toBe(whole);
    }
  });

  it('sends an ICMP error to the worker of the connection it quotes, whoever sent it', () => {
    for (let port = 40000; port < 40030; port++) {
      const w = raw(tcp(client, port, '192.168.1.10', 80));
      // The container's reply, un-DNAT'd to host:80 -> client, answered by a router on the way.
      const quoted = tcp('192.168.1.10', 80, client, port);
      const error = ipv4With('203.0.113.1', '192.168.1.10', 1, [11, 0, 0, 0, 0, 0, 0, 0, ...quoted]);
      expect(raw(error)).toBe(w);
    }
  });

  it('keys on addresses alone when NAT rewrites ports but no address', () => {
    const text = readFileSync(rulesFile, 'utf8').replace(
      '-A DOCKER ! -i docker0',
      '-A DOCKER -p udp --dport 53 -j DNAT --to-destination :5353\n-A DOCKER ! -i docker0',
    );
    const portOnly = new ConnectionSharding(loadRuleset(text, { file: 'p.v4' }).ruleset, host, 3);
    const r = (b: Uint8Array) => portOnly.shardOf(b, 0, b.length, LinkType.Raw);
    for (let port = 40000; port < 40010; port++)
      expect(r(tcp(client, port, '203.0.113.9', 53))).toBe(r(ipv4(client, '203.0.113.9')));
  });

  it('finds the addresses behind Ethernet, VLAN tags and Linux cooked headers', () => {
    const ip = ipv4('198.51.100.7', '192.168.1.10');
    const eth = new Uint8Array(18 + 20);
    eth.set([0x81, 0x00, 0, 5, 0x08, 0x00], 12);
    eth.set(ip, 18);
    const sll = new Uint8Array(16 + 20);
    sll.set([0x08, 0x00], 14);
    sll.set(ip, 16);
    const want = shards.shardOf(ip, 0, ip.length, LinkType.Raw);
    expect(shards.shardOf(eth, 0, eth.length, LinkType.Ethernet)).toBe(want);
    expect(shards.shardOf(sll, 0, sll.length, LinkType.LinuxSll)).toBe(want);
  });
});

describe('connection sharding (IPv6)', () => {
  const { ruleset: v6 } = loadRuleset('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', {
    file: 'r.v6',
    family: 'ipv6',
  });
  const shards = new ConnectionSharding(v6, host, 3);
  const a = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1];
  const b = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2];
  /** An IPv6 packet from `src` to `dst`: optional fragment header (offset field, id), then `l4`. */
  const packet = (src: number[], dst: number[], l4: number[], fragment?: { field: number; id: number }) => {
    const ext = fragment ? [6, 0, fragment.field >> 8, fragment.field & 255, 0, 0, 0, fragment.id] : [];
    const p = new Uint8Array(40 + ext.length + l4.length);
    p[0] = 0x60;
    p[6] = fragment ? 44 : 6;
    p.set(src, 8);
    p.set(dst, 24);
    p.set([...ext, ...l4], 40);
    return shards.shardOf(p, 0, p.length, LinkType.Raw);
  };
  const ports = (s: number, d: number) => [s >> 8, s & 255, d >> 8, d & 255, 0, 0, 0, 0];

  it('keys TCP on both endpoints either way round, and a fragmented datagram with its connection', () => {
    const used = new Set<number>();
    for (let port = 40000; port < 40030; port++) {
      const w = packet(a, b, ports(port, 443));
      expect(packet(b, a, ports(443, port))).toBe(w);
      used.add(w);
      const id = port & 255;
      expect(packet(a, b, ports(port, 443), { field: 1, id })).toBe(w);
      expect(packet(a, b, [9, 9, 9, 9, 9, 9, 9, 9], { field: 8 | 1, id })).toBe(w);
      expect(packet(a, b, [9, 9, 9, 9, 9, 9, 9, 9], { field: 16, id })).toBe(w);
    }
    expect(used.size).toBe(3);
  });
});

describe('connection sharding (kube-proxy cluster IPs)', () => {
  const rules = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-A - [0:0]
:KUBE-SEP-A - [0:0]
-A PREROUTING -j KUBE-SERVICES
-A OUTPUT -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-A
-A KUBE-SVC-A -j KUBE-SEP-A
-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:8080
COMMIT
`;
  const shards = new ConnectionSharding(loadRuleset(rules, { file: 'kube.v4' }).ruleset, host, 3);
  const raw = (b: Uint8Array) => shards.shardOf(b, 0, b.length, LinkType.Raw);
  const ports = Array.from({ length: 60 }, (_, i) => 40000 + i);

  it("keeps an outside client's connection to a cluster IP whole, and spreads a client's connections", () => {
    const used = new Set<number>();
    for (const port of ports) {
      const w = raw(tcp('198.51.100.7', port, '10.96.0.10', 80));
      expect(raw(tcp('10.244.1.5', 8080, '198.51.100.7', port))).toBe(w);
      used.add(w);
    }
    expect(used.size).toBe(3);
  });

  it("keeps the host's own connection to a cluster IP whole (both ends translatable)", () => {
    for (const port of ports)
      expect(raw(tcp('10.244.1.5', 8080, '192.168.1.10', port))).toBe(
        raw(tcp('192.168.1.10', port, '10.96.0.10', 80)),
      );
  });

  it("keeps a pod's connection to a cluster IP whole", () => {
    for (const port of ports)
      expect(raw(tcp('10.244.1.5', 8080, '10.244.1.9', port))).toBe(
        raw(tcp('10.244.1.9', port, '10.96.0.10', 80)),
      );
  });
});
