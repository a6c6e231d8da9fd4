// The answers the kernel itself sends about a packet, as opposed to a rule's REJECT:
// - __icmp_send: ICMP errors the stack raises (time exceeded, destination unreachable,
//   fragmentation needed, protocol unreachable, fragment reassembly time exceeded);
// - tcp_v4_send_reset / __udp4_lib_rcv's icmp_send: a closed port's RST or port unreachable;
// - icmp_echo → icmp_reply: the answer to a ping.
// The packets themselves are built by kernel-icmp.ts and wire/reject.ts; here the kernel's
// choices around them: the source address, the rate limits, the connection they are tied to.

import { addressType as hostAddressType, routeLookup, selectSourceAddress } from '../../host/index.js';
import {
  rejectIcmpUnreach4,
  rejectIcmpUnreach6,
  rejectTcpReset4,
  rejectTcpReset6,
} from '../../wire/reject.js';
import type { EngineState } from './engine-state.js';
import type { Journey } from './journey.js';
import { icmpEchoReply4, icmpError4 } from './kernel-icmp.js';
import type { EnginePacket } from './packet.js';
import { attachedTrack, queueReply } from './replies.js';

export const ICMP_DEST_UNREACH = 3;
export const ICMP_TIME_EXCEEDED = 11;
/** ICMP_DEST_UNREACH codes. */
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_PKT_FILTERED = 13;
/** ICMP_TIME_EXCEEDED codes. */
export const ICMP_EXC_TTL = 0;
export const ICMP_EXC_FRAGTIME = 1;

/**
 * __icmp_send for an error the stack itself raises about the packet. The source is the
 * packet's destination when that was a local address; otherwise the route back picks it
 * (or, with icmp_errors_use_inbound_ifaddr, the incoming interface's address).
 */
export function icmpSend(
  s: EngineState,
  j: Journey,
  type: number,
  code: number,
  cause: string,
  info = 0,
): void {
  const p = j.packet;
  const dst = p.decoded.dst[0]!;
  const src = p.decoded.src[0]!;
  const localDst = hostAddressType(s.host, { family: 'ipv4', words: [dst] }) === 'local';
  let saddr: number | undefined = localDst ? dst : undefined;
  if (!localDst && p.iif && s.host.sysctl.number('net.ipv4.icmp_errors_use_inbound_ifaddr') !== 0)
    saddr = selectSourceAddress(s.host, p.iif, src)?.words[0];
  const back = routeLookup(s.host, src, saddr !== undefined ? { src: saddr } : {});
  if (!back.ok) {
    j.trace?.push({ kind: 'note', text: `${cause}: not sent (no route back: ${back.errno})` });
    return;
  }
  saddr ??= back.prefsrc?.words[0];
  if (saddr === undefined) return;
  const viaLoopback = s.host.interface(back.oif)?.kind === 'loopback';
  if (!s.icmpLimiter.allow(src, type, code, viaLoopback, s.now)) {
    j.trace?.push({ kind: 'note', text: `${cause}: not sent (icmp_ratelimit)` });
    return;
  }
  const r = icmpError4(p.bytes, type, code, {
    src: saddr,
    id: s.prng.nextU32() & 0xffff,
    mtu: s.host.interface(back.oif)?.mtu ?? 1500,
    ttl: s.defaultTtl,
    info,
  });
  // icmp_glue_bits: an error is tied to the offending packet's connection (nf_ct_attach).
  const attach = attachedTrack(j);
  if ('none' in r) j.trace?.push({ kind: 'note', text: `${cause}: not sent (${r.none})` });
  else j.replies.push({ bytes: r.packet, cause, attach });
}

/**
 * The source of an ICMP error built like REJECT's: undefined when the packet was addressed to
 * this host (the error comes from that address), else the address the route back picks.
 */
export function icmpErrorSource(s: EngineState, p: EnginePacket): readonly number[] | undefined {
  const dst = p.decoded.dst;
  if (hostAddressType(s.host, { family: p.decoded.family, words: dst }) === 'local') return undefined;
  const back = routeLookup(s.host, p.decoded.src[0]!, {});
  return back.ok && back.prefsrc ? back.prefsrc.words : undefined;
}

/**
 * A closed port's answer: tcp_v4_send_reset's RST, or the port unreachable __udp4_lib_rcv sends.
 * Both are built as REJECT builds its replies (wire/reject.ts). The RST is not tied to the
 * connection (unlike nf_send_reset's): conntrack looks it up in OUTPUT, and a RST before any
 * reply ends the connection; the ICMP error is (icmp_glue_bits).
 */
export function answerClosedPort(s: EngineState, j: Journey, proto: 'tcp' | 'udp'): void {
  const p = j.packet;
  const v4 = p.decoded.family === 'ipv4';
  // Locally generated packets carry checksums the kernel has not finished (CHECKSUM_PARTIAL).
  const checksumTrusted = p.iif === null;
  // tcp_v4_send_reset and icmp_send: the route's hop limit, ip_default_ttl.
  const ttl = s.defaultTtl;
  // The trace notes name the replies as REJECT's builder does (unchanged explain output).
  if (proto === 'tcp') {
    const r = v4
      ? rejectTcpReset4(p.bytes, 0, { checksumTrusted, ttl })
      : rejectTcpReset6(p.bytes, 0, { checksumTrusted });
    if ('none' in r) j.trace?.push({ kind: 'note', text: `REJECT sends nothing: ${r.none}` });
    else
      queueReply(s, j, r.packet, {
        cause: 'kernel RST: nothing listens on the port',
        attach: null,
        notedAs: 'REJECT tcp-reset',
      });
    return;
  }
  const src = icmpErrorSource(s, p);
  const r = v4
    ? rejectIcmpUnreach4(p.bytes, 0, ICMP_PORT_UNREACH, {
        checksumTrusted,
        ttl,
        id: s.prng.nextU32() & 0xffff,
        ...(src ? { src: src[0]! } : {}),
      })
    : rejectIcmpUnreach6(p.bytes, 0, ICMP_PORT_UNREACH, { checksumTrusted, ...(src ? { src } : {}) });
  if ('none' in r) j.trace?.push({ kind: 'note', text: `REJECT sends nothing: ${r.none}` });
  else
    queueReply(s, j, r.packet, {
      cause: 'kernel: port unreachable, nothing listens',
      attach: attachedTrack(j),
      notedAs: `REJECT icmp code ${ICMP_PORT_UNREACH}`,
    });
}

/**
 * icmp_echo → icmp_reply: the echo reply to a ping addressed to the host, unless
 * icmp_echo_ignore_all. Returns whether one was queued.
 */
export function answerEcho(s: EngineState, j: Journey): boolean {
  if (s.host.sysctl.number('net.ipv4.icmp_echo_ignore_all') !== 0) return false;
  j.replies.push({
    bytes: icmpEchoReply4(j.packet.bytes, {
      id: s.prng.nextU32() & 0xffff,
      ttl: s.defaultTtl,
    }),
    cause: 'ICMP echo reply',
    attach: null,
  });
  return true;
}
