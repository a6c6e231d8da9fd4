// -j TCPMSS (xt_TCPMSS.c tcpmss_tg4 / tcpmss_mangle_packet; src/wire/tcpmss.ts and the reference's
// targets/mangle.ts): lowers the MSS option of an IPv4 TCP segment to --set-mss, or with
// --clamp-mss-to-pmtu to the smaller of the output device's MTU and the MTU of the route back to
// the source, minus 40. An MSS is never raised. A segment without the option and without payload
// gets one (at most 536): the datagram grows by 4 bytes in place, into the slack the batch leaves
// after each frame; a packet elsewhere (a copy the path made) cannot grow, and is left undecided
// (the trace then runs on the reference engine). Parameters as the TCPMSS codec writes them:
// pmtu flag, MSS.

import { be16 } from '../memory';
import {
  fields,
  growFrom,
  growTo,
  laterFragment,
  oifIndex,
  P_SRC,
  packet,
  packetGrew,
  thoff,
} from '../packet';
import { params } from '../table';
import { ask, Q_INTERFACE, Q_ROUTE_OUT, RT_ERROR } from './host-query';
import { csumReplace4, inetProtoCsumReplace2 } from './rewrite';
import { csumReplace2 } from './ttl-target';

/** Bytes the batch leaves free after each frame (src/engine/wasm/engine.ts FRAME_SLACK). */
export const FRAME_SLACK: usize = 4;

/** tcpmssTarget's outcomes. */
export const TCPMSS_CONTINUE: u32 = 0;
export const TCPMSS_DROP: u32 = 1;
export const TCPMSS_UNDECIDED: u32 = 2;
/** Went on after adding the option: the packet is 4 bytes longer. */
export const TCPMSS_GREW: u32 = 3;

const TCPOPT_MSS: u32 = 2;
const TCPOLEN_MSS: u32 = 4;
const UNLIMITED: u32 = 0xffffffff;

/** An interface's MTU as configured; 0 (none) counts as no limit. */
function mtuOf(index: u32): u32 {
  if (index === 0) return UNLIMITED;
  const mtu = load<u32>(ask(Q_INTERFACE, index, 0, 0), 8);
  return mtu === 0 ? UNLIMITED : mtu;
}

/** tcpmss_reverse_mtu and the output route's MTU: the smaller of the two. */
function pathMtu(): u32 {
  const back = ask(Q_ROUTE_OUT, load<u32>(fields + ((<usize>P_SRC) << 2)), 0, 0);
  const rev = load<u32>(back) === RT_ERROR ? UNLIMITED : mtuOf(load<u32>(back, 4));
  const out = mtuOf(oifIndex);
  return out < rev ? out : rev;
}

/** TCPMSS with the parameters at `at` on the path's packet. */
export function tcpmssTarget(at: u32): u32 {
  const p = params + ((<usize>at) << 2);
  let mss = load<u32>(p, 4);
  if (load<u32>(p) !== 0) {
    const mtu = pathMtu();
    // The kernel drops the packet when it knows no usable MTU.
    if (mtu <= 40) return TCPMSS_DROP;
    mss = mtu - 40;
  }
  // A later fragment carries no TCP header: untouched.
  if (laterFragment) return TCPMSS_CONTINUE;
  const tcp = packet + <usize>thoff;
  const len = <i32>be16(packet + 2) - <i32>thoff;
  if (len < 20) return TCPMSS_DROP;
  const hl = (<i32>(<u32>load<u8>(tcp, 12) >> 4)) << 2;
  if (len < hl || hl < 20) return TCPMSS_DROP;
  const last = tcp + <usize>hl - TCPOLEN_MSS;
  for (let o = tcp + 20; o <= last; ) {
    const kind = <u32>load<u8>(o);
    const olen = <u32>load<u8>(o, 1);
    if (kind === TCPOPT_MSS && olen === TCPOLEN_MSS) {
      const old = be16(o + 2);
      if (old <= mss) return TCPMSS_CONTINUE;
      put16(o + 2, mss);
      // Updated as if aligned, whatever the option's offset (the kernel's quirk, kept).
      put16(tcp + 16, inetProtoCsumReplace2(be16(tcp + 16), old, mss));
      return TCPMSS_CONTINUE;
    }
    o += kind <= 1 || olen === 0 ? 1 : olen;
  }
  // With payload, or no room in the header, no option is added.
  if (len > hl || hl >= 60) return TCPMSS_CONTINUE;
  return addMss(tcp, len, mss < 536 ? mss : 536);
}

function put16(p: usize, v: u32): void {
  store<u16>(p, bswap<u16>(<u16>v));
}

/** The MSS option inserted after the 20-byte header, the checksums updated as the kernel does. */
function addMss(tcp: usize, len: i32, mss: u32): u32 {
  const total = be16(packet + 2);
  const end = packet + <usize>total;
  if (packet < growFrom || end + TCPOLEN_MSS > growTo) return TCPMSS_UNDECIDED;
  const opt = tcp + 20;
  memory.copy(opt + TCPOLEN_MSS, opt, end - opt);
  // The pseudo-header's length grows by 4, the option word appears, the data offset changes.
  let c = inetProtoCsumReplace2(be16(tcp + 16), <u32>len, <u32>len + TCPOLEN_MSS);
  store<u8>(opt, <u8>TCPOPT_MSS);
  store<u8>(opt, <u8>TCPOLEN_MSS, 1);
  put16(opt + 2, mss);
  c = csumReplace4(c, 0, (TCPOPT_MSS << 24) | (TCPOLEN_MSS << 16) | mss);
  const oldWord = be16(tcp + 12);
  store<u8>(tcp, <u8>(<u32>load<u8>(tcp, 12) + 0x10), 12);
  c = inetProtoCsumReplace2(c, oldWord, be16(tcp + 12));
  put16(tcp + 16, c);
  put16(packet + 10, csumReplace2(be16(packet + 10), total, total + TCPOLEN_MSS));
  put16(packet + 2, total + TCPOLEN_MSS);
  packetGrew(TCPOLEN_MSS);
  return TCPMSS_GREW;
}
