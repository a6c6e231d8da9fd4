// The comparison's allowance for NAT ports the kernel drew at random (nat-port-choices.ts).

import { describe, expect, it } from 'vitest';
import type { ConnSnapshot } from '../../src/engine/conntrack/snapshot.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import type { ConntrackEntry } from '../kernel/netns/kernel-result.js';
import { NatPortChoices } from './nat-port-choices.js';

const ip4 = (s: string) => s.split('.').map(Number);
const word = (s: string) => ip4(s).reduce((w, b) => ((w << 8) | b) >>> 0, 0);

/** An IPv4 UDP datagram with a correct checksum. */
function udp(src: string, sport: number, dst: string, dport: number, payload = 'hi'): Uint8Array {
  const data = Buffer.from(payload);
  const b = Buffer.alloc(28 + data.length);
  b.set([0x45, 0, 0, b.length, 0, 1, 0, 0, 63, 17, 0, 0, ...ip4(src), ...ip4(dst)]);
  b.writeUInt16BE(sport, 20);
  b.writeUInt16BE(dport, 22);
  b.writeUInt16BE(8 + data.length, 24);
  data.copy(b, 28);
  let sum = 17 + 8 + data.length;
  for (let i = 12; i < 20; i += 2) sum += b.readUInt16BE(i);
  for (let i = 20; i < b.length; i += 2) sum += i + 1 < b.length ? b.readUInt16BE(i) : b[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b.writeUInt16BE(~sum & 0xffff || 0xffff, 26);
  return new Uint8Array(b);
}

const rules = (target: string) =>
  parseIptablesSave(
    `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 ${target}\nCOMMIT\n`,
    {
      file: 'rules.v4',
      family: 'ipv4',
    },
  );

/** Client 10.0.0.20:5353 → 8.8.8.8:53 SNATed to 192.168.1.10:`port`, as both sides record it. */
const kernelEntry = (port: number): ConntrackEntry => ({
  family: 'ipv4',
  proto: 'udp',
  protonum: 17,
  original: { src: '10.0.0.20', dst: '8.8.8.8', sport: 5353, dport: 53 },
  reply: { src: '8.8.8.8', dst: '192.168.1.10', sport: 53, dport: port },
  timeout: 30,
  mark: 0,
  flags: [],
});
const engineEntry = (port: number) =>
  ({
    protocol: 17,
    original: {
      family: 'ipv4',
      protocol: 17,
      src: [word('10.0.0.20')],
      dst: [word('8.8.8.8')],
      sport: 5353,
      dport: 53,
    },
    reply: {
      family: 'ipv4',
      protocol: 17,
      src: [word('8.8.8.8')],
      dst: [word('192.168.1.10')],
      sport: 53,
      dport: port,
    },
  }) as unknown as ConnSnapshot;

describe('NatPortChoices', () => {
  it("replaces the kernel's random source port by the engine's, checksum adjusted", () => {
    const c = new NatPortChoices(
      [kernelEntry(2002)],
      [engineEntry(2000)],
      rules('-p udp -j SNAT --to-source 192.168.1.10:2000-2002'),
    );
    expect(c.substitute(udp('192.168.1.10', 2002, '8.8.8.8', 53))).toEqual(
      udp('192.168.1.10', 2000, '8.8.8.8', 53),
    );
    // Other connections' packets are left alone.
    const other = udp('192.168.1.10', 2001, '8.8.8.8', 53);
    expect(c.substitute(other)).toBe(other);
  });
  it('accepts a port moved without --to ports only inside the original port class', () => {
    const masq = rules('-j MASQUERADE');
    const inClass = new NatPortChoices([kernelEntry(40000)], [engineEntry(1100)], masq);
    expect(inClass.substitute(udp('192.168.1.10', 40000, '8.8.8.8', 53))).toEqual(
      udp('192.168.1.10', 1100, '8.8.8.8', 53),
    );
    const outOfClass = new NatPortChoices([kernelEntry(40000)], [engineEntry(800)], masq);
    const p = udp('192.168.1.10', 40000, '8.8.8.8', 53);
    expect(outOfClass.substitute(p)).toBe(p);
  });
  it('never excuses a port the engine kept while the kernel moved it, or the reverse', () => {
    const c = new NatPortChoices([kernelEntry(40000)], [engineEntry(5353)], rules('-j MASQUERADE'));
    const p = udp('192.168.1.10', 40000, '8.8.8.8', 53);
    expect(c.substitute(p)).toBe(p);
  });
});
