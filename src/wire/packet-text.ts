// The one-line packet form of formatPacketSummary, read back into real packet bytes, for
// `nfwasm explain` command lines:
//   tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 flags S
//   udp 198.51.100.7:5353 > 203.0.113.1:53 len 12
//   icmp 198.51.100.7 > 203.0.113.1 echo-request id 1 seq 1
//   tcp [2001:db8::7]:40000 > [2001:db8::1]:443 flags SA seq 5 ack 9
// Keywords after the addresses: iif/oif NAME, flags LETTERS, seq/ack/win/ttl/tos/id/len N,
// mss N (TCP option), type/code N (ICMP), df. Checksums are always correct.

import { inetPton } from '../frontend/iptables/addresses.js';
import type { Family } from '../ir/address.js';
import { put16 } from './bytes.js';
import { internetChecksum, ipv4PseudoSum, ipv6PseudoSum, udpWireChecksum } from './checksum.js';
import { writeIcmpHeader } from './icmp.js';
import { writeIcmpv6Header } from './icmpv6.js';
import { IP_DF, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, writeIpv4Header } from './ipv4.js';
import { writeIpv6Header } from './ipv6.js';
import { type DecodedPacket, decodePacket, isDecodeError } from './packet.js';
import { parseTcpFlags, TCP_SYN, writeTcpHeader } from './tcp.js';
import { writeUdpHeader } from './udp.js';

export interface PacketSpec {
  /** The IP packet (no link header): link type raw-ipv4 or raw-ipv6. */
  readonly bytes: Uint8Array;
  readonly linkType: 'raw-ipv4' | 'raw-ipv6';
  readonly packet: DecodedPacket;
  readonly iif: string | null;
  readonly oif: string | null;
}

export type PacketSpecResult = PacketSpec | { readonly error: string };

const ICMP_TYPES: Record<string, [number, number]> = {
  'echo-request': [8, 128],
  'echo-reply': [0, 129],
  unreachable: [3, 1],
  'time-exceeded': [11, 3],
};

function endpoint(
  text: string,
  withPort: boolean,
): { family: Family; addr: number[]; port: number } | string {
  let host = text;
  let port = 0;
  if (withPort) {
    const m = /^\[(.+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
    if (!m) return `expected ADDRESS:PORT (IPv6 as [ADDRESS]:PORT), got '${text}'`;
    host = m[1]!;
    port = Number(m[2]);
    if (port > 65535) return `port ${port} out of range`;
  } else if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
  }
  const family: Family = host.includes(':') ? 'ipv6' : 'ipv4';
  const addr = inetPton(family, host);
  if (!addr) return `bad ${family} address '${host}'`;
  return { family, addr, port };
}

/** Parses the one-line form into packet bytes; an error names what was wrong. */
export function parsePacketSpec(text: string): PacketSpecResult {
  const w = text.trim().split(/\s+/);
  const proto = w[0]?.toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'icmp' && proto !== 'icmpv6')
    return { error: `expected tcp, udp, icmp or icmpv6, got '${w[0] ?? ''}'` };
  const ported = proto === 'tcp' || proto === 'udp';
  if (w[2] !== '>') return { error: "expected 'SRC > DST'" };
  const s = endpoint(w[1] ?? '', ported);
  if (typeof s === 'string') return { error: s };
  const d = endpoint(w[3] ?? '', ported);
  if (typeof d === 'string') return { error: d };
  if (s.family !== d.family) return { error: 'source and destination families differ' };
  const family = s.family;
  if (proto === 'icmpv6' && family !== 'ipv6') return { error: 'icmpv6 needs IPv6 addresses' };
  if (proto === 'icmp' && family !== 'ipv4') return { error: 'icmp needs IPv4 addresses (use icmpv6)' };

  const o = { iif: null as string | null, oif: null as string | null, flags: -1, seq: 0, ack: 0, win: 64240 };
  const n = { ttl: 64, tos: 0, id: 0, len: 0, mss: -1, type: -1, code: 0, icmpId: 0, icmpSeq: 0, df: false };
  for (let i = 4; i < w.length; i++) {
    const k = w[i]!.toLowerCase();
    if (k === 'df') {
      n.df = true;
      continue;
    }
    if (!ported && ICMP_TYPES[k]) {
      n.type = ICMP_TYPES[k]![family === 'ipv4' ? 0 : 1];
      continue;
    }
    const v = w[++i];
    if (v === undefined) return { error: `'${k}' needs a value` };
    if (k === 'iif' || k === 'oif') {
      o[k] = v;
      continue;
    }
    if (k === 'flags') {
      if (proto !== 'tcp') return { error: 'flags is for tcp' };
      const f = parseTcpFlags(v);
      if (f === null) return { error: `bad tcp flags '${v}' (letters FSRPAUEC)` };
      o.flags = f;
      continue;
    }
    if (!/^\d+$/.test(v)) return { error: `'${k}' needs a number, got '${v}'` };
    const num = Number(v);
    const limits: Record<string, number> = {
      seq: 0xffffffff,
      ack: 0xffffffff,
      win: 0xffff,
      ttl: 255,
      tos: 255,
      id: 0xffff,
      len: 1400,
      mss: 0xffff,
      type: 255,
      code: 255,
      seq16: 0xffff,
    };
    const key = k === 'seq' && !ported ? 'seq16' : k;
    const lim = limits[key];
    if (lim === undefined) return { error: `unknown keyword '${k}'` };
    if (num > lim) return { error: `${k} ${num} out of range (max ${lim})` };
    if (k === 'seq' || k === 'ack' || k === 'win') {
      if (ported && proto !== 'tcp') return { error: `${k} is for tcp` };
      if (k === 'seq' && !ported) n.icmpSeq = num;
      else if (k === 'win') o.win = num;
      else o[k] = num;
    } else if (k === 'id' && !ported) n.icmpId = num;
    else (n as Record<string, number | boolean>)[k] = num;
  }
  if (!ported && n.type < 0) return { error: 'icmp needs a type: echo-request, echo-reply or type N' };

  const optLen = proto === 'tcp' && n.mss >= 0 ? 4 : 0;
  const l4Len = (proto === 'tcp' ? 20 + optLen : 8) + n.len;
  const ipHl = family === 'ipv4' ? 20 : 40;
  const bytes = new Uint8Array(ipHl + l4Len);
  const l4Proto =
    proto === 'tcp'
      ? IPPROTO_TCP
      : proto === 'udp'
        ? IPPROTO_UDP
        : family === 'ipv4'
          ? IPPROTO_ICMP
          : IPPROTO_ICMPV6;
  if (family === 'ipv4') {
    writeIpv4Header(bytes, 0, {
      tos: n.tos,
      totalLength: bytes.length,
      id: n.id,
      fragField: n.df ? IP_DF : 0,
      ttl: n.ttl,
      protocol: l4Proto,
      src: s.addr[0]!,
      dst: d.addr[0]!,
    });
  } else {
    writeIpv6Header(bytes, 0, {
      trafficClass: n.tos,
      payloadLength: l4Len,
      nextHeader: l4Proto,
      hopLimit: n.ttl,
      src: s.addr,
      dst: d.addr,
    });
  }
  const pseudo =
    family === 'ipv4'
      ? ipv4PseudoSum(s.addr[0]!, d.addr[0]!, l4Proto, l4Len)
      : ipv6PseudoSum(bytes, 8, 24, l4Proto, l4Len);
  if (proto === 'tcp') {
    const flags = o.flags < 0 ? TCP_SYN : o.flags;
    writeTcpHeader(bytes, ipHl, {
      srcPort: s.port,
      dstPort: d.port,
      seq: o.seq,
      ack: o.ack,
      flags,
      window: o.win,
      options: optLen ? [2, 4, n.mss >>> 8, n.mss & 0xff] : undefined,
    });
    put16(bytes, ipHl + 16, internetChecksum(bytes, ipHl, bytes.length, pseudo));
  } else if (proto === 'udp') {
    writeUdpHeader(bytes, ipHl, s.port, d.port, l4Len);
    put16(bytes, ipHl + 6, udpWireChecksum(internetChecksum(bytes, ipHl, bytes.length, pseudo)));
  } else {
    const rest = ((n.icmpId << 16) | n.icmpSeq) >>> 0;
    if (family === 'ipv4') writeIcmpHeader(bytes, ipHl, n.type, n.code, rest, bytes.length);
    else writeIcmpv6Header(bytes, ipHl, n.type, n.code, rest, bytes.length, pseudo);
  }
  const linkType = family === 'ipv4' ? 'raw-ipv4' : 'raw-ipv6';
  const packet = decodePacket(bytes, linkType);
  if (isDecodeError(packet)) return { error: `internal: built packet does not decode: ${packet.error}` };
  return { bytes, linkType, packet, iif: o.iif, oif: o.oif };
}
