// Builders of the IPv4 packets the generator sends, into a caller's buffer (no allocation per
// packet): TCP and UDP segments with zero-filled payloads, ICMP echo and errors. Checksums are
// right unless the caller breaks them on purpose.

import { put16 } from '../wire/bytes.js';
import { ipv4PseudoSum, segmentChecksum, udpWireChecksum } from '../wire/checksum.js';
import { writeIcmpHeader } from '../wire/icmp.js';
import { IP_DF, writeIpv4Header } from '../wire/ipv4.js';
import { writeTcpHeader } from '../wire/tcp.js';
import { writeUdpHeader } from '../wire/udp.js';

export interface IpEnds {
  readonly src: number;
  readonly dst: number;
  readonly id: number;
  readonly ttl: number;
}

/** MSS 1460: what a SYN on Ethernet carries. */
const MSS_OPTION = [2, 4, 0x05, 0xb4];

/** Writes IP + TCP at `off`; returns the datagram's length. */
export function writeTcpPacket(
  buf: Uint8Array,
  off: number,
  ip: IpEnds,
  tcp: { sport: number; dport: number; seq: number; ack: number; flags: number; payload: number },
): number {
  const syn = (tcp.flags & 0x02) !== 0;
  const l4 = off + 20;
  const hl = writeTcpHeader(buf, l4, {
    srcPort: tcp.sport,
    dstPort: tcp.dport,
    seq: tcp.seq >>> 0,
    ack: tcp.ack >>> 0,
    flags: tcp.flags,
    window: 64240,
    ...(syn ? { options: MSS_OPTION } : {}),
  });
  const end = l4 + hl + tcp.payload;
  buf.fill(0, l4 + hl, end);
  writeIpv4Header(buf, off, {
    totalLength: end - off,
    id: ip.id,
    fragField: IP_DF,
    ttl: ip.ttl,
    protocol: 6,
    src: ip.src,
    dst: ip.dst,
  });
  put16(buf, l4 + 16, segmentChecksum(buf, l4, end, 16, ipv4PseudoSum(ip.src, ip.dst, 6, end - l4)));
  return end - off;
}

export function writeUdpPacket(
  buf: Uint8Array,
  off: number,
  ip: IpEnds,
  udp: { sport: number; dport: number; payload: number },
): number {
  const l4 = off + 20;
  const end = l4 + 8 + udp.payload;
  writeUdpHeader(buf, l4, udp.sport, udp.dport, end - l4);
  buf.fill(0, l4 + 8, end);
  writeIpv4Header(buf, off, {
    totalLength: end - off,
    id: ip.id,
    ttl: ip.ttl,
    protocol: 17,
    src: ip.src,
    dst: ip.dst,
  });
  const sum = segmentChecksum(buf, l4, end, 6, ipv4PseudoSum(ip.src, ip.dst, 17, end - l4));
  put16(buf, l4 + 6, udpWireChecksum(sum));
  return end - off;
}

/** Echo request (type 8) or reply (type 0). */
export function writeIcmpEcho(
  buf: Uint8Array,
  off: number,
  ip: IpEnds,
  echo: { type: number; id: number; seq: number; payload: number },
): number {
  const l4 = off + 20;
  const end = l4 + 8 + echo.payload;
  buf.fill(0, l4 + 8, end);
  writeIcmpHeader(buf, l4, echo.type, 0, ((echo.id << 16) | echo.seq) >>> 0, end);
  writeIpv4Header(buf, off, {
    totalLength: end - off,
    id: ip.id,
    ttl: ip.ttl,
    protocol: 1,
    src: ip.src,
    dst: ip.dst,
  });
  return end - off;
}

/** An ICMP error quoting `quote` (the offending datagram's header and first 8 bytes). */
export function writeIcmpError(
  buf: Uint8Array,
  off: number,
  ip: IpEnds,
  error: { type: number; code: number; quote: Uint8Array },
): number {
  const l4 = off + 20;
  buf.set(error.quote, l4 + 8);
  const end = l4 + 8 + error.quote.length;
  writeIcmpHeader(buf, l4, error.type, error.code, 0, end);
  writeIpv4Header(buf, off, {
    totalLength: end - off,
    id: ip.id,
    ttl: ip.ttl,
    protocol: 1,
    src: ip.src,
    dst: ip.dst,
  });
  return end - off;
}
