// -m connlimit (xt_connlimit connlimit_mt over nf_conncount): every rule keeps its own lists of
// connection tuples, one list per masked address (and zone). A packet adds its connection to its
// list and the count is that list's length after pruning connections that have gone away or
// closed. So the count is "connections this rule has seen from the group", not a census of the
// conntrack table: connections established before the rule, or that never passed it, are not
// counted; a connection whose packets pass the rule more than once is counted once.
//
// Modelled as kernel 6.x before the 2025 skb-based rework (checked on 6.18: an established
// connection's packet adds it to an existing list). One CPU, so find_or_evict always evicts
// what it cannot find; the rb-tree walk that garbage-collects *other* keys' lists on insertion
// and the background GC worker are not modelled (they only free lists earlier).

import { prefixMask } from '../../../ir/address.js';
import type { ConnlimitMatch } from '../../../ir/matches/connlimit.js';
import type { CtEntryView, CtTupleKey, CtView } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';

/** CONNCOUNT_GC_MAX_COLLECT: a walk stops after evicting more than this many. */
const GC_MAX_COLLECT = 64;
/** CONFIG_HZ when the host does not say. */
const DEFAULT_HZ = 250;

interface Conn {
  readonly tuple: CtTupleKey;
  readonly zone: number;
}

/** struct nf_conncount_list. */
interface ConnList {
  conns: Conn[];
  /** (u32)jiffies of the last full walk, and the count then. */
  lastGc: number;
  lastGcCount: number;
}

type Lists = Map<string, ConnList>;

/** nf_ct_tuple_equal. */
export function tupleEqual(a: CtTupleKey, b: CtTupleKey): boolean {
  return (
    a.protocol === b.protocol &&
    a.srcPort === b.srcPort &&
    a.dstPort === b.dstPort &&
    a.src.length === b.src.length &&
    a.src.every((w, i) => w >>> 0 === b.src[i]! >>> 0) &&
    a.dst.every((w, i) => w >>> 0 === b.dst[i]! >>> 0)
  );
}

/** (u32)jiffies at packet time: the clock nf_conncount's "same jiffy" shortcut reads. */
function jiffies32(now: bigint, hz: number): number {
  return Number(BigInt.asUintN(32, (now * BigInt(hz)) / 1_000_000_000n));
}

function findEntry(ct: CtView, tuple: CtTupleKey, zone: number): CtEntryView | null {
  if (!ct.find) throw new Error('connlimit needs ctx.ct.find (nf_conntrack_find_get) from the engine');
  return ct.find(tuple, zone);
}

/**
 * __nf_conncount_add: unless the list was walked in this very jiffy (and has not grown by 64
 * since), walk it, evicting connections no longer in the table or TCP-closed, and stop without
 * adding when the tuple is already listed (later stale entries then stay counted). Then append.
 */
function addToList(list: ConnList, ct: CtView, tuple: CtTupleKey, zone: number, jiffies: number): void {
  const sameJiffy = jiffies === list.lastGc && (list.conns.length - list.lastGcCount) >>> 0 < GC_MAX_COLLECT;
  if (!sameJiffy) {
    let collect = 0;
    const kept: Conn[] = [];
    let i = 0;
    for (; i < list.conns.length; i++) {
      const conn = list.conns[i]!;
      if (collect > GC_MAX_COLLECT) break;
      const found = findEntry(ct, conn.tuple, conn.zone);
      if (!found) {
        collect++; // gone (or, on one CPU, unconfirmed: find_or_evict evicts it all the same)
        continue;
      }
      if (tupleEqual(conn.tuple, tuple) && (found.zone ?? 0) === zone) {
        // Already counted: keep the rest of the list as it is.
        list.conns = [...kept, ...list.conns.slice(i)];
        return;
      }
      if (found.tcpClosed === true) {
        collect++;
        continue;
      }
      kept.push(conn);
    }
    list.conns = [...kept, ...list.conns.slice(i)];
    list.lastGc = jiffies;
    list.lastGcCount = list.conns.length;
  }
  list.conns.push({ tuple, zone });
}

export const connlimitEvaluator: MatchEvaluator<ConnlimitMatch> = {
  kind: 'connlimit',
  test: (m, ctx, rule) => {
    const ct = ctx.ct;
    let tuple: CtTupleKey | null;
    let zone = 0;
    if (ct.entry) {
      tuple = { protocol: ct.entry.protocol, ...ct.entry.original };
      zone = ct.entry.zone ?? 0;
    } else {
      // No ct (invalid, untracked): the packet's own tuple in the default zone; none: hotdrop.
      tuple = ct.packetTuple ? ct.packetTuple() : null;
      if (!tuple) return 'hotdrop';
    }
    // The key is the packet's own header address (after any NAT so far) under the mask.
    const addr = m.key === 'destination' ? ctx.packet.decoded.dst : ctx.packet.decoded.src;
    const mask = prefixMask(ctx.family, m.prefixLen);
    const key = `${addr.map((w, i) => (w & mask[i]!) >>> 0).join('.')}|${zone}`;
    const lists = ctx.ruleState<Lists>(rule, m, () => new Map());
    const jiffies = jiffies32(ctx.now, ctx.host.hz ?? DEFAULT_HZ);
    let list = lists.get(key);
    if (!list) {
      // insert_tree: a new list holding just this connection, "walked" now.
      list = { conns: [{ tuple, zone }], lastGc: jiffies, lastGcCount: 0 };
      lists.set(key, list);
    } else {
      addToList(list, ct, tuple, zone, jiffies);
    }
    const connections = list.conns.length;
    // (connections > limit) ^ XT_CONNLIMIT_INVERT (--connlimit-upto).
    return connections > m.limit === m.above;
  },
};
