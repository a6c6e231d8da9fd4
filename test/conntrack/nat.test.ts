import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConntrackTable,
  type CtPacket,
  confirm,
  conntrackIn,
  hookManip,
  IPS_DST_NAT,
  IPS_SRC_NAT,
  IPS_SRC_NAT_DONE,
  masqueradeRange,
  type NatHookResult,
  type NatRange2,
  natHook,
  natRangeFromIr,
  natSetupInfo,
  type Prng,
  redirectRange,
  TCP_SYN,
  type TrackResult,
  Xoshiro128ss,
} from '../../src/engine/conntrack/index.js';
import type { NatRange } from '../../src/ir/targets/nat-range.js';
import { icmp, ip, SEC, table, tcp, udp } from './helpers.js';

function range(r: Partial<NatRange>): NatRange2 {
  return natRangeFromIr({ random: false, randomFully: false, persistent: false, ...r }, 'ipv4');
}

interface Forwarded {
  readonly track: TrackResult;
  readonly pre: NatHookResult;
  readonly post: NatHookResult;
}

/** One forwarded packet: conntrack, nat PREROUTING (DNAT), nat POSTROUTING (SNAT), confirm. */
function forward(
  t: ConntrackTable,
  pkt: CtPacket,
  now: bigint,
  prng: Prng,
  rules: { dnat?: NatRange2; snat?: NatRange2 } = {},
): Forwarded {
  const track = conntrackIn(t, pkt, now, 'prerouting');
  const icmpType = pkt.icmp?.type;
  const p = { family: pkt.family, protocol: pkt.protocol, ...(icmpType !== undefined ? { icmpType } : {}) };
  const walk = (r: NatRange2 | undefined) => (ctx: Parameters<Parameters<typeof natHook>[6]>[0]) => {
    if (r && track.kind === 'tracked') return natSetupInfo(ctx, track.entry, r, hookManip(ctx.hook));
    return 'ACCEPT' as const;
  };
  const pre = natHook(t, track, p, 'prerouting', now, prng, walk(rules.dnat));
  const post = natHook(t, track, p, 'postrouting', now, prng, walk(rules.snat));
  confirm(t, track, now);
  return { track, pre, post };
}

const SNAT_1 = range({ addresses: { family: 'ipv4', from: ip('203.0.113.1'), to: ip('203.0.113.1') } });

describe('NAT bindings (nf_nat_setup_info, nf_nat_packet)', () => {
  it('SNAT keeps the source port when the tuple is unused (get_unique_tuple step 1)', () => {
    const t = table();
    const f = forward(
      t,
      tcp({ src: '10.0.0.1', dst: '198.51.100.1', sport: 40000, dport: 443, flags: TCP_SYN, seq: 1 }),
      0n,
      new Xoshiro128ss(1),
      { snat: SNAT_1 },
    );
    expect(f.pre).toEqual({ verdict: 'ACCEPT', rewrite: null });
    expect(f.post).toEqual({
      verdict: 'ACCEPT',
      rewrite: { manip: 'src', address: ip('203.0.113.1'), port: 40000 },
    });
    if (f.track.kind !== 'tracked') throw new Error();
    expect(f.track.entry.status & (IPS_SRC_NAT | IPS_DST_NAT)).toBe(IPS_SRC_NAT);
    // The reply is rewritten back at PREROUTING (destination manip, reply direction).
    const reply = forward(
      t,
      tcp({
        src: '198.51.100.1',
        dst: '203.0.113.1',
        sport: 443,
        dport: 40000,
        flags: TCP_SYN | 0x10,
        seq: 9,
        ack: 2,
      }),
      SEC,
      new Xoshiro128ss(1),
    );
    expect(reply.track).toMatchObject({ ctinfo: 'ESTABLISHED_REPLY' });
    expect(reply.pre).toEqual({
      verdict: 'ACCEPT',
      rewrite: { manip: 'dst', address: ip('10.0.0.1'), port: 40000 },
    });
    expect(reply.post).toEqual({ verdict: 'ACCEPT', rewrite: null });
  });

  it('SNAT collision: the second client gets a port from the 1024-65535 search, reproducible by seed (nf_nat_l4proto_unique_tuple)', () => {
    const run = (seed: number) => {
      const t = table();
      const prng = new Xoshiro128ss(seed);
      forward(t, udp('10.0.0.1', 5000, '198.51.100.1', 53), 0n, prng, { snat: SNAT_1 });
      return forward(t, udp('10.0.0.2', 5000, '198.51.100.1', 53), 0n, prng, { snat: SNAT_1 });
    };
    const a = run(7);
    const b = run(7);
    expect(a.post).toEqual(b.post);
    if (a.post.verdict !== 'ACCEPT' || !a.post.rewrite) throw new Error();
    expect(a.post.rewrite.port).not.toBe(5000);
    expect(a.post.rewrite.port).toBeGreaterThanOrEqual(1024);
    // Offset = first u16 draw (get_random_u16), port = 1024 + off % 64512.
    const off = new Xoshiro128ss(7).nextU32() & 0xffff;
    expect(a.post.rewrite.port).toBe(1024 + (off % 64512));
  });

  it('ports below 1024 stay in their class: 1-511 or 600-1023', () => {
    const t = table();
    const prng = new Xoshiro128ss(3);
    forward(t, udp('10.0.0.1', 123, '198.51.100.1', 123), 0n, prng, { snat: SNAT_1 });
    const f = forward(t, udp('10.0.0.2', 123, '198.51.100.1', 123), 0n, prng, { snat: SNAT_1 });
    if (f.post.verdict !== 'ACCEPT' || !f.post.rewrite?.port) throw new Error();
    expect(f.post.rewrite.port).toBeGreaterThanOrEqual(1);
    expect(f.post.rewrite.port).toBeLessThanOrEqual(511);
  });

  it('SNAT with a port range searches from a random offset; a taken port moves to the next', () => {
    const r = range({
      addresses: { family: 'ipv4', from: ip('203.0.113.1'), to: ip('203.0.113.1') },
      ports: { from: 2000, to: 2001 },
    });
    const t = table();
    const prng = new Xoshiro128ss(11);
    const a = forward(t, udp('10.0.0.1', 2000, '198.51.100.1', 53), 0n, prng, { snat: r });
    const b = forward(t, udp('10.0.0.2', 2000, '198.51.100.1', 53), 0n, prng, { snat: r });
    const ports = [a, b].map((f) => (f.post.verdict === 'ACCEPT' ? f.post.rewrite?.port : -1));
    expect(ports[0]).toBe(2000); // in range and unused: kept
    expect(ports[1]).toBe(2001);
  });

  it('--random-fully skips the original port even when free', () => {
    const r = range({
      addresses: { family: 'ipv4', from: ip('203.0.113.1'), to: ip('203.0.113.1') },
      randomFully: true,
    });
    const t = table();
    const f = forward(t, udp('10.0.0.1', 5000, '198.51.100.1', 53), 0n, new Xoshiro128ss(5), { snat: r });
    const off = new Xoshiro128ss(5).nextU32() & 0xffff;
    expect(f.post).toMatchObject({ rewrite: { port: 1024 + (off % 64512) } });
  });

  it('DNAT to a port range tries the range from its first port (offset 0 for DNAT)', () => {
    const r = range({
      addresses: { family: 'ipv4', from: ip('10.1.1.1'), to: ip('10.1.1.1') },
      ports: { from: 8080, to: 8090 },
    });
    const t = table();
    const prng = new Xoshiro128ss(1);
    const a = forward(
      t,
      tcp({ src: '198.51.100.9', dst: '203.0.113.1', sport: 1111, dport: 80, flags: TCP_SYN, seq: 1 }),
      0n,
      prng,
      { dnat: r },
    );
    expect(a.pre).toEqual({
      verdict: 'ACCEPT',
      rewrite: { manip: 'dst', address: ip('10.1.1.1'), port: 8080 },
    });
    const b = forward(
      t,
      tcp({ src: '198.51.100.9', dst: '203.0.113.2', sport: 1111, dport: 80, flags: TCP_SYN, seq: 1 }),
      0n,
      prng,
      { dnat: r },
    );
    expect(b.pre).toMatchObject({ rewrite: { port: 8081 } });
  });

  it('DNAT to one port reuses it even if taken; the null SNAT binding then moves the source port', () => {
    const r = range({
      addresses: { family: 'ipv4', from: ip('10.1.1.1'), to: ip('10.1.1.1') },
      ports: { from: 80, to: 80 },
    });
    const t = table();
    const prng = new Xoshiro128ss(2);
    forward(
      t,
      tcp({ src: '198.51.100.9', dst: '203.0.113.1', sport: 1111, dport: 80, flags: TCP_SYN, seq: 1 }),
      0n,
      prng,
      { dnat: r },
    );
    const b = forward(
      t,
      tcp({ src: '198.51.100.9', dst: '203.0.113.2', sport: 1111, dport: 80, flags: TCP_SYN, seq: 1 }),
      0n,
      prng,
      { dnat: r },
    );
    expect(b.pre).toMatchObject({ rewrite: { manip: 'dst', address: ip('10.1.1.1'), port: 80 } });
    if (b.post.verdict !== 'ACCEPT' || !b.post.rewrite) throw new Error('expected a source rewrite');
    expect(b.post.rewrite.manip).toBe('src');
    expect(b.post.rewrite.port).not.toBe(1111);
    if (b.track.kind !== 'tracked') throw new Error();
    expect(b.track.entry.status & IPS_SRC_NAT_DONE).toBe(IPS_SRC_NAT_DONE);
  });

  it('address ranges: the choice is in range and, with --persistent, independent of the destination (find_best_ips_proto)', () => {
    const from = ip('203.0.113.10');
    const to = ip('203.0.113.20');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xfffffffe }),
        fc.integer({ min: 1, max: 0xfffffffe }),
        (s, d) => {
          const pick = (persistent: boolean, dst: number) => {
            const t = table();
            const pkt: CtPacket = { ...udp('0.0.0.1', 1000, '0.0.0.2', 53), src: [s], dst: [dst] };
            const f = forward(t, pkt, 0n, new Xoshiro128ss(1), {
              snat: range({ addresses: { family: 'ipv4', from, to }, persistent }),
            });
            return f.post.verdict === 'ACCEPT' ? f.post.rewrite!.address[0]! : -1;
          };
          const a = pick(false, d);
          expect(a).toBeGreaterThanOrEqual(from[0]!);
          expect(a).toBeLessThanOrEqual(to[0]!);
          expect(pick(true, d)).toBe(pick(true, (d ^ 0x5a5a5a5a) >>> 0 || 1));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('ICMP echo ids are NATed like ports: a colliding id is searched over 0-65535', () => {
    const t = table();
    const prng = new Xoshiro128ss(9);
    forward(t, icmp('10.0.0.1', '198.51.100.1', { type: 8, code: 0, id: 42 }), 0n, prng, { snat: SNAT_1 });
    const b = forward(t, icmp('10.0.0.2', '198.51.100.1', { type: 8, code: 0, id: 42 }), 0n, prng, {
      snat: SNAT_1,
    });
    if (b.post.verdict !== 'ACCEPT' || !b.post.rewrite) throw new Error();
    expect(b.post.rewrite.icmpId).not.toBe(42);
    const back = forward(
      t,
      icmp('198.51.100.1', '203.0.113.1', { type: 0, code: 0, id: b.post.rewrite.icmpId! }),
      SEC,
      prng,
    );
    expect(back.pre).toEqual({
      verdict: 'ACCEPT',
      rewrite: { manip: 'dst', address: ip('10.0.0.2'), icmpId: 42 },
    });
  });

  it('an ICMP error about a SNATed connection: NAT undone inside the quoted header (nf_nat_icmp_reply_translation)', () => {
    const t = table();
    const prng = new Xoshiro128ss(1);
    forward(t, udp('10.0.0.1', 5000, '198.51.100.1', 53), 0n, prng, { snat: SNAT_1 });
    // The server saw 203.0.113.1:5000 and quotes that.
    const quoted = { protocol: 17, src: ip('203.0.113.1'), dst: ip('198.51.100.1'), sport: 5000, dport: 53 };
    const err = forward(
      t,
      icmp('198.51.100.1', '203.0.113.1', { type: 3, code: 3, id: 0 }, quoted),
      SEC,
      prng,
    );
    expect(err.track).toMatchObject({ ctinfo: 'RELATED_REPLY' });
    expect(err.pre).toEqual({
      verdict: 'ACCEPT',
      rewrite: null,
      icmpError: {
        inner: { manip: 'src', address: ip('10.0.0.1'), port: 5000 },
        outer: { manip: 'dst', address: ip('10.0.0.1') },
        recomputeIcmpChecksum: true,
      },
    });
    expect(err.post).toEqual({ verdict: 'ACCEPT', rewrite: null, icmpError: null });
  });

  it('MASQUERADE takes the source the host picks; a 0.0.0.0 source gets the null binding', () => {
    const t = table();
    const track = conntrackIn(t, udp('10.0.0.1', 1, '198.51.100.1', 2), 0n, 'prerouting');
    if (track.kind !== 'tracked') throw new Error();
    const ir: NatRange = { random: false, randomFully: false, persistent: false };
    expect(masqueradeRange(track.entry, ir, ip('203.0.113.5'))).toMatchObject({ minAddr: ip('203.0.113.5') });
    expect(masqueradeRange(track.entry, ir, null)).toBe('drop');
    const zero = conntrackIn(t, udp('0.0.0.0', 68, '255.255.255.255', 67), 0n, 'output');
    if (zero.kind !== 'tracked') throw new Error();
    expect(masqueradeRange(zero.entry, ir, ip('203.0.113.5'))).toBe('none');
  });

  it('REDIRECT: 127.0.0.1 in OUTPUT, the incoming interface’s address in PREROUTING', () => {
    const t = table();
    const track = conntrackIn(t, udp('10.0.0.1', 1, '198.51.100.1', 2), 0n, 'prerouting');
    if (track.kind !== 'tracked') throw new Error();
    const ir: NatRange = {
      ports: { from: 3128, to: 3128 },
      random: false,
      randomFully: false,
      persistent: false,
    };
    expect(redirectRange(track.entry, ir, 'output', null)).toMatchObject({
      minAddr: [0x7f000001],
      minProto: 3128,
    });
    expect(redirectRange(track.entry, ir, 'prerouting', ip('10.0.0.254'))).toMatchObject({
      minAddr: ip('10.0.0.254'),
    });
    expect(redirectRange(track.entry, ir, 'prerouting', null)).toBe('drop');
  });

  it('shifted portmap (NF_NAT_RANGE_PROTO_OFFSET): port = min + (orig - base) mod size', () => {
    const r = range({
      addresses: { family: 'ipv4', from: ip('10.1.1.1'), to: ip('10.1.1.1') },
      ports: { from: 9000, to: 9099 },
      portOffsetBase: 80,
    });
    const t = table();
    const f = forward(
      t,
      tcp({ src: '198.51.100.9', dst: '203.0.113.1', sport: 1111, dport: 85, flags: TCP_SYN, seq: 1 }),
      0n,
      new Xoshiro128ss(1),
      { dnat: r },
    );
    expect(f.pre).toMatchObject({ rewrite: { port: 9005 } });
  });

  it('NAT is decided on the first packet only; later packets reuse the binding', () => {
    const t = table();
    const prng = new Xoshiro128ss(1);
    const first = forward(t, udp('10.0.0.1', 5000, '198.51.100.1', 53), 0n, prng, { snat: SNAT_1 });
    let walked = false;
    const track = conntrackIn(t, udp('10.0.0.1', 5000, '198.51.100.1', 53), SEC, 'prerouting');
    const post = natHook(t, track, { family: 'ipv4', protocol: 17 }, 'postrouting', SEC, prng, () => {
      walked = true;
      return 'ACCEPT';
    });
    expect(walked).toBe(false);
    expect(post).toEqual(first.post);
  });
});
