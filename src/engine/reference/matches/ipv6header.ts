// -m ipv6header (ip6t_ipv6header.c, ipv6header_mt6): which extension headers a packet carries.
// Also the kernel's ipv6_find_hdr (net/ipv6/exthdrs_core.c) for a given header type, which the
// ah, frag, rt, hbh and dst matches use to find their header.

import type { Ipv6HeaderKind, Ipv6HeaderMatch } from '../../../ir/matches/ipv6header.js';
import { get8, get16 } from '../../../wire/bytes.js';
import {
  IPV6_HEADER_LEN,
  // ipv6_ext_hdr: the headers ipv6_find_hdr walks through (ESP is not one).
  isIpv6ExtensionHeader,
  NEXTHDR_AUTH,
  NEXTHDR_FRAGMENT,
  NEXTHDR_HOP,
  NEXTHDR_NONE,
  NEXTHDR_ROUTING,
} from '../../../wire/ipv6.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import type { EnginePacket } from '../packet.js';
import { skbLength } from './tcp.js';

const NEXTHDR_ESP = 50;

/** ipv6_find_hdr found no such header (-ENOENT): the match fails quietly. */
export const IPV6_HDR_ABSENT = -1;
/** ipv6_find_hdr hit a truncated header (-EBADMSG): the match hotdrops. */
export const IPV6_HDR_MALFORMED = -2;

/**
 * ipv6_find_hdr(skb, &offset, target, NULL, NULL) for an extension-header target: the offset of
 * the first header of that type, IPV6_HDR_ABSENT or IPV6_HDR_MALFORMED. Only 2 bytes of each
 * header passed (4 of a routing or fragment header) need be present; a header running past the
 * end shows up as the next one missing. A non-first Fragment header ends the walk (what follows
 * is data) unless it is itself the target.
 */
export function ipv6FindHeader(p: EnginePacket, target: number): number {
  const b = p.bytes;
  const len = skbLength(p);
  let nh = get8(b, 6);
  let start = IPV6_HEADER_LEN;
  for (;;) {
    const found = nh === target;
    if (!isIpv6ExtensionHeader(nh) || nh === NEXTHDR_NONE) return found ? start : IPV6_HDR_ABSENT;
    if (start + 2 > len) return IPV6_HDR_MALFORMED;
    if (nh === NEXTHDR_ROUTING && start + 4 > len) return IPV6_HDR_MALFORMED;
    let hdrLen: number;
    if (nh === NEXTHDR_FRAGMENT) {
      if (start + 4 > len) return IPV6_HDR_MALFORMED;
      if ((get16(b, start + 2) & ~7) !== 0) return found ? start : IPV6_HDR_ABSENT;
      hdrLen = 8;
    } else if (nh === NEXTHDR_AUTH) {
      hdrLen = (get8(b, start + 1) + 2) * 4;
    } else {
      hdrLen = (get8(b, start + 1) + 1) * 8;
    }
    if (found) return start;
    nh = get8(b, start);
    start += hdrLen;
  }
}

/** The kernel's MASK_* bits (ip6t_ipv6header.h). */
const HEADER_BITS: Record<Ipv6HeaderKind, number> = {
  'hop-by-hop': 0x80,
  destination: 0x40,
  routing: 0x20,
  fragment: 0x10,
  auth: 0x08,
  esp: 0x04,
  'no-next-header': 0x02,
  'upper-layer': 0x01,
};

const MASKS = new WeakMap<Ipv6HeaderMatch, number>();

function matchMask(m: Ipv6HeaderMatch): number {
  let mask = MASKS.get(m);
  if (mask === undefined) {
    mask = 0;
    for (const h of m.headers) mask |= HEADER_BITS[h];
    MASKS.set(m, mask);
  }
  return mask;
}

/**
 * The header set as ipv6header_mt6 sees it, or null when it gives up (returns false, whatever
 * the inversion). Its walk differs from ipv6_find_hdr: it steps over every Fragment header as
 * 8 bytes, first or not (reading fragment data as headers), stops at ESP, and stops when a
 * header runs past the end, marking the upper layer if that header's next-header is not
 * none/ESP.
 */
function packetHeaderBits(p: EnginePacket): number | null {
  const b = p.bytes;
  const len = skbLength(p);
  let nh = get8(b, 6);
  let ptr = IPV6_HEADER_LEN;
  let bits = 0;
  // nf_ip6_ext_hdr: ipv6_ext_hdr plus ESP.
  while (isIpv6ExtensionHeader(nh) || nh === NEXTHDR_ESP) {
    if (nh === NEXTHDR_NONE) {
      bits |= HEADER_BITS['no-next-header'];
      break;
    }
    if (len - ptr < 2) return null;
    if (nh === NEXTHDR_ESP) {
      bits |= HEADER_BITS.esp;
      break;
    }
    let hdrLen: number;
    if (nh === NEXTHDR_FRAGMENT) hdrLen = 8;
    else if (nh === NEXTHDR_AUTH) hdrLen = (get8(b, ptr + 1) + 2) * 4;
    else hdrLen = (get8(b, ptr + 1) + 1) * 8;
    if (nh === NEXTHDR_HOP) bits |= HEADER_BITS['hop-by-hop'];
    else if (nh === NEXTHDR_ROUTING) bits |= HEADER_BITS.routing;
    else if (nh === NEXTHDR_FRAGMENT) bits |= HEADER_BITS.fragment;
    else if (nh === NEXTHDR_AUTH) bits |= HEADER_BITS.auth;
    else bits |= HEADER_BITS.destination;
    nh = get8(b, ptr);
    ptr += hdrLen;
    if (ptr > len) break;
  }
  if (nh !== NEXTHDR_NONE && nh !== NEXTHDR_ESP) bits |= HEADER_BITS['upper-layer'];
  return bits;
}

export const ipv6headerEvaluator: MatchEvaluator<Ipv6HeaderMatch> = {
  kind: 'ipv6header',
  test(m, ctx) {
    const bits = packetHeaderBits(ctx.packet);
    if (bits === null) return false;
    const mask = matchMask(m);
    if (m.soft) {
      // !((temp ^ matchflags ^ invflags) & matchflags) with invflags 0 or 0xff: every listed
      // header present, or inverted, every listed header absent (not "one of them absent").
      const inv = m.invert ? 0xff : 0;
      return ((bits ^ mask ^ inv) & mask) === 0;
    }
    return (bits === mask) !== m.invert;
  },
};
