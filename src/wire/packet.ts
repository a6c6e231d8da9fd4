// Whole-packet decoding into a plain representation (what the engine matches on and what
// explanations print), and the one-line summary of it. Decoding never throws: a corrupt or
// truncated packet gives { error, layer }.

import { formatIpv4, formatIpv6 } from '../ir/address.js';
import { get16 } from './bytes.js';
import { ETH_P_8021AD, ETH_P_8021Q, ETH_P_IP, ETH_P_IPV6, EthernetView } from './ethernet.js';
import { IcmpView, isIcmpError, isIcmpQuery } from './icmp.js';
import { Icmpv6View } from './icmpv6.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, Ipv4View } from './ipv4.js';
import { Ipv6ExtWalk, Ipv6View, walkIpv6Extensions } from './ipv6.js';
import { SllView } from './sll.js';
import { formatTcpFlags, TcpView } from './tcp.js';
import { UdpView } from './udp.js';

export type LinkType = 'ethernet' | 'raw-ipv4' | 'raw-ipv6' | 'linux-sll';
export type DecodeLayer = 'link' | 'ipv4' | 'ipv6' | 'tcp' | 'udp' | 'icmp' | 'icmpv6';

export interface DecodeError {
  readonly error: string;
  readonly layer: DecodeLayer;
}

export interface FragmentInfo {
  /** Offset of this fragment's data in the datagram, in bytes. */
  readonly offset: number;
  readonly more: boolean;
  readonly id: number;
}

/** The IP and transport fields of a packet (also of the datagram an ICMP error quotes). */
export interface DecodedL3 {
  readonly family: 'ipv4' | 'ipv6';
  readonly l3Offset: number;
  /** Address words as src/ir/address.ts (1 for IPv4, 4 for IPv6). */
  readonly src: readonly number[];
  readonly dst: readonly number[];
  /** Upper-layer protocol (after IPv6 extension headers). */
  readonly protocol: number;
  /** IPv4 TOS / IPv6 traffic class. */
  readonly tos: number;
  /** TTL / hop limit. */
  readonly ttl: number;
  /** IP datagram length (tot_len; 40 + payload length for IPv6). */
  readonly ipLength: number;
  /** Bytes from l3Offset to the upper-layer header. */
  readonly ipHeaderLength: number;
  /** IPv4 header checksum right (null for IPv6, which has none). */
  readonly ipChecksumValid: boolean | null;
  readonly fragment: FragmentInfo | null;
  /** Upper-layer header offset; -1 for a non-first fragment or one quoted too short to hold it. */
  readonly l4Offset: number;
  readonly srcPort: number | null;
  readonly dstPort: number | null;
  readonly tcpFlags: number | null;
  readonly tcpSeq: number | null;
  readonly tcpAck: number | null;
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
  /** Echo identifier / sequence (queries only). */
  readonly icmpId: number | null;
  readonly icmpSeq: number | null;
  /** Transport payload length (after the TCP/UDP/ICMP header); 0 when unknown. */
  readonly payloadLength: number;
}

export interface DecodedPacket extends DecodedL3 {
  readonly link: LinkType;
  /** Total bytes. */
  readonly length: number;
  /** The payload's ethertype (after VLAN tags) for ethernet and linux-sll. */
  readonly etherType: number | null;
  readonly vlanIds: readonly number[];
  readonly ethernet: { readonly srcOffset: number; readonly dstOffset: number } | null;
  /** The datagram an ICMP/ICMPv6 error quotes, when decodable. */
  readonly inner: DecodedL3 | null;
}

export function isDecodeError(p: DecodedPacket | DecodeError): p is DecodeError {
  return 'error' in p;
}

const eth = new EthernetView(new Uint8Array(0));
const walk = new Ipv6ExtWalk();

/** Decodes a captured packet. */
export function decodePacket(bytes: Uint8Array, linkType: LinkType): DecodedPacket | DecodeError {
  let l3 = 0;
  let etherType: number | null = null;
  const vlanIds: number[] = [];
  let ethernet: DecodedPacket['ethernet'] = null;
  if (linkType === 'ethernet') {
    eth.reset(bytes, 0, bytes.length);
    const bad = eth.check();
    if (bad) return { error: bad, layer: 'link' };
    for (let i = 0; i < eth.vlanCount; i++) vlanIds.push(eth.vlanId(i));
    etherType = eth.etherType;
    l3 = eth.payloadOffset;
    ethernet = { dstOffset: 0, srcOffset: 6 };
  } else if (linkType === 'linux-sll') {
    const sll = new SllView(bytes, 0, bytes.length);
    const bad = sll.check();
    if (bad) return { error: bad, layer: 'link' };
    etherType = sll.protocol;
    l3 = sll.payloadOffset;
    // The cooked header keeps VLAN tags in the payload when the kernel did not strip them.
    while ((etherType === ETH_P_8021Q || etherType === ETH_P_8021AD) && vlanIds.length < 2) {
      if (bytes.length - l3 < 4) return { error: 'VLAN tag truncated', layer: 'link' };
      vlanIds.push(get16(bytes, l3) & 0xfff);
      etherType = get16(bytes, l3 + 2);
      l3 += 4;
    }
  } else if (linkType !== 'raw-ipv4' && linkType !== 'raw-ipv6') {
    return { error: `unknown link type ${String(linkType)}`, layer: 'link' };
  }
  let family: 'ipv4' | 'ipv6';
  if (linkType === 'raw-ipv4' || etherType === ETH_P_IP) family = 'ipv4';
  else if (linkType === 'raw-ipv6' || etherType === ETH_P_IPV6) family = 'ipv6';
  else
    return {
      error: `ethertype 0x${(etherType ?? 0).toString(16).padStart(4, '0')} is not IP`,
      layer: 'link',
    };

  const d = decodeL3(bytes, l3, bytes.length, family, false);
  if ('error' in d) return d;
  let inner: DecodedL3 | null = null;
  if (d.icmpType !== null && d.l4Offset >= 0) {
    const isErr = family === 'ipv4' ? isIcmpError(d.icmpType) : d.icmpType < 128;
    const innerOff = d.l4Offset + 8;
    const end = d.l3Offset + d.ipLength;
    if (isErr && end > innerOff) {
      const r = decodeL3(bytes, innerOff, end, family, true);
      inner = 'error' in r ? null : r;
    }
  }
  return { ...d, link: linkType, length: bytes.length, etherType, vlanIds, ethernet, inner };
}

/**
 * The IP datagram at `off` (bytes up to `end`). `quoted`: inside an ICMP error, where the datagram
 * is cut short (tot_len may exceed what is there) and 8 transport bytes suffice for the ports.
 */
function decodeL3(
  bytes: Uint8Array,
  off: number,
  end: number,
  family: 'ipv4' | 'ipv6',
  quoted: boolean,
): DecodedL3 | DecodeError {
  let src: number[];
  let dst: number[];
  let protocol: number;
  let tos: number;
  let ttl: number;
  let ipLength: number;
  let l4: number;
  let fragment: FragmentInfo | null = null;
  let ipChecksumValid: boolean | null = null;
  let dataEnd: number;
  if (family === 'ipv4') {
    const v = new Ipv4View(bytes, off, end);
    let bad = v.check();
    if (bad && quoted && bad.startsWith('ipv4 datagram truncated')) bad = null;
    if (bad) return { error: bad, layer: 'ipv4' };
    src = [v.src];
    dst = [v.dst];
    protocol = v.protocol;
    tos = v.tos;
    ttl = v.ttl;
    ipLength = v.totalLength;
    l4 = v.payloadOffset;
    ipChecksumValid = v.checksumValid();
    if (v.isFragment) fragment = { offset: v.fragmentOffset * 8, more: v.moreFragments, id: v.id };
    dataEnd = Math.min(end, off + ipLength);
  } else {
    const v = new Ipv6View(bytes, off, end);
    let bad = v.check();
    if (bad && quoted && bad.startsWith('ipv6 payload truncated')) bad = null;
    if (bad) return { error: bad, layer: 'ipv6' };
    src = [v.srcWord(0), v.srcWord(1), v.srcWord(2), v.srcWord(3)];
    dst = [v.dstWord(0), v.dstWord(1), v.dstWord(2), v.dstWord(3)];
    tos = v.trafficClass;
    ttl = v.hopLimit;
    ipLength = 40 + v.payloadLength;
    dataEnd = Math.min(end, off + ipLength);
    walkIpv6Extensions(bytes, off, dataEnd, walk);
    if (walk.error) return { error: walk.error, layer: 'ipv6' };
    protocol = walk.upperProtocol;
    l4 = walk.upperOffset;
    if (walk.fragment)
      fragment = { offset: walk.fragmentOffset * 8, more: walk.moreFragments, id: walk.fragmentId };
  }
  const base = {
    family,
    l3Offset: off,
    src,
    dst,
    protocol,
    tos,
    ttl,
    ipLength,
    ipHeaderLength: l4 - off,
    ipChecksumValid,
    fragment,
  };
  const none = {
    srcPort: null,
    dstPort: null,
    tcpFlags: null,
    tcpSeq: null,
    tcpAck: null,
    icmpType: null,
    icmpCode: null,
    icmpId: null,
    icmpSeq: null,
  };
  if (fragment !== null && fragment.offset !== 0)
    return { ...base, ...none, l4Offset: -1, payloadLength: dataEnd - l4 };
  const avail = dataEnd - l4;
  // A quoted datagram or a first fragment holds the transport header but not all it describes.
  const partial = quoted || fragment !== null;
  if (quoted && avail < 8) return { ...base, ...none, l4Offset: -1, payloadLength: 0 };
  switch (protocol) {
    case IPPROTO_TCP: {
      const t = new TcpView(bytes, l4, dataEnd);
      const bad = t.check();
      if (bad && !(partial && avail >= 8)) return { error: bad, layer: 'tcp' };
      const full = bad === null;
      return {
        ...base,
        ...none,
        l4Offset: l4,
        srcPort: t.srcPort,
        dstPort: t.dstPort,
        tcpSeq: t.seq,
        tcpAck: avail >= 12 ? t.ack : null,
        tcpFlags: avail >= 14 ? t.flags : null,
        payloadLength: full ? dataEnd - t.payloadOffset : 0,
      };
    }
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE: {
      const u = new UdpView(bytes, l4, dataEnd);
      const bad = u.check();
      if (bad && !(partial && avail >= 8) && protocol === IPPROTO_UDP) return { error: bad, layer: 'udp' };
      return {
        ...base,
        ...none,
        l4Offset: l4,
        srcPort: u.srcPort,
        dstPort: u.dstPort,
        payloadLength: partial ? Math.max(0, u.length - 8) : dataEnd - u.payloadOffset,
      };
    }
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: {
      const v6 = protocol === IPPROTO_ICMPV6;
      const c = v6 ? new Icmpv6View(bytes, l4, dataEnd) : new IcmpView(bytes, l4, dataEnd);
      const bad = c.check();
      if (bad) return { error: bad, layer: v6 ? 'icmpv6' : 'icmp' };
      const query = v6 ? c.type === 128 || c.type === 129 : isIcmpQuery(c.type);
      return {
        ...base,
        ...none,
        l4Offset: l4,
        icmpType: c.type,
        icmpCode: c.code,
        icmpId: query ? c.id : null,
        icmpSeq: query ? c.sequence : null,
        payloadLength: dataEnd - l4 - 8,
      };
    }
    default:
      return { ...base, ...none, l4Offset: l4, payloadLength: dataEnd - l4 };
  }
}

const ICMP_NAMES: Record<number, string> = {
  0: 'echo-reply',
  3: 'unreachable',
  4: 'source-quench',
  5: 'redirect',
  8: 'echo-request',
  11: 'time-exceeded',
  12: 'parameter-problem',
  13: 'timestamp-request',
  14: 'timestamp-reply',
};
const ICMPV6_NAMES: Record<number, string> = {
  1: 'unreachable',
  2: 'packet-too-big',
  3: 'time-exceeded',
  4: 'parameter-problem',
  128: 'echo-request',
  129: 'echo-reply',
  133: 'router-solicitation',
  134: 'router-advertisement',
  135: 'neighbour-solicitation',
  136: 'neighbour-advertisement',
};
const PROTO_NAMES: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6', 136: 'udplite' };

export function formatAddress(family: 'ipv4' | 'ipv6', words: readonly number[]): string {
  return family === 'ipv4' ? formatIpv4(words[0] ?? 0) : formatIpv6(words);
}

function endpoint(family: 'ipv4' | 'ipv6', words: readonly number[], port: number | null): string {
  const a = formatAddress(family, words);
  if (port === null) return a;
  return family === 'ipv4' ? `${a}:${port}` : `[${a}]:${port}`;
}

/**
 * One line for explanations, e.g. `tcp 198.51.100.7:40000 > 203.0.113.1:80 flags S len 0` or
 * `icmp 198.51.100.7 > 203.0.113.1 echo-request id 1 seq 1`. packet-text.ts reads this form back.
 */
export function formatPacketSummary(p: DecodedL3): string {
  const name = PROTO_NAMES[p.protocol] ?? `proto ${p.protocol}`;
  const parts: string[] = [];
  if (p.icmpType !== null) {
    parts.push(name, endpoint(p.family, p.src, null), '>', endpoint(p.family, p.dst, null));
    const known = (p.protocol === IPPROTO_ICMP ? ICMP_NAMES : ICMPV6_NAMES)[p.icmpType];
    if (known) parts.push(known);
    else parts.push('type', String(p.icmpType));
    if (p.icmpCode !== 0 || !known) parts.push('code', String(p.icmpCode));
    if (p.icmpId !== null) parts.push('id', String(p.icmpId), 'seq', String(p.icmpSeq));
  } else {
    const ports = p.srcPort !== null && p.l4Offset >= 0;
    parts.push(
      name,
      endpoint(p.family, p.src, ports ? p.srcPort : null),
      '>',
      endpoint(p.family, p.dst, ports ? p.dstPort : null),
    );
    if (p.tcpFlags !== null) parts.push('flags', formatTcpFlags(p.tcpFlags));
  }
  if (p.fragment)
    parts.push('frag', `${p.fragment.offset}${p.fragment.more ? '+' : ''}`, 'fragid', String(p.fragment.id));
  parts.push('len', String(p.payloadLength));
  return parts.join(' ');
}
