// The kernel's own ICMP (kernel-icmp.ts): which errors __icmp_send builds and how, the echo
// reply, and icmp_ratelimit's and ip_error's token buckets, which run on packet time.

import { describe, expect, it } from 'vitest';
import { IcmpRateLimiter, icmpEchoReply4, icmpError4 } from '../../src/engine/reference/kernel-icmp.js';
import { get16, put16 } from '../../src/wire/bytes.js';
import { internetChecksum } from '../../src/wire/checksum.js';
import { parsePacketSpec } from '../../src/wire/packet-text.js';

const MS = 1_000_000n;
const SECOND = 1000n * MS;
const SRC = 0xc6336407; // 198.51.100.7, the offending packet's source
const HOST = 0xcb007101; // 203.0.113.1
const ICMP_DEST_UNREACH = 3;
const ICMP_TIME_EXCEEDED = 11;
const ICMP_ECHOREPLY = 0;
/** The default net.ipv4.icmp_ratemask: dest unreachable, source quench, time exceeded, parameter problem. */
const RATEMASK = 6168;

function bytesOf(spec: string): Uint8Array {
  const r = parsePacketSpec(spec);
  if ('error' in r) throw new Error(r.error);
  return r.bytes;
}

const OPTIONS = { src: HOST, id: 0x1234, mtu: 1500, ttl: 64 };

describe('icmpError4 (__icmp_send)', () => {
  it('quotes the offending datagram from its IP header, back to its source', () => {
    const offending = bytesOf('udp 198.51.100.7:5353 > 203.0.113.9:53 len 12 tos 16');
    const r = icmpError4(offending, ICMP_TIME_EXCEEDED, 0, OPTIONS);
    if (!('packet' in r)) throw new Error(r.none);
    const p = r.packet;
    expect(p.length).toBe(28 + offending.length);
    expect(p.subarray(28)).toEqual(offending);
    expect([p[9], p[20], p[21]]).toEqual([1, ICMP_TIME_EXCEEDED, 0]);
    expect(get16(p, 4)).toBe(0x1234);
    expect(p[8]).toBe(64);
    // RT_TOS of the offender's TOS, with precedence internet control.
    expect(p[1]).toBe(0xc0 | 0x10);
    // No DF: the ICMP socket does not do path MTU discovery.
    expect(get16(p, 6)).toBe(0);
    expect(((get16(p, 12) << 16) | get16(p, 14)) >>> 0).toBe(HOST);
    expect(((get16(p, 16) << 16) | get16(p, 18)) >>> 0).toBe(SRC);
    expect(internetChecksum(p, 0, 20)).toBe(0);
    expect(internetChecksum(p, 20, p.length)).toBe(0);
  });

  it('quotes no more than fits in 576 bytes, or in the route MTU when smaller', () => {
    const big = bytesOf('udp 198.51.100.7:5353 > 203.0.113.9:53 len 1000');
    const r576 = icmpError4(big, ICMP_DEST_UNREACH, 1, OPTIONS);
    const r300 = icmpError4(big, ICMP_DEST_UNREACH, 1, { ...OPTIONS, mtu: 300 });
    expect('packet' in r576 && r576.packet.length).toBe(576);
    expect('packet' in r300 && r300.packet.length).toBe(300);
  });

  it("carries fragmentation needed's next-hop MTU in the header's last 4 bytes", () => {
    const offending = bytesOf('tcp 198.51.100.7:40000 > 203.0.113.9:80 flags A df');
    const r = icmpError4(offending, ICMP_DEST_UNREACH, 4, { ...OPTIONS, info: 1400 });
    if (!('packet' in r)) throw new Error(r.none);
    expect(get16(r.packet, 26)).toBe(1400);
  });

  it('sends an error about an ICMP query', () => {
    const ping = bytesOf('icmp 198.51.100.7 > 203.0.113.9 echo-request id 1 seq 1');
    expect('packet' in icmpError4(ping, ICMP_TIME_EXCEEDED, 0, OPTIONS)).toBe(true);
  });

  it('sends none about an ICMP error', () => {
    const error = bytesOf('icmp 198.51.100.7 > 203.0.113.9 type 3 code 1');
    expect(icmpError4(error, ICMP_TIME_EXCEEDED, 0, OPTIONS)).toEqual({
      none: 'no ICMP error about an ICMP error',
    });
  });

  it('sends none about a fragment other than the first', () => {
    const fragment = bytesOf('udp 198.51.100.7:5353 > 203.0.113.9:53 len 12');
    put16(fragment, 6, 185); // fragment offset 1480 bytes
    expect(icmpError4(fragment, ICMP_TIME_EXCEEDED, 0, OPTIONS)).toEqual({ none: 'non-first fragment' });
  });
});

describe('icmpEchoReply4 (icmp_reply)', () => {
  it("answers from the request's destination with its id, sequence and data", () => {
    const request = bytesOf('icmp 198.51.100.7 > 203.0.113.1 echo-request id 7 seq 9 tos 8');
    const reply = icmpEchoReply4(request, { id: 0x4321, ttl: 64 });
    expect(reply.length).toBe(request.length);
    expect([reply[20], reply[21]]).toEqual([ICMP_ECHOREPLY, 0]);
    expect(reply.subarray(24)).toEqual(request.subarray(24));
    expect(reply[1]).toBe(0x08);
    expect(((get16(reply, 12) << 16) | get16(reply, 14)) >>> 0).toBe(HOST);
    expect(((get16(reply, 16) << 16) | get16(reply, 18)) >>> 0).toBe(SRC);
    expect(internetChecksum(reply, 0, 20)).toBe(0);
    expect(internetChecksum(reply, 20, reply.length)).toBe(0);
  });
});

describe('IcmpRateLimiter', () => {
  it('lets a burst of 6 through from a new peer, then one per icmp_ratelimit of packet time', () => {
    const limiter = new IcmpRateLimiter(1000, RATEMASK);
    const t0 = 5n * SECOND;
    const sent = Array.from({ length: 7 }, () => limiter.allow(SRC, ICMP_DEST_UNREACH, 3, false, t0));
    expect(sent).toEqual([true, true, true, true, true, true, false]);
    expect(limiter.allow(SRC, ICMP_DEST_UNREACH, 3, false, t0 + 999n * MS)).toBe(false);
    expect(limiter.allow(SRC, ICMP_DEST_UNREACH, 3, false, t0 + 1999n * MS)).toBe(true);
    expect(limiter.allow(SRC, ICMP_DEST_UNREACH, 3, false, t0 + 1999n * MS)).toBe(false);
  });

  it('keeps one bucket per destination', () => {
    const limiter = new IcmpRateLimiter(1000, RATEMASK);
    for (let i = 0; i < 6; i++) limiter.allow(SRC, ICMP_TIME_EXCEEDED, 0, false, 0n);
    expect(limiter.allow(SRC, ICMP_TIME_EXCEEDED, 0, false, 0n)).toBe(false);
    expect(limiter.allow(SRC + 1, ICMP_TIME_EXCEEDED, 0, false, 0n)).toBe(true);
  });

  it('never limits types outside icmp_ratemask, fragmentation needed, or errors leaving by lo', () => {
    const limiter = new IcmpRateLimiter(1000, RATEMASK);
    for (let i = 0; i < 6; i++) limiter.allow(SRC, ICMP_DEST_UNREACH, 3, false, 0n);
    expect(limiter.allow(SRC, ICMP_DEST_UNREACH, 3, false, 0n)).toBe(false);
    expect(limiter.allow(SRC, ICMP_ECHOREPLY, 0, false, 0n)).toBe(true);
    expect(limiter.allow(SRC, ICMP_DEST_UNREACH, 4, false, 0n)).toBe(true);
    expect(limiter.allow(SRC, ICMP_DEST_UNREACH, 3, true, 0n)).toBe(true);
  });

  it('does not limit at all with icmp_ratelimit 0', () => {
    const limiter = new IcmpRateLimiter(0, RATEMASK);
    const sent = Array.from({ length: 20 }, () => limiter.allow(SRC, ICMP_DEST_UNREACH, 3, false, 0n));
    expect(sent.every(Boolean)).toBe(true);
  });

  it("limits ip_error's destination unreachable to a burst of 5, then one a second", () => {
    const limiter = new IcmpRateLimiter(1000, RATEMASK);
    const sent = Array.from({ length: 6 }, () => limiter.allowRouteError(SRC, 0n));
    expect(sent).toEqual([true, true, true, true, true, false]);
    expect(limiter.allowRouteError(SRC, SECOND)).toBe(true);
    expect(limiter.allowRouteError(SRC, SECOND)).toBe(false);
  });
});
