// -m recent: the kernel's recent_mt (net/netfilter/xt_recent.c). Lists are shared by name
// (ctx.sharedState), across both families as in the kernel (one list per name per namespace;
// entries carry their family). Times are jiffies of packet time (HZ in ./limit.ts).
//
// Kernel facts that decide the subtle cases:
// - The address is masked with the *list's* mask, which is the mask of the rule that created the
//   list (recent_mt_check); here, the first rule that evaluates it.
// - A list holds ip_list_tot = 100 addresses; adding one more evicts the least recently *set or
//   updated* one (recent_entry_init takes the LRU head; --rcheck does not refresh).
// - Each address keeps a ring of its last packet times, sized by the kernel to cover the largest
//   --hitcount of any rule on the list (at least 32; ip_pkt_list_tot is 0 by default since
//   Linux 4.15). Stamps are chronological, so the hits inside a --seconds window are the newest
//   ones and the outcome never depends on the ring size as long as it covers the hitcount; this
//   keeps the last XT_RECENT_MAX_NSTAMPS (65536), which covers every legal --hitcount, and
//   assumes packet time does not run backwards.
// - --seconds N is compared as jiffies - (u32)(N * HZ): the product is 32-bit.
// - --update refreshes when the match's result is true, *after* `!` is applied; so
//   `! --update` refreshes exactly when the check failed. --reap drops at most one entry per
//   packet: the list's oldest, if its newest stamp is outside the window (and it is not the
//   entry about to be refreshed).
// - --rttl compares the TTL (hop limit) with the one stored by the last --set/--update; an
//   entry stored with TTL 0, or a packet whose TTL counts as 0, matches any. Where the packet has
//   an output device (FORWARD, OUTPUT, POSTROUTING) and no local socket, the TTL counts one more
//   (the value before forwarding), wrapping in 8 bits.

import type { Family } from '../../../ir/address.js';
import type { RecentMatch } from '../../../ir/matches/recent.js';
import type { MatchContext } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { HZ, jiffiesAt } from './limit.js';

/** ip_list_tot (module parameter, default 100). */
const IP_LIST_TOT = 100;
/** XT_RECENT_MAX_NSTAMPS: no ring is ever larger. */
const MAX_NSTAMPS = 65536;

interface RecentEntry {
  readonly family: Family;
  ttl: number;
  /** Packet times in jiffies: a ring of the last MAX_NSTAMPS, `next` the oldest once full. */
  readonly stamps: number[];
  next: number;
  /** The newest stamp (stamps[index - 1] in the kernel). */
  latest: number;
}

interface RecentList {
  /** t->mask: the creating rule's mask, four words (IPv4 uses the first). */
  readonly mask: readonly number[];
  /** Entries by family and masked address; iteration order is the kernel's LRU list. */
  readonly entries: Map<string, RecentEntry>;
}

function newList(m: RecentMatch): RecentList {
  // libxt_recent starts from an all-ones mask; an IPv4 rule's --mask sets the first word.
  const mask = [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff];
  m.mask.forEach((w, i) => {
    mask[i] = w >>> 0;
  });
  return { mask, entries: new Map() };
}

function addStamp(e: RecentEntry, now: number): void {
  if (e.stamps.length < MAX_NSTAMPS) e.stamps.push(now);
  else {
    e.stamps[e.next] = now;
    e.next = (e.next + 1) % MAX_NSTAMPS;
  }
  e.latest = now;
}

/** recent_entry_update: a new stamp, and to the tail of the LRU list. */
function refresh(list: RecentList, key: string, e: RecentEntry, now: number): void {
  addStamp(e, now);
  list.entries.delete(key);
  list.entries.set(key, e);
}

/** Whether at least `need` stamps are at or after `since` (newest first; null: no window). */
function enoughHits(e: RecentEntry, since: number | null, need: number): boolean {
  if (since === null) return e.stamps.length >= need;
  const n = e.stamps.length;
  const newest = n < MAX_NSTAMPS ? n - 1 : (e.next + n - 1) % n;
  let hits = 0;
  for (let k = 0; k < n; k++) {
    const stamp = e.stamps[(newest - k + n) % n]!;
    if (stamp < since) break; // time_after(since, stamp): this one and all older are stale
    if (++hits >= need) return true;
  }
  return false;
}

/** TTL as recent_mt sees it: before forwarding, when the packet has an output device. */
function packetTtl(ctx: MatchContext): number {
  const ttl = ctx.packet.decoded.ttl;
  const hasOut = ctx.hook === 'forward' || ctx.hook === 'output' || ctx.hook === 'postrouting';
  return hasOut && ctx.packet.socket === null ? (ttl + 1) & 0xff : ttl;
}

export const recentEvaluator: MatchEvaluator<RecentMatch> = {
  kind: 'recent',
  test(m, ctx) {
    const now = Number(jiffiesAt(ctx.now));
    const d = ctx.packet.decoded;
    const addr = m.side === 'destination' ? d.dst : d.src;
    const ttl = packetTtl(ctx);
    const list = ctx.sharedState('recent', m.name, () => newList(m));
    const masked = addr.map((w, i) => (w & list.mask[i]!) >>> 0);
    const key = `${d.family}/${masked.join('.')}`;

    // recent_entry_lookup: with --rttl the stored TTL must agree (0 on either side: any).
    const lookupTtl = m.ttl ? ttl : 0;
    let e = list.entries.get(key);
    if (e && !(lookupTtl === e.ttl || lookupTtl === 0 || e.ttl === 0)) e = undefined;

    let ret = m.invert;
    if (!e) {
      if (m.command !== 'set') return ret;
      if (list.entries.size >= IP_LIST_TOT) {
        const oldest = list.entries.keys().next().value;
        if (oldest !== undefined) list.entries.delete(oldest);
      }
      list.entries.set(key, { family: d.family, ttl, stamps: [now], next: 0, latest: now });
      return !ret;
    }

    if (m.command === 'set') ret = !ret;
    else if (m.command === 'remove') {
      list.entries.delete(key);
      ret = !ret;
    } else {
      const seconds = m.seconds ?? 0;
      const since = now - Number(BigInt.asUintN(32, BigInt(seconds) * HZ));
      if (enoughHits(e, seconds === 0 ? null : since, Math.max(1, m.hitCount ?? 0))) ret = !ret;
      if (m.reap) {
        // recent_entry_reap: only the LRU head, and never the entry about to be refreshed.
        const [headKey, head] = list.entries.entries().next().value ?? [];
        const refreshing = m.command === 'update' && ret;
        if (headKey !== undefined && head && !(head === e && refreshing) && head.latest < since) {
          list.entries.delete(headKey);
        }
      }
    }

    if (m.command === 'set' || (m.command === 'update' && ret)) {
      refresh(list, key, e, now);
      e.ttl = ttl;
    }
    return ret;
  },
};
