// The NAT by-source index (nf_nat_bysource; ConntrackTable.addBySource / sameSource /
// removeBySource in src/engine/conntrack/table.ts): connections with a source manip set up,
// chained newest first per hash bucket of (zone, family, protocol, source address, port).
// find_appropriate_src walks one key's connections newest first, which is the bucket chain
// filtered by key. The chain is doubly linked, like the kernel's hlist, through words of the
// entry (nat-store.ts: bySourceLink, bySourcePrev): many connections share a source when a
// client reuses its port or a service answers from a fixed one, and taking one out of a chain
// of thousands must not walk it.

import { alloc } from '../memory';
import { jhash2, reciprocalScale } from './jhash';
import { CT_NONE, E_FLAGS, E_ZONE, EF_BYSOURCE } from './layout';
import { bySourceLink, bySourcePrev } from './nat-store';
import { entryAt, isExpired } from './table';
import { entryOriginal, T_IPV6, T_PROTO, T_SPORT, T_SRC, TUPLE_BYTES } from './tuple';

let heads: usize = 0;
let headCount: u32 = 1;
const keyWords: usize = memory.data(8 * 4, 16);
const orig: usize = memory.data(<i32>TUPLE_BYTES, 16);
const other: usize = memory.data(<i32>TUPLE_BYTES, 16);

export function initBySource(buckets: u32): void {
  headCount = max<u32>(1, buckets);
  heads = alloc((<usize>headCount) << 2);
  memory.fill(heads, 0xff, (<usize>headCount) << 2);
}

function headOf(t: usize, zone: u32): usize {
  memory.copy(keyWords, t + T_SRC, 16);
  store<u32>(keyWords, (load<u32>(t, T_SPORT) << 16) | load<u32>(t, T_PROTO), 16);
  store<u32>(keyWords, (zone << 1) | load<u32>(t, T_IPV6), 20);
  return heads + ((<usize>reciprocalScale(jhash2(keyWords, 6, 0), headCount)) << 2);
}

/** same_src: does tuple `a`'s source (family, protocol, address, port) equal `b`'s? */
export function sameSrc(a: usize, b: usize): bool {
  return (
    load<u32>(a, T_IPV6) === load<u32>(b, T_IPV6) &&
    load<u32>(a, T_PROTO) === load<u32>(b, T_PROTO) &&
    load<u32>(a, T_SPORT) === load<u32>(b, T_SPORT) &&
    load<u64>(a, T_SRC) === load<u64>(b, T_SRC) &&
    load<u64>(a, T_SRC + 8) === load<u64>(b, T_SRC + 8)
  );
}

/** addBySource: index entry `idx` under its original source (nf_nat_setup_info). */
export function addBySource(idx: u32): void {
  const e = entryAt(idx);
  entryOriginal(e, orig);
  const head = headOf(orig, <u32>load<u16>(e, E_ZONE));
  const first = load<u32>(head);
  store<u32>(bySourceLink(e), first);
  store<u32>(bySourcePrev(e), CT_NONE);
  if (first !== CT_NONE) store<u32>(bySourcePrev(entryAt(first)), idx);
  store<u32>(head, idx);
  store<u8>(e, load<u8>(e, E_FLAGS) | EF_BYSOURCE, E_FLAGS);
}

/** removeBySource: take entry `idx` out of the index (release, delete). */
export function removeBySource(idx: u32): void {
  const e = entryAt(idx);
  if ((load<u8>(e, E_FLAGS) & EF_BYSOURCE) === 0) return;
  store<u8>(e, load<u8>(e, E_FLAGS) & ~EF_BYSOURCE, E_FLAGS);
  const next = load<u32>(bySourceLink(e));
  const prev = load<u32>(bySourcePrev(e));
  if (prev === CT_NONE) {
    entryOriginal(e, orig);
    store<u32>(headOf(orig, <u32>load<u16>(e, E_ZONE)), next);
  } else {
    store<u32>(bySourceLink(entryAt(prev)), next);
  }
  if (next !== CT_NONE) store<u32>(bySourcePrev(entryAt(next)), prev);
}

/**
 * sameSource, one step: the next unexpired connection after `from` (CT_NONE: from the start)
 * whose original source is `t`'s, in zone `zone`; CT_NONE when there is none.
 */
export function nextSameSource(from: u32, t: usize, zone: u32, now: i64): u32 {
  let cur = from === CT_NONE ? load<u32>(headOf(t, zone)) : load<u32>(bySourceLink(entryAt(from)));
  while (cur !== CT_NONE) {
    const e = entryAt(cur);
    if (<u32>load<u16>(e, E_ZONE) === zone && !isExpired(e, now)) {
      entryOriginal(e, other);
      if (sameSrc(other, t)) return cur;
    }
    cur = load<u32>(bySourceLink(e));
  }
  return CT_NONE;
}
