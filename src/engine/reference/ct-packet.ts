// The packet as connection tracking reads it (src/engine/conntrack CtPacket), taken from the
// decoded headers and, for TCP, the options and checksum conntrack looks at.

import type { Hook } from '../../ir/ruleset.js';
import { get8, get16 } from '../../wire/bytes.js';
import { fold, ipv4PseudoSum, ipv6PseudoSum, sumBytes } from '../../wire/checksum.js';
import type { DecodedL3, DecodedPacket } from '../../wire/packet.js';
import type { CtPacket, QuotedPacket, TcpOptions } from '../conntrack/index.js';

const TCP = 6;
const UDP = 17;
const UDPLITE = 136;
const ICMP = 1;
const ICMPV6 = 58;

/** TCP options conntrack's window tracking reads (tcp_options / tcp_sack). */
function tcpOptions(bytes: Uint8Array, l4: number, headerLength: number): TcpOptions {
  let wscale: number | undefined;
  let sackPerm = false;
  let sackRightEdges: number[] | undefined;
  for (let i = l4 + 20; i < l4 + headerLength; ) {
    const kind = get8(bytes, i);
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    const len = get8(bytes, i + 1);
    if (len < 2 || i + len > l4 + headerLength) break;
    if (kind === 3 && len === 3) wscale = get8(bytes, i + 2);
    else if (kind === 4 && len === 2) sackPerm = true;
    else if (kind === 5 && len >= 10 && !sackRightEdges) {
      sackRightEdges = [];
      for (let j = i + 2; j + 8 <= i + len; j += 8) {
        sackRightEdges.push(((get16(bytes, j + 4) << 16) | get16(bytes, j + 6)) >>> 0);
      }
    }
    i += len;
  }
  return {
    ...(wscale !== undefined ? { wscale } : {}),
    ...(sackPerm ? { sackPerm } : {}),
    ...(sackRightEdges ? { sackRightEdges } : {}),
  };
}

/** Whether the transport checksum of the packet is right (nf_ip_checksum / nf_ip6_checksum). */
export function transportChecksumValid(bytes: Uint8Array, d: DecodedL3): boolean {
  if (d.l4Offset < 0) return true;
  const end = d.l3Offset + d.ipLength;
  if (d.protocol === UDP && get16(bytes, d.l4Offset + 6) === 0 && d.family === 'ipv4') return true;
  const length = end - d.l4Offset;
  let pseudo = 0;
  if (d.protocol !== ICMP) {
    pseudo =
      d.family === 'ipv4'
        ? ipv4PseudoSum(d.src[0]!, d.dst[0]!, d.protocol, length)
        : ipv6PseudoSum(bytes, d.l3Offset + 8, d.l3Offset + 24, d.protocol, length);
  }
  return fold(sumBytes(bytes, d.l4Offset, end, pseudo)) === 0xffff;
}

function quoted(inner: DecodedL3 | null): QuotedPacket | undefined {
  if (!inner) return undefined;
  const base = { protocol: inner.protocol, src: inner.src, dst: inner.dst };
  if (inner.l4Offset < 0 && (inner.fragment?.offset ?? 0) !== 0) return { ...base, unparsable: true };
  if (inner.srcPort !== null && inner.dstPort !== null)
    return { ...base, sport: inner.srcPort, dport: inner.dstPort };
  if (inner.icmpType !== null) {
    return { ...base, icmp: { type: inner.icmpType, code: inner.icmpCode ?? 0, id: inner.icmpId ?? 0 } };
  }
  return base;
}

/**
 * The CtPacket for a packet at `hook`. nf_conntrack_checksum (on by default) makes conntrack
 * verify layer-4 checksums in PREROUTING only; locally generated packets are trusted.
 */
export function ctPacketOf(
  bytes: Uint8Array,
  d: DecodedPacket,
  hook: Hook,
  checksumCheck: boolean,
): CtPacket {
  const base = {
    family: d.family,
    protocol: d.protocol,
    src: d.src,
    dst: d.dst,
    length: d.ipLength,
  } as const;
  const nonFirstFragment = (d.fragment?.offset ?? 0) !== 0;
  if (nonFirstFragment || d.l4Offset < 0) return { ...base, unparsable: true };
  const badChecksum = checksumCheck && hook === 'prerouting' && !transportChecksumValid(bytes, d);
  if (d.protocol === TCP) {
    const l4 = d.l4Offset;
    const headerLength = (get8(bytes, l4 + 12) >>> 4) * 4;
    return {
      ...base,
      sport: d.srcPort ?? 0,
      dport: d.dstPort ?? 0,
      badChecksum,
      tcp: {
        flags: d.tcpFlags ?? 0,
        seq: d.tcpSeq ?? 0,
        ack: d.tcpAck ?? 0,
        window: get16(bytes, l4 + 14),
        payloadLength: d.payloadLength,
        headerLength,
        options: tcpOptions(bytes, l4, headerLength),
      },
    };
  }
  if (d.protocol === UDP || d.protocol === UDPLITE) {
    const udpLen = get16(bytes, d.l4Offset + 4);
    const badUdpLength = d.protocol === UDP && (udpLen > d.ipLength - d.ipHeaderLength || udpLen < 8);
    return { ...base, sport: d.srcPort ?? 0, dport: d.dstPort ?? 0, badChecksum, badUdpLength };
  }
  if (d.protocol === ICMP || d.protocol === ICMPV6) {
    const q = quoted(d.inner);
    return {
      ...base,
      badChecksum,
      icmp: { type: d.icmpType ?? 0, code: d.icmpCode ?? 0, id: d.icmpId ?? 0 },
      ...(q ? { quoted: q } : {}),
    };
  }
  if (d.srcPort !== null && d.dstPort !== null) return { ...base, sport: d.srcPort, dport: d.dstPort };
  return base;
}
