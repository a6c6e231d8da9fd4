// The generic ops of a rule, evaluated over the decoded packet (packet.ts) and the packet's
// connection facts. statistic, quota and limit run here (state.ts); other stateful, host and unsupported ops give UNDECIDED: the host finishes those
// packets, so the answer here is never a guess.

import {
  F_IIF,
  F_L4_DPORT,
  F_L4_SPORT,
  F_OIF,
  F_PHYS_IN,
  HOTDROP,
  NO,
  NONE,
  OP_ANY_BITS,
  OP_BLOCK,
  OP_CMP,
  OP_FALSE,
  OP_FLAG_INVERT,
  OP_FLAG_WILDCARD,
  OP_HOST,
  OP_IFACE,
  OP_L4_GUARD,
  OP_PORT_LIST,
  OP_RANGE,
  OP_SKIP_IF,
  OP_STATEFUL,
  OP_TCP_OPTION,
  SLOT_BYTES,
  UNDECIDED,
  X_ADDRTYPE,
  X_OWNER,
  X_PKTTYPE,
  X_RPFILTER,
  YES,
} from './layout';
import {
  fields,
  iifEntry,
  laterFragment,
  offsetOneFragment,
  oifEntry,
  packet,
  physInEntry,
  physOutEntry,
  skbLen,
  thoff,
} from './packet';
import { addrtypeHolds } from './path/addrtype';
import { hostQueries } from './path/host-query';
import { ownerHolds } from './path/owner';
import { pkttypeHolds } from './path/pkttype';
import { rpfilterHolds } from './path/rpfilter';
import { stateful } from './state';
import { CORE_SLOTS, ipv6, ops, params, RULE_CORE_BYTES, ruleCores, stringAt, stringLength } from './table';

// Field id → scratch slot (bit 7 clear) or CT record word (bit 7 set); 255: no such field.
export const FIELD_SLOTS: usize = memory.data<u8>([
  255, 0, 4, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255, 255, 16, 17, 255, 18, 19, 20, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 128, 129, 130, 131, 132, 133, 134, 138, 142, 146, 150, 151, 152, 153,
  154, 155, 21, 22, 24, 25, 26, 27, 28, 255, 255, 255, 255, 255, 255, 255, 255, 255,
]);

/** The packet's CT record (a zero record when the host gave none). */
export let ct: usize = 0;

/** Word i of a field, as src/compiler/packet-fields.ts fieldWord defines it. */
export function fieldWord(field: u32, i: u32): u32 {
  if (field >= 64) return NONE;
  const s = <u32>load<u8>(FIELD_SLOTS + <usize>field);
  if (s === 255) return NONE;
  if (s < 128) return load<u32>(fields + ((<usize>(s + i)) << 2));
  return load<u32>(ct + ((<usize>(s - 128 + i)) << 2));
}

/** L4_GUARD: YES, NO or HOTDROP. */
export function guard(minLength: u32, fragMode: u32, shortMode: u32): u32 {
  if (fragMode !== 0 && laterFragment) return fragMode === 2 && offsetOneFragment ? HOTDROP : NO;
  if (<u64>thoff + <u64>minLength > <u64>skbLen) return shortMode === 1 ? HOTDROP : NO;
  return YES;
}

/** tcp_mt with only --tcp-option (tcp_find_option). */
function tcpOption(kind: u32, invert: bool): u32 {
  if (laterFragment) return offsetOneFragment ? HOTDROP : NO;
  if (thoff + 20 > skbLen) return HOTDROP;
  const th = packet + <usize>thoff;
  const headerLen = (<u32>load<u8>(th, 12) >> 4) << 2;
  if (headerLen < 20) return HOTDROP;
  const optLen = headerLen - 20;
  if (optLen === 0) return invert ? YES : NO;
  if (thoff + 20 + optLen > skbLen) return HOTDROP;
  const start = th + 20;
  for (let i: u32 = 0; i < optLen; ) {
    const k = <u32>load<u8>(start + <usize>i);
    if (k === kind) return invert ? NO : YES;
    if (k < 2) i++;
    else {
      const step = <u32>load<u8>(start + <usize>i + 1);
      i += step === 0 ? 1 : step;
    }
  }
  return invert ? YES : NO;
}

/** Interface name (registry entry) equals, or starts with, table string `want`. */
function ifaceMatches(entry: usize, want: u32, wildcard: bool): bool {
  if (!wildcard) return load<u32>(entry) === want;
  const wl = stringLength(want);
  if (load<u32>(entry, 8) < wl) return false;
  return memory.compare(<usize>load<u32>(entry, 4), stringAt(want), wl) === 0;
}

/** A pure op's outcome at slot address `w`, its inversion applied. */
export function holds(w: usize): bool {
  const h = load<u32>(w);
  const invert = ((h >> 8) & OP_FLAG_INVERT) !== 0;
  const n = (h >> 16) & 0xff;
  const field = load<u32>(w, 4);
  let hit = false;
  switch (h & 0xff) {
    case OP_CMP: {
      hit = true;
      for (let i: u32 = 0; i < n; i++) {
        const d = w + 8 + ((<usize>i) << 3);
        if ((fieldWord(field, i) & load<u32>(d, 4)) !== load<u32>(d)) {
          hit = false;
          break;
        }
      }
      break;
    }
    case OP_RANGE: {
      // Lexicographic unsigned compare against lo (w+8..) and hi (after n words).
      let lo: i32 = 0;
      let hi: i32 = 0;
      for (let i: u32 = 0; i < n && (lo === 0 || hi === 0); i++) {
        const x = fieldWord(field, i);
        const l = load<u32>(w + 8 + ((<usize>i) << 2));
        const u = load<u32>(w + 8 + ((<usize>(n + i)) << 2));
        if (lo === 0 && x !== l) lo = x < l ? -1 : 1;
        if (hi === 0 && x !== u) hi = x < u ? -1 : 1;
      }
      hit = lo >= 0 && hi <= 0;
      break;
    }
    case OP_ANY_BITS:
      hit = (fieldWord(field, 0) & load<u32>(w, 8)) !== 0;
      break;
    case OP_IFACE:
      hit = ifaceMatches(
        field === F_IIF
          ? iifEntry
          : field === F_OIF
            ? oifEntry
            : field === F_PHYS_IN
              ? physInEntry
              : physOutEntry,
        load<u32>(w, 8),
        ((h >> 8) & OP_FLAG_WILDCARD) !== 0,
      );
      break;
    case OP_PORT_LIST: {
      const src = fieldWord(F_L4_SPORT, 0);
      const dst = fieldWord(F_L4_DPORT, 0);
      for (let i: u32 = 0; i < n; i++) {
        const r = load<u32>(w + 8 + ((<usize>i) << 2));
        const lo = r & 0xffff;
        const up = r >> 16;
        const sh = src >= lo && src <= up;
        const dh = dst >= lo && dst <= up;
        hit = field === F_L4_SPORT ? sh : field === F_L4_DPORT ? dh : sh || dh;
        if (hit) break;
      }
      break;
    }
    default:
      // FALSE (and nothing else reaches here: the compiler only puts pure ops in blocks).
      return false;
  }
  return hit !== invert;
}

/** All of rule g's ops in order: YES, NO (first failing op), HOTDROP or UNDECIDED. */
export function ruleMatches(g: u32): u32 {
  const rw = ruleCores + <usize>g * RULE_CORE_BYTES;
  let s = ops + <usize>load<u32>(rw) * SLOT_BYTES;
  const end = s + <usize>(load<u32>(rw, 4) & CORE_SLOTS) * SLOT_BYTES;
  while (s < end) {
    const h = load<u32>(s);
    const code = h & 0xff;
    // The commonest ops, one-word compares and ranges (addresses, protocol, ports), without
    // holds()' loops.
    const oneWord = h & 0xff00ff;
    if (oneWord === (OP_CMP | (1 << 16))) {
      const v = fieldWord(load<u32>(s, 4), 0);
      if (((v & load<u32>(s, 12)) === load<u32>(s, 8)) === (((h >> 8) & OP_FLAG_INVERT) !== 0)) return NO;
      s += <usize>(h >> 24) * SLOT_BYTES;
      continue;
    }
    if (oneWord === (OP_RANGE | (1 << 16))) {
      const v = fieldWord(load<u32>(s, 4), 0);
      const hit = (v >= load<u32>(s, 8)) & (v <= load<u32>(s, 12));
      if (hit === (((h >> 8) & OP_FLAG_INVERT) !== 0)) return NO;
      s += <usize>(h >> 24) * SLOT_BYTES;
      continue;
    }
    if (code === OP_L4_GUARD) {
      const r = guard(load<u32>(s, 4), load<u32>(s, 8), load<u32>(s, 12));
      if (r !== YES) return r;
    } else if (code === OP_SKIP_IF) {
      if (fieldWord(load<u32>(s, 4), 0) === load<u32>(s, 8)) {
        s += (1 + <usize>load<u32>(s, 12)) * SLOT_BYTES;
        continue;
      }
    } else if (code === OP_BLOCK) {
      const inner = <usize>load<u32>(s, 4);
      const blockEnd = s + (1 + inner) * SLOT_BYTES;
      let all = true;
      for (let b = s + SLOT_BYTES; b < blockEnd && all; b += <usize>(load<u32>(b) >> 24) * SLOT_BYTES)
        all = holds(b);
      if (all === (((h >> 8) & OP_FLAG_INVERT) !== 0)) return NO;
      s = blockEnd;
      continue;
    } else if (code === OP_TCP_OPTION) {
      const r = tcpOption(load<u32>(s, 8), ((h >> 8) & OP_FLAG_INVERT) !== 0);
      if (r !== YES) return r;
    } else if (code <= OP_PORT_LIST || code === OP_FALSE) {
      if (!holds(s)) return NO;
    } else if (code === OP_STATEFUL) {
      // statistic, quota and limit run here (state.ts); the other kinds give UNDECIDED.
      const r = stateful(s);
      if (r !== YES) return r;
    } else if (code === OP_HOST && hostQueries && load<u32>(s, 4) === X_ADDRTYPE) {
      if (!addrtypeHolds(params + ((<usize>load<u32>(s, 8)) << 2))) return NO;
    } else if (code === OP_HOST && hostQueries && load<u32>(s, 4) === X_PKTTYPE) {
      if (!pkttypeHolds(params + ((<usize>load<u32>(s, 8)) << 2))) return NO;
    } else if (code === OP_HOST && hostQueries && !ipv6 && load<u32>(s, 4) === X_RPFILTER) {
      if (!rpfilterHolds(params + ((<usize>load<u32>(s, 8)) << 2))) return NO;
    } else if (code === OP_HOST && hostQueries && load<u32>(s, 4) === X_OWNER) {
      if (!ownerHolds(params + ((<usize>load<u32>(s, 8)) << 2))) return NO;
    } else {
      // Other HOST ops, UNSUPPORTED: the host's business.
      return UNDECIDED;
    }
    s += <usize>(h >> 24) * SLOT_BYTES;
  }
  return YES;
}

export function setCt(record: usize): void {
  ct = record;
}
