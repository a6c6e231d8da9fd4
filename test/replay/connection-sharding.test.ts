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
