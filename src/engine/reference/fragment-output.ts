// IPv4 fragmentation on output (net/ipv4/ip_output.c): __ip_finish_output sends a datagram as it
// is, or through ip_fragment when it is longer than the device's MTU or was reassembled by
// defrag (IPCB(skb)->frag_max_size): then a reassembled datagram leaves as fragments no larger
// than the largest one it came in, so a router in the middle never makes fragments bigger than
// the sender's.
//
// ip_do_fragment has two ways: the fast path reuses the skb's frag_list — for a reassembled
// datagram, the original fragments' data, so the fragments leave with their original geometry —
// when every piece fits the MTU and all but the last are multiples of 8; the slow path cuts the
// data into MTU-sized pieces (multiples of 8). Both copy the IP header (same id) into every
// fragment; after the first, options without the copied flag become NOOPs (ip_options_fragment).

import { get8, get16 } from '../../wire/bytes.js';
import { IP_DF, IP_MF, IP_OFFSET, Ipv4View } from '../../wire/ipv4.js';

/** What the skb carries about fragmentation besides its bytes. */
export interface OutputFragInfo {
  /** IPCB(skb)->frag_max_size: the largest fragment the datagram was reassembled from (0: none). */
  readonly fragMaxSize: number;
  /** IPSKB_FRAG_PMTU: the reassembled datagram's DF came from its fragments. */
  readonly pmtu: boolean;
  /** skb->ignore_df: set by conntrack's defrag (nf_ct_ipv4_gather_frags). */
  readonly ignoreDf: boolean;
  /** The data lengths of the fragments it was reassembled from, in order: its frag_list. */
  readonly pieces: readonly number[] | null;
}

export const WHOLE: OutputFragInfo = { fragMaxSize: 0, pmtu: false, ignoreDf: false, pieces: null };

export type OutputFragmentation =
  | { readonly kind: 'whole' }
  | { readonly kind: 'fragmented'; readonly fragments: readonly Uint8Array[]; readonly how: string }
  /** ip_fragment refuses (DF): icmp_send(ICMP_FRAG_NEEDED, mtu) and the datagram is dropped. */
  | { readonly kind: 'frag-needed'; readonly mtu: number };

const IPOPT_END = 0;
const IPOPT_NOOP = 1;
const IPOPT_COPIED = 0x80;

/** __ip_finish_output → ip_fragment → ip_do_fragment, for the datagram `bytes` leaving by a device of `mtu`. */
export function ipFinishOutput(bytes: Uint8Array, mtu: number, info: OutputFragInfo): OutputFragmentation {
  if (bytes.length <= mtu && info.fragMaxSize === 0) return { kind: 'whole' };
  // ip_fragment: DF refuses fragmentation unless the datagram was reassembled here (ignore_df)
  // and no fragment it came in was larger than the MTU.
  const df = (get16(bytes, 6) & IP_DF) !== 0;
  if (df && (!info.ignoreDf || (info.fragMaxSize !== 0 && info.fragMaxSize > mtu)))
    return { kind: 'frag-needed', mtu };
  // ip_do_fragment: never larger than the largest original fragment.
  const limit = info.fragMaxSize !== 0 && info.fragMaxSize < mtu ? info.fragMaxSize : mtu;
  const hlen = (get8(bytes, 0) & 0x0f) * 4;
  const space = limit - hlen;
  const fast = fastPathPieces(bytes, hlen, space, info);
  if (fast) return { kind: 'fragmented', fragments: fastPath(bytes, hlen, fast), how: 'as it came in' };
  return {
    kind: 'fragmented',
    fragments: slowPath(bytes, hlen, space, info.pmtu),
    how: `in pieces of at most ${limit} bytes`,
  };
}

/** The frag_list geometry when ip_do_fragment may use it as it is, else null. */
function fastPathPieces(
  bytes: Uint8Array,
  hlen: number,
  space: number,
  info: OutputFragInfo,
): number[] | null {
  const rest = info.pieces?.slice(1) ?? [];
  if (rest.length === 0) return null;
  // The head holds whatever is not in the frag_list (a TCPMSS or NAT change of length lands there).
  const first = bytes.length - hlen - rest.reduce((a, b) => a + b, 0);
  if (first <= 0 || first > space || (first & 7) !== 0) return null;
  if ((get16(bytes, 6) & (IP_MF | IP_OFFSET)) !== 0) return null;
  for (let i = 0; i < rest.length; i++) {
    const p = rest[i]!;
    if (p > space || ((p & 7) !== 0 && i < rest.length - 1)) return null;
  }
  return [first, ...rest];
}

/** ip_fraglist_init / ip_fraglist_prepare: one fragment per piece; MF on all but the last; DF cleared. */
function fastPath(bytes: Uint8Array, hlen: number, pieces: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let header = bytes.slice(0, hlen);
  let offset = 0;
  pieces.forEach((len, i) => {
    const frag = new Uint8Array(hlen + len);
    frag.set(header, 0);
    frag.set(bytes.subarray(hlen + offset, hlen + offset + len), hlen);
    const ip = new Ipv4View(frag, 0, frag.length);
    ip.totalLength = frag.length;
    ip.fragField = (offset >>> 3) | (i < pieces.length - 1 ? IP_MF : 0);
    if (i === 1) optionsFragment(frag, hlen);
    ip.updateChecksum();
    out.push(frag);
    header = frag.slice(0, hlen);
    offset += len;
  });
  return out;
}

/** ip_frag_init / ip_frag_next: MTU-sized pieces (multiples of 8 but the last). */
function slowPath(bytes: Uint8Array, hlen: number, space: number, pmtu: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  const header = bytes.slice(0, hlen);
  const field = get16(bytes, 6);
  let offset = (field & IP_OFFSET) << 3;
  const notLast = (field & IP_MF) !== 0;
  let ptr = hlen;
  let left = bytes.length - hlen;
  let first = true;
  while (left > 0) {
    let len = Math.min(left, space);
    if (len < left) len &= ~7;
    const frag = new Uint8Array(hlen + len);
    frag.set(header, 0);
    frag.set(bytes.subarray(ptr, ptr + len), hlen);
    left -= len;
    const ip = new Ipv4View(frag, 0, frag.length);
    ip.fragField = (offset >>> 3) | (pmtu ? IP_DF : 0) | (left > 0 || notLast ? IP_MF : 0);
    ip.totalLength = len + hlen;
    ip.updateChecksum();
    out.push(frag);
    // The later fragments copy the header with the options ip_options_fragment leaves.
    if (first) optionsFragment(header, hlen);
    first = false;
    ptr += len;
    offset += len;
  }
  return out;
}

/** ip_options_fragment: options without the copied flag become NOOPs in the later fragments. */
function optionsFragment(header: Uint8Array, hlen: number): void {
  let p = 20;
  let l = hlen - 20;
  while (l > 0) {
    const type = header[p]!;
    if (type === IPOPT_END) return;
    if (type === IPOPT_NOOP) {
      l--;
      p++;
      continue;
    }
    const optlen = header[p + 1] ?? 0;
    if (optlen < 2 || optlen > l) return;
    if ((type & IPOPT_COPIED) === 0) header.fill(IPOPT_NOOP, p, p + optlen);
    l -= optlen;
    p += optlen;
  }
}
