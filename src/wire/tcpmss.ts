// The TCPMSS target's rewrite, byte-exact: tcpmss_mangle_packet() and tcpmss_tg4/tg6 in
// net/netfilter/xt_TCPMSS.c. Computing the MSS (--clamp-mss-to-pmtu) is the caller's job.
//
// Kernel quirk kept on purpose: an existing MSS option is updated with
// inet_proto_csum_replace2(htons(old), htons(new)) whatever its alignment, so an MSS value at an
// odd offset in the header leaves a wrong TCP checksum (seen on Linux 6.18:
// test/fixtures/wire/kernel-replies.txt, dnat-tcpmss-unaligned).

import { get8, get16, put8, put16 } from './bytes.js';
import { csumReplace2, csumReplace4, inetProtoCsumReplace2 } from './checksum.js';
import { IPPROTO_TCP } from './ipv4.js';
import { Ipv6ExtWalk, walkIpv6Extensions } from './ipv6.js';
import { TCPOLEN_MSS, TCPOPT_MSS, TcpView } from './tcp.js';

export type TcpmssResult =
  /** Packet unchanged, or changed in place. */
  | { readonly action: 'accept'; readonly bytes: Uint8Array; readonly changed: boolean }
  /** The kernel drops it (malformed TCP header). */
  | { readonly action: 'drop'; readonly reason: string };

const walk = new Ipv6ExtWalk();
const tcp = new TcpView(new Uint8Array(0));

/**
 * Applies TCPMSS with `newMss` to the IP packet starting at ipOff of `bytes` (IP datagram ends at
 * its total length). When an option is added the result is a new, 4 bytes longer array.
 */
export function tcpmssMangle(
  bytes: Uint8Array,
  ipOff: number,
  family: 'ipv4' | 'ipv6',
  newMss: number,
): TcpmssResult {
  let tcpOff: number;
  let ipEnd: number;
  if (family === 'ipv4') {
    // A non-first fragment carries no TCP header: accepted untouched.
    if ((get16(bytes, ipOff + 6) & 0x1fff) !== 0) return { action: 'accept', bytes, changed: false };
    tcpOff = ipOff + (get8(bytes, ipOff) & 0x0f) * 4;
    ipEnd = ipOff + get16(bytes, ipOff + 2);
  } else {
    ipEnd = ipOff + 40 + get16(bytes, ipOff + 4);
    walkIpv6Extensions(bytes, ipOff, ipEnd, walk);
    if (walk.error !== null || walk.upperProtocol !== IPPROTO_TCP)
      return { action: 'drop', reason: 'no tcp header after ipv6 extension headers' };
    if (walk.fragmentOffset !== 0) return { action: 'accept', bytes, changed: false };
    tcpOff = walk.upperOffset;
  }
  const len = ipEnd - tcpOff;
  if (len < 20) return { action: 'drop', reason: 'tcp header truncated' };
  tcp.reset(bytes, tcpOff, ipEnd);
  const hl = tcp.headerLength;
  if (len < hl || hl < 20) return { action: 'drop', reason: 'bad tcp data offset' };

  const o = tcp.mssOptionOffset();
  if (o >= 0) {
    const oldMss = get16(bytes, o + 2);
    // Never raise an MSS, even with --set-mss.
    if (oldMss <= newMss) return { action: 'accept', bytes, changed: false };
    put16(bytes, o + 2, newMss);
    tcp.checksum = inetProtoCsumReplace2(tcp.checksum, oldMss, newMss);
    return { action: 'accept', bytes, changed: true };
  }
  // With payload the option cannot be inserted; nor past the largest data offset.
  if (len > hl || hl >= 60) return { action: 'accept', bytes, changed: false };

  const out = new Uint8Array(bytes.length + TCPOLEN_MSS);
  out.set(bytes.subarray(0, ipEnd), 0);
  out.set(bytes.subarray(ipEnd), ipEnd + TCPOLEN_MSS);
  // RFC 1122 / RFC 2460 default MSS: the option added is never above 536 (IPv4) / 1220 (IPv6).
  const mss = Math.min(newMss, family === 'ipv4' ? 536 : 1220);
  const optOff = tcpOff + 20;
  out.copyWithin(optOff + TCPOLEN_MSS, optOff, ipEnd);
  tcp.reset(out, tcpOff, ipEnd + TCPOLEN_MSS);
  let c = tcp.checksum;
  // The pseudo-header length grows by 4...
  c = inetProtoCsumReplace2(c, len, len + TCPOLEN_MSS);
  put8(out, optOff, TCPOPT_MSS);
  put8(out, optOff + 1, TCPOLEN_MSS);
  put16(out, optOff + 2, mss);
  // ...the option word appears...
  c = csumReplace4(c, 0, ((TCPOPT_MSS << 24) | (TCPOLEN_MSS << 16) | mss) >>> 0);
  // ...and the data-offset word changes.
  const oldWord = get16(out, tcpOff + 12);
  put8(out, tcpOff + 12, get8(out, tcpOff + 12) + 0x10);
  c = inetProtoCsumReplace2(c, oldWord, get16(out, tcpOff + 12));
  tcp.checksum = c;
  if (family === 'ipv4') {
    const oldTot = get16(out, ipOff + 2);
    put16(out, ipOff + 10, csumReplace2(get16(out, ipOff + 10), oldTot, oldTot + TCPOLEN_MSS));
    put16(out, ipOff + 2, oldTot + TCPOLEN_MSS);
  } else {
    put16(out, ipOff + 4, get16(out, ipOff + 4) + TCPOLEN_MSS);
  }
  return { action: 'accept', bytes: out, changed: true };
}
