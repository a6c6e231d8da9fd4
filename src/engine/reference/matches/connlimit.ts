// -m connlimit (xt_connlimit connlimit_mt over nf_conncount, as Linux 6.18.44 has it): every rule
// keeps its own lists of connection tuples, one list per masked address and zone. The count is
// "connections this rule has seen from the group and not yet seen gone", not a census of the
// conntrack table.
//
// A packet whose address has no list starts one holding its connection (count 1). Otherwise:
// - the packet of a confirmed connection that is assured, or in its original direction with
//   replies seen (ctinfo IP_CT_ESTABLISHED), adds nothing: the list is pruned (connections
//   conntrack no longer holds and TCP ones in TIME_WAIT or CLOSE leave it), at most once a
//   jiffy, and its length is the count;
// - any other packet walks the list in order, pruning as it goes (the walk stops past
//   CONNCOUNT_GC_MAX_COLLECT evictions), and stops without adding when it meets its own tuple;
//   else it appends its tuple. Within the jiffy of the list's last pruning, and while fewer than
//   CONNCOUNT_GC_MAX_COLLECT were added since, it appends without walking.
// A count of 0 (a list pruned empty) drops the packet (hotdrop), as does a packet without a
// connection whose tuple cannot be read.
//
// Checked on 6.18.44 (test/fixtures/scenarios/engine-connlimit, packets 20 ms apart so that each
// is in a jiffy of its own). One CPU: a connection not found is always evicted. Not modelled:
// the rb-tree walk that prunes other keys' lists on insertion and the background GC worker that
// frees empty lists (lists here are never freed).

import { prefixMask } from '../../../ir/address.js';
import type { ConnlimitMatch } from '../../../ir/matches/connlimit.js';
import type { CtEntryView, CtTupleKey, CtView } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { jiffiesAt } from './limit.js';

/** CONNCOUNT_GC_MAX_COLLECT: a walk stops once it has evicted more than this many. */
const GC_MAX_COLLECT = 64;

interface Conn {
  readonly tuple: CtTupleKey;
  readonly zone: number;
}

/** struct nf_conncount_list. */
interface ConnList {
  conns: Conn[];
  /** Jiffy of the last pruning (or of the list's creation). */
  lastGc: bigint;
  /** Its length then. */
  lastGcCount: number;
}

/** The rule's nf_conncount data: masked address + zone -> its list. */
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

function lookup(ct: CtView): NonNullable<CtView['find']> {
  const find = ct.find;
  if (!find) throw new Error('connlimit needs ctx.ct.find (nf_conntrack_find_get) from the engine');
  return find.bind(ct);
}

/**
 * __nf_conncount_add's walk: in order, evicting connections the table no longer holds
 * (find_or_evict) and TCP ones in TIME_WAIT/CLOSE (already_closed), up to GC_MAX_COLLECT + 1 of
 * them; the tuple already listed stops it without adding (and without noting a pruning).
 */
function walkAndAdd(list: ConnList, ct: CtView, tuple: CtTupleKey, zone: number, jiffy: bigint): void {
  const find = lookup(ct);
  const kept: Conn[] = [];
  let collect = 0;
  let i = 0;
  for (; i < list.conns.length; i++) {
    if (collect > GC_MAX_COLLECT) break;
    const conn = list.conns[i]!;
    const found = find(conn.tuple, conn.zone);
    if (!found) {
      collect++;
      continue;
    }
    if (tupleEqual(conn.tuple, tuple) && (found.zone ?? 0) === zone) {
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
  list.lastGc = jiffy;
  list.lastGcCount = list.conns.length;
  list.conns.push({ tuple, zone });
}

/** nf_conncount_gc_list: once a jiffy, the whole list pruned (stopping past GC_MAX_COLLECT evictions at a kept one). */
function prune(list: ConnList, ct: CtView, jiffy: bigint): void {
  if (jiffy === list.lastGc) return;
  const find = lookup(ct);
  const kept: Conn[] = [];
  let collected = 0;
  let i = 0;
  for (; i < list.conns.length; i++) {
    const conn = list.conns[i]!;
    const found = find(conn.tuple, conn.zone);
    if (!found || found.tcpClosed === true) {
      collected++;
      continue;
    }
    kept.push(conn);
    if (collected > GC_MAX_COLLECT) {
      i++;
      break;
    }
  }
  list.conns = [...kept, ...list.conns.slice(i)];
  list.lastGc = jiffy;
  list.lastGcCount = list.conns.length;
}

/**
 * get_ct_or_tuple_from_skb: the packet's connection (its original tuple and zone), else its own
 * tuple in zone 0 and the connection holding that tuple if any; null when it has no tuple.
 */
function connectionOf(
  ct: CtView,
): { tuple: CtTupleKey; zone: number; entry: CtEntryView | null; established: boolean } | null {
  if (ct.entry) {
    return {
      tuple: { protocol: ct.entry.protocol, ...ct.entry.original },
      zone: ct.entry.zone ?? 0,
      entry: ct.entry,
      // ctinfo IP_CT_ESTABLISHED: the original direction once a reply was seen.
      established: ct.state === 'established' && ct.direction === 'original',
    };
  }
  const tuple = ct.packetTuple ? ct.packetTuple() : null;
  if (!tuple) return null;
  // An invalid packet carries no ct: its ctinfo word reads IP_CT_ESTABLISHED (0); an untracked
  // one's IP_CT_UNTRACKED.
  return { tuple, zone: 0, entry: lookup(ct)(tuple, 0), established: ct.state === 'invalid' };
}

export const connlimitEvaluator: MatchEvaluator<ConnlimitMatch> = {
  kind: 'connlimit',
  test: (m, ctx, rule) => {
    const ct = ctx.ct;
    const conn = connectionOf(ct);
    if (!conn) return 'hotdrop';
    const { tuple, zone } = conn;
    // The key is the packet's own header address (after any NAT so far) under the mask, and
    // the zone of the packet's connection.
    const addr = m.key === 'destination' ? ctx.packet.decoded.dst : ctx.packet.decoded.src;
    const mask = prefixMask(ctx.family, m.prefixLen);
    const key = `${addr.map((w, i) => (w & mask[i]!) >>> 0).join('.')}|${ct.entry?.zone ?? 0}`;
    const lists = ctx.ruleState<Lists>(rule, m, () => new Map());
    const jiffy = jiffiesAt(ctx.now);
    const list = lists.get(key);
    let count: number;
    if (!list) {
      // insert_tree: a new list holding the packet's connection.
      lists.set(key, { conns: [{ tuple, zone }], lastGc: jiffy, lastGcCount: 0 });
      count = 1;
    } else {
      const skip = conn.entry?.confirmed === true && (conn.entry.assured || conn.established);
      if (!skip) {
        const shortcut = jiffy === list.lastGc && list.conns.length - list.lastGcCount < GC_MAX_COLLECT;
        if (shortcut && !(conn.entry?.confirmed === true)) list.conns.push({ tuple, zone });
        else walkAndAdd(list, ct, tuple, zone, jiffy);
      } else if (list.conns.length > 0) prune(list, ct, jiffy);
      // (An emptied list is found by insert_tree, which adds to it without pruning.)
      count = list.conns.length;
    }
    // connections == 0: hotdrop. (connections > limit) ^ XT_CONNLIMIT_INVERT.
    if (count === 0) return 'hotdrop';
    return count > m.limit === m.above;
  },
};
