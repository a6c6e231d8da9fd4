// RFC 1071 sums against a naive reference, and the incremental updates (RFC 1624, the kernel's
// csum_replace helpers) against a full recompute on random packets.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { get16 } from '../../src/wire/bytes.js';
import {
  csumReplace2,
  csumReplace4,
  decreaseTtlChecksum,
  fold,
  inetProtoCsumReplace2,
  internetChecksum,
  ipv4PseudoSum,
  ipv6PseudoSum,
  sumBytes,
  udpWireChecksum,
} from '../../src/wire/checksum.js';
import { IPPROTO_TCP, IPPROTO_UDP, Ipv4View, writeIpv4Header } from '../../src/wire/ipv4.js';
import { writeIpv6Header } from '../../src/wire/ipv6.js';
import { natManipIpv4, natManipIpv6 } from '../../src/wire/manip.js';
import { writeTcpHeader } from '../../src/wire/tcp.js';
import { writeUdpHeader } from '../../src/wire/udp.js';

/** Textbook RFC 1071: 16-bit one's-complement additions with end-around carry. */
function naiveChecksum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) {
    s += (b[i]! << 8) | (b[i + 1] ?? 0);
    s = (s & 0xffff) + (s >>> 16);
  }
  return ~s & 0xffff;
}

/** a - b in one's-complement arithmetic, with 0xffff and 0 the same number. */
function onesDiff(a: number, b: number): number {
  return (((a - b) % 0xffff) + 0xffff) % 0xffff;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

function ipv4Segment(
  proto: number,
  src: number,
  dst: number,
  sport: number,
  dport: number,
  payload: Uint8Array,
) {
  const l4Len = (proto === IPPROTO_TCP ? 20 : 8) + payload.length;
  const b = new Uint8Array(20 + l4Len);
  writeIpv4Header(b, 0, { totalLength: b.length, ttl: 64, protocol: proto, src, dst, id: 1 });
  if (proto === IPPROTO_TCP) writeTcpHeader(b, 20, { srcPort: sport, dstPort: dport, flags: 0x12, seq: 9 });
  else writeUdpHeader(b, 20, sport, dport, l4Len);
  b.set(payload, b.length - payload.length);
  fixL4(b, proto);
  return b;
}

function fullL4(b: Uint8Array, proto: number): number {
  const v = new Ipv4View(b);
  const at = proto === IPPROTO_TCP ? 36 : 26;
  const sum = sumBytes(b, 20, b.length, ipv4PseudoSum(v.src, v.dst, proto, b.length - 20)) - get16(b, at);
  const c = ~fold(sum) & 0xffff;
  return proto === IPPROTO_UDP ? udpWireChecksum(c) : c;
}

function fixL4(b: Uint8Array, proto: number): void {
  const at = proto === IPPROTO_TCP ? 36 : 26;
  const c = fullL4(b, proto);
  b[at] = c >>> 8;
  b[at + 1] = c & 0xff;
}

describe('RFC 1071 sum', () => {
  it('matches the textbook algorithm on random data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(internetChecksum(b, 0, b.length)).toBe(naiveChecksum(b));
      }),
    );
  });
  it('RFC 1071 section 3 example', () => {
    const b = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(fold(sumBytes(b, 0, b.length))).toBe(0xddf2);
  });
});

describe('incremental updates equal a full recompute', () => {
  it('csumReplace4 / inetProtoCsumReplace2 / csumReplace2 on a field of random data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 64 }), u32, u16, (data, v32, v16) => {
        const b = data.slice(0, data.length & ~1);
        const c = internetChecksum(b, 0, b.length);
        const old32 = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
        const old16 = get16(b, 4);
        const n = b.slice();
        n[0] = v32 >>> 24;
        n[1] = v32 >>> 16;
        n[2] = v32 >>> 8;
        n[3] = v32;
        const full32 = internetChecksum(n, 0, n.length);
        expect(onesDiff(csumReplace4(c, old32, v32), full32)).toBe(0);
        n[4] = v16 >>> 8;
        n[5] = v16;
        const full = internetChecksum(n, 0, n.length);
        expect(onesDiff(inetProtoCsumReplace2(csumReplace4(c, old32, v32), old16, v16), full)).toBe(0);
        expect(onesDiff(csumReplace2(csumReplace4(c, old32, v32), old16, v16), full)).toBe(0);
      }),
    );
  });

  it('NAT of TCP and UDP over IPv4 gives exactly the recomputed checksums', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(IPPROTO_TCP, IPPROTO_UDP),
        fc.tuple(u32, u32, u16, u16),
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom('src' as const, 'dst' as const),
        u32,
        u16,
        (proto, [src, dst, sp, dp], payload, manip, addr, port) => {
          const b = ipv4Segment(proto, src, dst, sp, dp, payload);
          if (proto === IPPROTO_UDP && get16(b, 26) === 0) return;
          expect(natManipIpv4(b, 0, b.length, manip, addr, port)).toBe(true);
          const v = new Ipv4View(b);
          expect(manip === 'src' ? v.src : v.dst).toBe(addr);
          expect(get16(b, manip === 'src' ? 20 : 22)).toBe(port);
          expect(v.checksumValid()).toBe(true);
          expect(v.checksum).toBe(v.computeChecksum());
          const at = proto === IPPROTO_TCP ? 36 : 26;
          expect(get16(b, at)).toBe(fullL4(b, proto));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a wrong checksum stays wrong by the same amount; a zero UDP checksum stays zero', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(IPPROTO_TCP, IPPROTO_UDP),
        fc.tuple(u32, u32, u16, u16, u32, u16),
        fc.integer({ min: 1, max: 0xfffe }),
        (proto, [src, dst, sp, dp, addr, port], delta) => {
          const b = ipv4Segment(proto, src, dst, sp, dp, new Uint8Array(3));
          const at = proto === IPPROTO_TCP ? 36 : 26;
          const bad = (get16(b, at) + delta) % 0x10000;
          if (bad === 0 || onesDiff(bad, get16(b, at)) === 0) return;
          b[at] = bad >>> 8;
          b[at + 1] = bad & 0xff;
          natManipIpv4(b, 0, b.length, 'dst', addr, port);
          const off = onesDiff(get16(b, at), fullL4(b, proto));
          expect(off).toBe(
            onesDiff(bad, fullL4(ipv4Segment(proto, src, dst, sp, dp, new Uint8Array(3)), proto)),
          );
          expect(off).not.toBe(0);
          const z = ipv4Segment(IPPROTO_UDP, src, dst, sp, dp, new Uint8Array(3));
          z[26] = 0;
          z[27] = 0;
          natManipIpv4(z, 0, z.length, 'src', addr, port);
          expect(get16(z, 26)).toBe(0);
        },
      ),
    );
  });

  it('NAT of TCP over IPv6 gives the recomputed checksum', () => {
    fc.assert(
      fc.property(fc.array(u32, { minLength: 12, maxLength: 12 }), u16, u16, u16, (w, sp, dp, port) => {
        const b = new Uint8Array(60);
        writeIpv6Header(b, 0, {
          payloadLength: 20,
          nextHeader: 6,
          hopLimit: 64,
          src: w.slice(0, 4),
          dst: w.slice(4, 8),
        });
        writeTcpHeader(b, 40, { srcPort: sp, dstPort: dp, flags: 2 });
        const recompute = () => internetChecksum(b, 40, 60, ipv6PseudoSum(b, 8, 24, 6, 20) - get16(b, 56));
        const c = recompute();
        b[56] = c >>> 8;
        b[57] = c & 0xff;
        expect(natManipIpv6(b, 0, 60, 'src', w.slice(8, 12), port)).toBe(true);
        expect(get16(b, 56)).toBe(recompute());
      }),
    );
  });

  it('ip_decrease_ttl checksum equals a recompute for random headers', () => {
    fc.assert(
      fc.property(
        u32,
        u32,
        fc.integer({ min: 1, max: 255 }),
        u16,
        fc.integer({ min: 0, max: 255 }),
        (s, d, ttl, id, tos) => {
          const b = new Uint8Array(20);
          writeIpv4Header(b, 0, { totalLength: 20, ttl, protocol: 6, src: s, dst: d, id, tos });
          const v = new Ipv4View(b);
          v.decreaseTtl();
          expect(v.checksum).toBe(v.computeChecksum());
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('ip_decrease_ttl arithmetic on every checksum value (little-endian kernel form)', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const r = decreaseTtlChecksum(c);
      // TTL is the high byte of its word: the stored sum grows by 0x0100 in one's complement.
      expect(onesDiff(r, c)).toBe(0x0100);
      expect(r).not.toBe(0xffff);
    }
  });
});
