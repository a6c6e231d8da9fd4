// A listening TCP socket's answer to a SYN (src/engine/reference/socket-replies.ts): the SYN-ACK
// of tcp_v4_send_synack / tcp_make_synack with the options Linux puts there (tcp_synack_options,
// tcp_options_write) and its initial window (tcp_select_initial_window). The timestamp value and
// the sequence number are the kernel's random choices, drawn in that order from the run's
// generator. Nothing allocates.

import { prngNextU32 } from '../conntrack/prng';
import { be16, be32 } from '../memory';
import { defaultTtl } from './answers';

function put16(p: usize, v: u32): void {
  store<u16>(p, bswap<u16>(<u16>v));
}

function put32(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

/** One's-complement sum of `n` bytes at `p` as big-endian words, added to `sum` (unfolded). */
function sum16(p: usize, n: u32, sum: u64): u64 {
  let s = sum;
  let i: u32 = 0;
  for (; i + 1 < n; i += 2) s += <u64>be16(p + <usize>i);
  if (i < n) s += (<u64>load<u8>(p + <usize>i)) << 8;
  return s;
}

function finish(sum: u64): u32 {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  return ~(<u32>s) & 0xffff;
}

/**
 * The SYN-ACK answering the SYN in the IPv4 datagram at `ip` (header without options, whole TCP
 * header: the packet path admits only such), written at `out` (at most 80 bytes); `mtu` is the
 * receiving interface's. Returns its length.
 */
export function synAck(ip: usize, mtu: u32, out: usize): u32 {
  const t = ip + 20;
  const end = t + ((<usize>load<u8>(t, 12) >> 4) << 2);
  // synOptions: SACK permitted, the timestamp value, window scaling.
  let sackPerm = false;
  let hasTs = false;
  let tsEcr: u32 = 0;
  let wscale = false;
  for (let i = t + 20; i < end; ) {
    const kind = <u32>load<u8>(i);
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    // A length byte past the header reads as the next bytes (the reference reads the buffer).
    const len = <u32>load<u8>(i, 1);
    if (len < 2) break;
    if (kind === 4 && len === 2) sackPerm = true;
    if (kind === 8 && len === 10) {
      hasTs = true;
      tsEcr = be32(i + 2);
    }
    if (kind === 3 && len === 3) wscale = true;
    i += len;
  }
  const advmss = mtu - 40;
  const tsval = prngNextU32();
  const o = out + 40;
  let n: u32 = 0;
  store<u8>(o, 2);
  store<u8>(o, 4, 1);
  put16(o + 2, advmss);
  n = 4;
  if (hasTs) {
    if (sackPerm) {
      store<u8>(o + n, 4);
      store<u8>(o + n, 2, 1);
    } else {
      store<u8>(o + n, 1);
      store<u8>(o + n, 1, 1);
    }
    store<u8>(o + n, 8, 2);
    store<u8>(o + n, 10, 3);
    put32(o + n + 4, tsval);
    put32(o + n + 8, tsEcr);
    n += 12;
  }
  if (wscale) {
    store<u32>(o + n, 0x07030301); // 1, 3, 3, 7
    n += 4;
  }
  if (sackPerm && !hasTs) {
    store<u32>(o + n, 0x02040101); // 1, 1, 4, 2
    n += 4;
  }
  // tcp_select_initial_window: the space rounded down to whole segments.
  const segment = advmss - (hasTs ? 12 : 0);
  const window = (65536 / segment) * segment;
  const total = 40 + n;
  const src = be32(ip + 16);
  const dst = be32(ip + 12);
  store<u8>(out, 0x45);
  store<u8>(out, 0, 1);
  put16(out + 2, total);
  put16(out + 4, 0);
  put16(out + 6, 0x4000);
  store<u8>(out, <u8>defaultTtl, 8);
  store<u8>(out, 6, 9);
  put16(out + 10, 0);
  put32(out + 12, src);
  put32(out + 16, dst);
  put16(out + 10, finish(sum16(out, 20, 0)));
  const r = out + 20;
  store<u16>(r, load<u16>(t, 2));
  store<u16>(r, load<u16>(t), 2);
  put32(r + 4, prngNextU32());
  put32(r + 8, be32(t + 4) + 1);
  store<u8>(r, <u8>(((20 + n) >> 2) << 4), 12);
  store<u8>(r, 0x12, 13);
  put16(r + 14, window & 0xffff);
  put16(r + 16, 0);
  put16(r + 18, 0);
  const pseudo: u64 = <u64>(
    ((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + ((total - 20) & 0xffff))
  );
  put16(r + 16, finish(sum16(r, total - 20, pseudo)));
  return total;
}
