// The packets the host itself sends about an IPv4 datagram, built in linear memory exactly as
// src/wire/reject.ts and src/engine/reference/kernel-icmp.ts build them:
// - REJECT's TCP RST (nf_send_reset) and ICMP destination unreachable (nf_send_unreach), which
//   also answer closed ports (tcp_v4_send_reset, __udp4_lib_rcv's icmp_send);
// - the stack's own ICMP errors (__icmp_send) and echo replies (icmp_echo → icmp_reply).
// The offending datagram is at `pkt` (`len` bytes from its IPv4 header: the buffer, which may
// run past tot_len); the reply is written at `out` and its length returned, 0 when the kernel
// sends nothing. Addresses are u32 values (10.0.0.1 is 0x0a000001); the kernel's random choices
// (IP ids) are parameters. Nothing allocates.

// Sums and checksums (RFC 1071). A sum here is one's-complement, folded to 16 bits, in
// big-endian word order, and 0 only when every byte summed was 0 (as src/wire/checksum.ts's
// plain sums fold).

/** Folds a wide sum to 16 bits with end-around carry (0 stays 0). */
function fold(sum: u64): u32 {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  return <u32>s;
}

/** The one's-complement sum of `n` bytes at `p` as big-endian words (odd tail padded with 0). */
function sumBytes(p: usize, n: usize): u32 {
  let s: u64 = 0;
  let i: usize = 0;
  // Little-endian loads, byte-swapped once at the end: the sum commutes with the swap.
  for (; i + 1 < n; i += 2) s += <u64>load<u16>(p + i);
  if (i < n) s += <u64>load<u8>(p + i);
  const f = fold(s);
  return ((f & 0xff) << 8) | (f >> 8);
}

/** The checksum field for a sum that excludes the field. */
function finish(sum: u64): u32 {
  return ~fold(sum) & 0xffff;
}

function put16(p: usize, v: u32): void {
  store<u16>(p, bswap<u16>(<u16>v));
}

function put32(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

function get16(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}

/** Byte `o` of the `len`-byte buffer at `p`; 0 past its end (as src/wire/bytes.ts reads). */
function byteAt(p: usize, len: u32, o: u32): u32 {
  return o < len ? <u32>load<u8>(p + <usize>o) : 0;
}

function be16At(p: usize, len: u32, o: u32): u32 {
  return (byteAt(p, len, o) << 8) | byteAt(p, len, o + 1);
}

function be32At(p: usize, len: u32, o: u32): u32 {
  return (be16At(p, len, o) << 16) | be16At(p, len, o + 2);
}

const IP_DF: u32 = 0x4000;
const IP_OFFSET: u32 = 0x1fff;
const IPPROTO_ICMP: u32 = 1;
const IPPROTO_TCP: u32 = 6;
const IPPROTO_UDP: u32 = 17;
const IPPROTO_GRE: u32 = 47;
const IPPROTO_ESP: u32 = 50;
const IPPROTO_AH: u32 = 51;
const IPPROTO_SCTP: u32 = 132;
const IPPROTO_UDPLITE: u32 = 136;
const TCP_FIN: u32 = 0x01;
const TCP_SYN: u32 = 0x02;
const TCP_RST: u32 = 0x04;
const TCP_ACK: u32 = 0x10;
const ICMP_DEST_UNREACH: u32 = 3;
/** icmp_send's quoting limit: the reply fits in 576 bytes (or the route's MTU). */
const ICMP_QUOTE_MAX: u32 = 576;

/** Writes a 20-byte IPv4 header at `o` with its checksum (ip_local_out / ip_send_check). */
function writeIpv4(
  o: usize,
  tos: u32,
  total: u32,
  id: u32,
  frag: u32,
  ttl: u32,
  proto: u32,
  src: u32,
  dst: u32,
): void {
  store<u8>(o, 0x45);
  store<u8>(o, <u8>tos, 1);
  put16(o + 2, total);
  put16(o + 4, id);
  put16(o + 6, frag);
  store<u8>(o, <u8>ttl, 8);
  store<u8>(o, <u8>proto, 9);
  store<u16>(o, 0, 10);
  put32(o + 12, src);
  put32(o + 16, dst);
  put16(o + 10, finish(sumBytes(o, 20)));
}

/** isIcmpError (icmp_pointers[].error): 1-7 but 0, 9-12, and any type above NR_ICMP_TYPES. */
function isIcmpError(type: u32): bool {
  if (type > 18) return true;
  return (type >= 1 && type <= 7) || (type >= 9 && type <= 12);
}

/** ip_rcv_core's structural tests (Ipv4View.check): the header and tot_len bytes are all there. */
function ipv4Valid(p: usize, len: u32): bool {
  if (len < 20) return false;
  const vihl = <u32>load<u8>(p);
  const hl = (vihl & 15) << 2;
  if (vihl >> 4 !== 4 || hl < 20 || len < hl) return false;
  const tot = get16(p + 2);
  return tot >= hl && tot <= len;
}

/** rejectVerifiesChecksum (nf_reject_verify_csum): must the transport checksum be right? */
export function rejectVerifiesChecksum(proto: u32, udpChecksum: u32): bool {
  if (proto === IPPROTO_UDP) return udpChecksum !== 0;
  return !(
    proto === IPPROTO_GRE ||
    proto === IPPROTO_AH ||
    proto === IPPROTO_ESP ||
    proto === IPPROTO_SCTP ||
    proto === IPPROTO_UDPLITE
  );
}

/**
 * nf_ip_checksum as nf_send_reset / nf_send_unreach apply it: the transport segment of the
 * valid datagram at `p` sums to 0xffff with its pseudo-header (none for ICMP), or needs no check.
 */
function transportOk(p: usize, len: u32): bool {
  const hl = (<u32>load<u8>(p) & 15) << 2;
  const tot = get16(p + 2);
  const proto = <u32>load<u8>(p, 9);
  // The UDP checksum field may lie past tot_len, even past the buffer.
  if (!rejectVerifiesChecksum(proto, be16At(p, len, hl + 6))) return true;
  const n = tot - hl;
  let sum: u64 = <u64>sumBytes(p + <usize>hl, n);
  if (proto !== IPPROTO_ICMP) sum += <u64>(sumBytes(p + 12, 8) + proto + n);
  return fold(sum) === 0xffff;
}

/**
 * rejectTcpReset4 (nf_send_reset): the RST answering the TCP segment of the datagram at `pkt`
 * (`len` bytes), written at `out` (40 bytes); returns 40, or 0 for no reply: a malformed
 * datagram, a non-first fragment, not TCP, a truncated TCP header, a RST, or a bad checksum
 * unless `checksumTrusted` (locally generated). `ttl`: the route's hop limit (ip_default_ttl).
 */
export function rejectTcpReset4(pkt: usize, len: u32, ttl: u32, checksumTrusted: bool, out: usize): u32 {
  if (!ipv4Valid(pkt, len)) return 0;
  if ((get16(pkt + 6) & IP_OFFSET) !== 0) return 0;
  if (<u32>load<u8>(pkt, 9) !== IPPROTO_TCP) return 0;
  const hl = (<u32>load<u8>(pkt) & 15) << 2;
  const segLen = get16(pkt + 2) - hl;
  if (segLen < 20) return 0;
  const t = pkt + <usize>hl;
  const flags = <u32>load<u8>(t, 13);
  if ((flags & TCP_RST) !== 0) return 0;
  if (!checksumTrusted && !transportOk(pkt, len)) return 0;
  const src = bswap<u32>(load<u32>(pkt, 12));
  const dst = bswap<u32>(load<u32>(pkt, 16));
  writeIpv4(out, 0, 40, 0, IP_DF, ttl, IPPROTO_TCP, dst, src);
  // nf_reject_ip_tcphdr_put: ports swapped, 20-byte header, window 0.
  const r = out + 20;
  store<u16>(r, load<u16>(t, 2));
  store<u16>(r, load<u16>(t), 2);
  if ((flags & TCP_ACK) !== 0) {
    store<u32>(r, load<u32>(t, 8), 4);
    store<u32>(r, 0, 8);
    store<u8>(r, <u8>TCP_RST, 13);
  } else {
    // The payload counts from the header length the segment claims (data offset), even a bad one.
    const doff = (<u32>load<u8>(t, 12) >> 4) << 2;
    const ack =
      bswap<u32>(load<u32>(t, 4)) + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0) + segLen - doff;
    store<u32>(r, 0, 4);
    put32(r + 8, ack);
    store<u8>(r, <u8>(TCP_RST | TCP_ACK), 13);
  }
  store<u8>(r, 0x50, 12);
  store<u32>(r, 0, 14); // window 0, checksum 0 for now
  store<u16>(r, 0, 18);
  put16(r + 16, finish(<u64>sumBytes(r, 20) + <u64>sumBytes(out + 12, 8) + IPPROTO_TCP + 20));
  return 40;
}

/**
 * The ICMP error message (icmp_send's): IP header, ICMP `type`/`code` with `info` as the
 * header's last word, then `quoted` bytes of the datagram at `pkt` (`avail` bytes present; the
 * rest quoted as zeros). Returns its length.
 */
function writeIcmpError(
  pkt: usize,
  avail: u32,
  quoted: u32,
  type: u32,
  code: u32,
  info: u32,
  tos: u32,
  id: u32,
  ttl: u32,
  src: u32,
  dst: u32,
  out: usize,
): u32 {
  const total = 28 + quoted;
  const copied = quoted < avail ? quoted : avail;
  memory.copy(out + 28, pkt, copied);
  if (copied < quoted) memory.fill(out + 28 + <usize>copied, 0, quoted - copied);
  const h = out + 20;
  store<u8>(h, <u8>type);
  store<u8>(h, <u8>code, 1);
  store<u16>(h, 0, 2);
  put32(h + 4, info);
  put16(h + 2, finish(sumBytes(h, 8 + quoted)));
  writeIpv4(out, (tos & 0x1e) | 0xc0, total, id, 0, ttl, IPPROTO_ICMP, src, dst);
  return total;
}

/**
 * rejectIcmpUnreach4 (nf_send_unreach → icmp_send): ICMP destination unreachable `code` about
 * the datagram at `pkt` (`len` bytes), written at `out` (up to 576 bytes); returns its length,
 * or 0 for no reply: a malformed datagram, a non-first fragment, a bad transport checksum
 * unless `checksumTrusted`, an ICMP error (or an ICMP packet without a type byte).
 * `id`: the IP id the kernel picked; `src`: the source when `useSrc` (the packet was not
 * addressed to this host), else the packet's destination; `mtu`: the reply route's (1500),
 * at least 28 (the TypeScript builder throws below); `ttl`: ip_default_ttl.
 */
export function rejectIcmpUnreach4(
  pkt: usize,
  len: u32,
  code: u32,
  id: u32,
  src: u32,
  useSrc: bool,
  mtu: u32,
  ttl: u32,
  checksumTrusted: bool,
  out: usize,
): u32 {
  if (!ipv4Valid(pkt, len)) return 0;
  if ((get16(pkt + 6) & IP_OFFSET) !== 0) return 0;
  if (!checksumTrusted && !transportOk(pkt, len)) return 0;
  const hl = (<u32>load<u8>(pkt) & 15) << 2;
  const tot = get16(pkt + 2);
  if (<u32>load<u8>(pkt, 9) === IPPROTO_ICMP) {
    if (tot - hl < 1) return 0;
    if (isIcmpError(<u32>load<u8>(pkt + <usize>hl))) return 0;
  }
  const cap = mtu < ICMP_QUOTE_MAX ? mtu : ICMP_QUOTE_MAX;
  if (cap < 28) return 0;
  const room = cap - 28;
  const quoted = tot < room ? tot : room;
  const dst = bswap<u32>(load<u32>(pkt, 16));
  return writeIcmpError(
    pkt,
    quoted,
    quoted,
    ICMP_DEST_UNREACH,
    code,
    0,
    <u32>load<u8>(pkt, 1),
    id,
    ttl,
    useSrc ? src : dst,
    bswap<u32>(load<u32>(pkt, 12)),
    out,
  );
}

/**
 * icmpError4 (__icmp_send): the ICMP error `type`/`code` (`info`: the header's last word, the
 * next-hop MTU of fragmentation needed) about the datagram at `pkt` (`len` bytes, not checked:
 * fields past the end read 0 and quoted bytes past it are zeros), written at `out` (up to 576
 * bytes); returns its length, or 0 for none: a non-first fragment, an ICMP error or unknown
 * ICMP type, an ICMP datagram without a type byte. `src`: the source the kernel picked; `id`:
 * ip_select_ident's; `mtu`: the route's, at least 28; `ttl`: ip_default_ttl.
 */
export function icmpError4(
  pkt: usize,
  len: u32,
  type: u32,
  code: u32,
  info: u32,
  src: u32,
  id: u32,
  mtu: u32,
  ttl: u32,
  out: usize,
): u32 {
  if ((be16At(pkt, len, 6) & IP_OFFSET) !== 0) return 0;
  const hl = (byteAt(pkt, len, 0) & 15) << 2;
  const tot = be16At(pkt, len, 2);
  if (byteAt(pkt, len, 9) === IPPROTO_ICMP) {
    if (tot < hl + 1) return 0;
    if (isIcmpError(byteAt(pkt, len, hl))) return 0;
  }
  const cap = mtu < ICMP_QUOTE_MAX ? mtu : ICMP_QUOTE_MAX;
  if (cap < 28) return 0;
  const room = cap - 28;
  const quoted = tot < room ? tot : room;
  return writeIcmpError(
    pkt,
    len,
    quoted,
    type,
    code,
    info,
    byteAt(pkt, len, 1),
    id,
    ttl,
    src,
    be32At(pkt, len, 12),
    out,
  );
}

/**
 * icmpEchoReply4 (icmp_echo → icmp_reply): the echo reply to the request at `pkt` (`len`
 * bytes, not checked), written at `out` (20 + len bytes, at least 28); returns its length. The
 * request's ICMP message (from its header length to tot_len, within the buffer) with type 0
 * and a fresh checksum; IP from its destination to its source, its TOS, no DF, `id`, `ttl`.
 */
export function icmpEchoReply4(pkt: usize, len: u32, id: u32, ttl: u32, out: usize): u32 {
  const hl = (byteAt(pkt, len, 0) & 15) << 2;
  const tot = be16At(pkt, len, 2);
  const begin = hl < len ? hl : len;
  const end = tot < len ? tot : len;
  const m = end > begin ? end - begin : 0;
  const h = out + 20;
  memory.copy(h, pkt + <usize>begin, m);
  // A message shorter than its header keeps only the bytes it has; the sum covers those.
  store<u8>(h, 0);
  store<u16>(h, 0, 2);
  put16(h + 2, finish(sumBytes(h, m)));
  const total = 20 + m;
  writeIpv4(
    out,
    byteAt(pkt, len, 1),
    total,
    id,
    0,
    ttl,
    IPPROTO_ICMP,
    be32At(pkt, len, 16),
    be32At(pkt, len, 12),
  );
  return total;
}
