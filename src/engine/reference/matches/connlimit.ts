// -m connlimit (xt_connlimit connlimit_mt over nf_conncount): every rule keeps its own lists of
// connection tuples, one list per masked address (and zone). A packet adds its connection to its
// list and the count is that list's length after pruning connections that have gone away or
// closed. So the count is "connections this rule has seen from the group", not a census of the
// conntrack table: connections that never sent a packet through the rule are not counted, and a
// connection already established when the rule was loaded is counted from its next packet on.
//
// Checked on 6.18 (veth, iptables-legacy): an established connection's packet adds it to an
// existing list, repeated packets of a connection count once, and packets in the same jiffy are
// not counted twice (no "same jiffy" shortcut for them). One CPU: find_or_evict always evicts
// what the table no longer holds. Not modelled: the rb-tree walk that garbage-collects other
// keys' lists on insertion and the background GC worker (they only free lists earlier).

import { prefixMask } from '../../../ir/address.js';
import type { ConnlimitMatch } from '../../../ir/matches/connlimit.js';
import type { CtTupleKey, CtView } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';

/** CONNCOUNT_GC_MAX_NODES: a walk stops once it has evicted more than this many. */
const GC_MAX_NODES = 8;

interface Conn {
  readonly tuple: CtTupleKey;
  readonly zone: number;
}

/** The rule's nf_conncount data: masked address + zone -> its list (struct nf_conncount_list). */
type Lists = Map<string, Conn[]>;

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

/**
 * __nf_conncount_add: walk the list in order, evicting connections the table no longer holds
 * (find_or_evict) and TCP ones in TIME_WAIT/CLOSE (already_closed); stop without adding when
 * the tuple is already listed (entries after it are then left as they are, stale or not);
 * else append it.
 */
function addToList(list: Conn[], ct: CtView, tuple: CtTupleKey, zone: number): Conn[] {
  const find = ct.find;
  if (!find) throw new Error('connlimit needs ctx.ct.find (nf_conntrack_find_get) from the engine');
  const kept: Conn[] = [];
  let collect = 0;
  let i = 0;
  for (; i < list.length; i++) {
    if (collect > GC_MAX_NODES) break;
    const conn = list[i]!;
    const found = find.call(ct, conn.tuple, conn.zone);
    if (!found) {
      collect++;
      continue;
    }
    if (tupleEqual(conn.tuple, tuple) && (found.zone ?? 0) === zone) return [...kept, ...list.slice(i)];
    if (found.tcpClosed === true) {
      collect++;
      continue;
    }
    kept.push(conn);
  }
  return [...kept, ...list.slice(i), { tuple, zone }];
}

export const connlimitEvaluator: MatchEvaluator<ConnlimitMatch> = {
  kind: 'connlimit',
  test: (m, ctx, rule) => {
    const ct = ctx.ct;
    let tuple: CtTupleKey | null;
    let zone = 0;
    if (ct.entry) {
      // The connection's original tuple, whichever direction the packet goes.
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
    const list = lists.get(key);
    // insert_tree: a first packet makes a list holding just its connection.
    const next = list ? addToList(list, ct, tuple, zone) : [{ tuple, zone }];
    lists.set(key, next);
    // (connections > limit) ^ XT_CONNLIMIT_INVERT (--connlimit-upto).
    return next.length > m.limit === m.above;
  },
};
