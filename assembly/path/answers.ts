// The replies the host sends about a packet it is processing, with the kernel's choices around
// them (src/engine/reference/kernel-answers.ts, replies.ts, targets/reject.ts): REJECT's RST or
// ICMP error, a closed port's RST or port unreachable, the echo reply, a listener's SYN-ACK and
// the stack's own ICMP errors (__icmp_send: time exceeded, fragmentation needed, protocol and
// ip_error's destination unreachable). Each is built into a reply slot (generated.ts) by
// reject.ts / syn-ack.ts, checked against ICMP's rate limits (icmp-rate.ts) where the kernel
// checks it, and tied to the packet's connection where the kernel ties it (nf_ct_attach).
// Random choices (IP ids) are drawn where the reference engine draws them, in the same order.

import { CT_NONE, IP_CT_RELATED, IP_CT_RELATED_REPLY } from '../conntrack/layout';
import { prngNextU32 } from '../conntrack/prng';
import { be32 } from '../memory';
import {
  ATTACH_NONE,
  ATTACH_TRACKED,
  C_ECHO_REPLY,
  C_KERNEL_RST,
  C_PORT_UNREACH,
  C_REJECT_ICMP,
  C_REJECT_RST,
  C_SYN_ACK,
  nextReplyBuffer,
  pushReply,
  SLOT_CAPACITY,
} from './generated';
import {
  ask,
  askAboutAddresses,
  Q_ERROR_SOURCE,
  Q_ICMP_SEND,
  Q_INTERFACE,
  THE_DESTINATION,
  THE_SOURCE,
} from './host-query';
import { icmpAllow, RATE_DENY, RATE_FULL, routeErrorAllow } from './icmp-rate';
import { icmpEchoReply4, icmpError4, rejectIcmpUnreach4, rejectTcpReset4 } from './reject';
import { synAck } from './syn-ack';

/** What an answer came to: sent or not (both A_OK), or why the path must give the packet up. */
export const A_OK: u32 = 0;
/** Every reply slot is taken, or the reply would not fit one. */
export const A_NO_ROOM: u32 = 1;
/** ICMP's peer table is full. */
export const A_RATE_TABLE: u32 = 2;

const ICMP_DEST_UNREACH: u32 = 3;
const ICMP_PORT_UNREACH: u32 = 3;
/** REJECT's reply kinds (src/compiler/action-codecs.ts: index in icmp, icmpv6, tcp-reset). */
const REJECT_TCP_RESET: u32 = 2;

/** sysctl ip_default_ttl and icmp_echo_ignore_all. */
export let defaultTtl: u32 = 64;
let echoIgnoreAll: bool = false;

/** An address word of a per-class answer (host-answers.ts addressWord) for the datagram at `ip`. */
function answerAddress(word: u32, ip: usize): u32 {
  if (word === THE_DESTINATION) return be32(ip + 16);
  if (word === THE_SOURCE) return be32(ip + 12);
  return word;
}

export function initAnswers(ttl: u32, ignoreEcho: bool): void {
  defaultTtl = ttl;
  echoIgnoreAll = ignoreEcho;
}

/**
 * Queues the reply built at nextReplyBuffer(); `entry` (CT_NONE: none) and `dir` are the
 * offending packet's connection and direction: a reply about it is RELATED the other way.
 */
function push(len: u32, cause: u32, entry: u32, dir: u32): void {
  if (entry === CT_NONE) pushReply(len, cause, ATTACH_NONE, CT_NONE, 0, 0);
  else pushReply(len, cause, ATTACH_TRACKED, entry, dir === 0 ? IP_CT_RELATED_REPLY : IP_CT_RELATED, dir ^ 1);
}

/**
 * -j REJECT (targets/reject.ts, replies.ts queueReply): the RST or ICMP destination unreachable
 * `code` about the datagram at `ip`, tied to its connection; none about a broadcast or multicast
 * route (`cast`); an ICMP error passes icmpv4_xrlim_allow. `trusted`: a locally generated packet
 * (its transport checksum is not checked).
 */
export function rejectReply(
  ip: usize,
  len: u32,
  kind: u32,
  code: u32,
  trusted: bool,
  cast: bool,
  entry: u32,
  dir: u32,
  now: i64,
): u32 {
  const buf = nextReplyBuffer();
  if (buf === 0) return A_NO_ROOM;
  if (kind === REJECT_TCP_RESET) {
    const n = rejectTcpReset4(ip, len, defaultTtl, trusted, buf);
    if (n !== 0 && !cast) push(n, C_REJECT_RST, entry, dir);
    return A_OK;
  }
  return unreachable(ip, len, code, trusted, cast, entry, dir, now, buf, C_REJECT_ICMP | (code << 8));
}

/** rejectIcmpUnreach4 from the address icmpErrorSource picks, then queueReply's checks. */
function unreachable(
  ip: usize,
  len: u32,
  code: u32,
  trusted: bool,
  cast: bool,
  entry: u32,
  dir: u32,
  now: i64,
  buf: usize,
  cause: u32,
): u32 {
  const src = be32(ip + 12);
  const a = askAboutAddresses(Q_ERROR_SOURCE, be32(ip + 16), src, 0);
  const useSrc = load<u32>(a) !== 0;
  const from = answerAddress(load<u32>(a, 4), ip);
  const viaLoopback = load<u32>(a, 8) !== 0;
  const id = prngNextU32() & 0xffff;
  const n = rejectIcmpUnreach4(ip, len, code, id, from, useSrc, 1500, defaultTtl, trusted, buf);
  if (n === 0 || cast) return A_OK;
  const rate = icmpAllow(src, ICMP_DEST_UNREACH, code, viaLoopback, now);
  if (rate === RATE_FULL) return A_RATE_TABLE;
  if (rate !== RATE_DENY) push(n, cause, entry, dir);
  return A_OK;
}

/**
 * answerClosedPort: tcp_v4_send_reset's RST (not tied to the connection: conntrack looks it up
 * in OUTPUT), or __udp4_lib_rcv's port unreachable (tied to it).
 */
export function closedPortReply(
  ip: usize,
  len: u32,
  tcp: bool,
  trusted: bool,
  entry: u32,
  dir: u32,
  now: i64,
): u32 {
  const buf = nextReplyBuffer();
  if (buf === 0) return A_NO_ROOM;
  if (tcp) {
    const n = rejectTcpReset4(ip, len, defaultTtl, trusted, buf);
    if (n !== 0) push(n, C_KERNEL_RST, CT_NONE, 0);
    return A_OK;
  }
  return unreachable(ip, len, ICMP_PORT_UNREACH, trusted, false, entry, dir, now, buf, C_PORT_UNREACH);
}

/** icmp_echo → icmp_reply: false when icmp_echo_ignore_all keeps the host quiet. */
export function echoIgnored(): bool {
  return echoIgnoreAll;
}

/** The echo reply (kernel-answers.ts answerEcho): not tied to a connection, no rate limit. */
export function echoReply(ip: usize, len: u32): u32 {
  const buf = nextReplyBuffer();
  if (buf === 0 || len > SLOT_CAPACITY) return A_NO_ROOM;
  const id = prngNextU32() & 0xffff;
  push(icmpEchoReply4(ip, len, id, defaultTtl, buf), C_ECHO_REPLY, CT_NONE, 0);
  return A_OK;
}

/** A listener's SYN-ACK (local-deliver.ts), its MSS from the receiving interface's MTU. */
export function synAckReply(ip: usize, iif: u32, port: u32, proxy: bool): u32 {
  const buf = nextReplyBuffer();
  if (buf === 0) return A_NO_ROOM;
  const mtu = iif === 0 ? 1500 : load<u32>(ask(Q_INTERFACE, iif, 0, 0));
  push(synAck(ip, mtu, buf), C_SYN_ACK | ((port | (proxy ? 0x10000 : 0)) << 8), CT_NONE, 0);
  return A_OK;
}

/**
 * __icmp_send (kernel-answers.ts icmpSend): the error `type`/`code` (`info`: the header's last
 * word) about the datagram at `ip`, from the address the kernel picks, if a route leads back
 * and the rate limit allows; tied to the packet's connection (icmp_glue_bits).
 */
export function icmpSend(
  ip: usize,
  len: u32,
  iif: u32,
  type: u32,
  code: u32,
  info: u32,
  cause: u32,
  entry: u32,
  dir: u32,
  now: i64,
): u32 {
  const src = be32(ip + 12);
  const a = askAboutAddresses(Q_ICMP_SEND, be32(ip + 16), src, iif);
  if (load<u32>(a) === 0) return A_OK;
  const from = answerAddress(load<u32>(a, 4), ip);
  const mtu = load<u32>(a, 8);
  const rate = icmpAllow(src, type, code, load<u32>(a, 12) !== 0, now);
  if (rate === RATE_FULL) return A_RATE_TABLE;
  if (rate === RATE_DENY) return A_OK;
  const buf = nextReplyBuffer();
  if (buf === 0) return A_NO_ROOM;
  const id = prngNextU32() & 0xffff;
  const n = icmpError4(ip, len, type, code, info, from, id, mtu, defaultTtl, buf);
  if (n !== 0) push(n, cause, entry, dir);
  return A_OK;
}

/** ip_error: destination unreachable `code`, limited by its own bucket per sender first. */
export function ipErrorReply(
  ip: usize,
  len: u32,
  iif: u32,
  code: u32,
  cause: u32,
  entry: u32,
  dir: u32,
  now: i64,
): u32 {
  const rate = routeErrorAllow(be32(ip + 12), now);
  if (rate === RATE_FULL) return A_RATE_TABLE;
  if (rate === RATE_DENY) return A_OK;
  return icmpSend(ip, len, iif, ICMP_DEST_UNREACH, code, 0, cause, entry, dir, now);
}
