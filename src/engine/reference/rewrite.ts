// Applying NAT's decisions to packet bytes: the connection's rewrite (nf_nat_manip_pkt) and, for
// ICMP errors about a NATed connection, the quoted header's and the outer header's rewrites
// (nf_nat_icmp_reply_translation). Checksums change incrementally, as the kernel's do.

import { get16, put16 } from '../../wire/bytes.js';
import { internetChecksum } from '../../wire/checksum.js';
import { natManipIpv4, natManipIpv6 } from '../../wire/manip.js';
import type { DecodedL3 } from '../../wire/packet.js';
import type { IcmpErrorRewrite, Rewrite } from '../conntrack/index.js';

/** The current port (or ICMP id) on the side `manip` changes, to keep it when the rewrite has none. */
function currentPort(d: DecodedL3, manip: 'src' | 'dst'): number {
  if (d.icmpId !== null) return d.icmpId;
  const p = manip === 'src' ? d.srcPort : d.dstPort;
  return p ?? 0;
}

/** Rewrites the datagram whose header starts at `off`; false when the kernel would drop it. */
export function applyRewrite(bytes: Uint8Array, off: number, end: number, d: DecodedL3, r: Rewrite): boolean {
  const port = r.port ?? r.icmpId ?? currentPort(d, r.manip);
  return d.family === 'ipv4'
    ? natManipIpv4(bytes, off, end, r.manip, r.address[0]!, port)
    : natManipIpv6(bytes, off, end, r.manip, r.address, port);
}

/** The quoted header, then the ICMP checksum over the whole message, then the outer header. */
export function applyIcmpErrorRewrite(
  bytes: Uint8Array,
  d: DecodedL3 & { inner: DecodedL3 | null },
  r: IcmpErrorRewrite,
): boolean {
  const end = d.l3Offset + d.ipLength;
  if (!d.inner) return false;
  if (!applyRewrite(bytes, d.inner.l3Offset, end, d.inner, r.inner)) return false;
  if (d.family === 'ipv4') {
    put16(bytes, d.l4Offset + 2, 0);
    put16(bytes, d.l4Offset + 2, internetChecksum(bytes, d.l4Offset, end));
  }
  // ICMPv6's checksum covers the pseudo-header: natManipIpv6 below adjusts it for the outer
  // address change; the inner change is folded in by recomputing first.
  else recomputeIcmpv6(bytes, d, end);
  return applyRewrite(bytes, d.l3Offset, end, d, r.outer);
}

function recomputeIcmpv6(bytes: Uint8Array, d: DecodedL3, end: number): void {
  // Sum of the pseudo-header (addresses as they stand before the outer rewrite) and the message.
  let sum = 0;
  for (let i = 8; i < 40; i += 2) sum += get16(bytes, d.l3Offset + i);
  const len = end - d.l4Offset;
  sum += (len >>> 16) + (len & 0xffff) + 58;
  put16(bytes, d.l4Offset + 2, 0);
  put16(bytes, d.l4Offset + 2, internetChecksum(bytes, d.l4Offset, end, sum));
}
