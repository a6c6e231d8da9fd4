// -m hashlimit (revision 3): the kernel's hashlimit_mt_common (net/netfilter/xt_hashlimit.c).
// Tables are shared by name and family (ctx.sharedState); each holds one bucket per key
// (hashlimit_init_dst: the selected addresses under their prefix masks, the selected ports).
// Times are jiffies of packet time (HZ in ./limit.ts).
//
// Kernel facts that decide the subtle cases:
// - A table keeps the configuration of the rule that created it (htable_create copies the
//   rule's cfg): key fields, masks, rate, burst, sizes, expiry. Another rule naming the same
//   table uses that configuration, and only its own --hashlimit-above (XT_HASHLIMIT_INVERT).
//   The kernel creates tables at load, in rule order; here the first rule to see a packet.
// - Entries are found without looking at their expiry; only the garbage collector, every
//   gc-interval from the table's creation, drops entries whose expiry (last packet + expire) has
//   passed. A new entry starts with a full bucket. The kernel's gc is a deferrable work item, so
//   its phase drifts; here it runs at exact multiples of the interval, before any packet of the
//   same jiffy.
// - When the table already holds `max` entries a new key cannot be added and the packet is
//   dropped (hotdrop), as are packets whose ports cannot be read.
// - Packet buckets count in 64-bit credits; byte buckets in 32-bit credits with the burst as a
//   number of whole refills (hashlimit_byte_cost).

import type { Family } from '../../../ir/address.js';
import { prefixMask } from '../../../ir/address.js';
import type { HashlimitMatch } from '../../../ir/matches/hashlimit.js';
import type { MatchContext } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { HZ, jiffiesAt, pow2Below } from './limit.js';

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** XT_HASHLIMIT_SCALE_v2: avg counts microseconds. */
const SCALE_V2 = 1_000_000n;
/** CREDITS_PER_JIFFY for revision 2+: 64-bit credits, one packet a day at the slowest. */
const CPJ = pow2Below(0xffffffffffffffffn / (HZ * 60n * 60n * 24n));
/** CREDITS_PER_JIFFY_BYTES: 32-bit credits refilled once a second. */
const CPJ_BYTES = pow2Below(0xffffffffn / HZ);
/** A full byte bucket: one second's credit. */
const BYTES_FULL = CPJ_BYTES * HZ;
/** HASHLIMIT_MAX_SIZE: hashlimit_mt_check_common truncates size and max to it. */
const MAX_SIZE = 1048576;
/**
 * htable_create's size for --hashlimit-htable-size 0 depends on the host's memory: 8192
 * buckets on hosts with more than 1 GiB, which is assumed.
 */
const DEFAULT_SIZE = 8192;

/** user2credits, revision 3: avg (microseconds) to credits. */
function user2credits(user: bigint): bigint {
  if (SCALE_V2 >= HZ * CPJ) return user / (SCALE_V2 / (HZ * CPJ));
  return u64(user * ((HZ * CPJ) / SCALE_V2));
}

/** user2credits_byte: the cost of 16 bytes, in byte-bucket credits. */
const user2creditsByte = (user: bigint): bigint => (user * BYTES_FULL) >> 32n;

interface TokenBucket {
  readonly kind: 'tokens';
  credit: bigint;
  /** Packets: the bucket depth. Bytes: how many more full refills the burst allows. */
  creditCap: bigint;
  readonly cost: bigint;
}

interface RateWindow {
  readonly kind: 'window';
  /** Whether the last closed window was over the rate (prev_window). */
  prevWindow: boolean;
  currentRate: bigint;
  readonly rate: bigint;
  readonly burst: bigint;
  readonly intervalS: bigint;
}

interface Entry {
  /** Jiffies after which the gc drops the entry. */
  expires: bigint;
  /** rateinfo.prev: jiffies of the last refill. */
  prev: bigint;
  readonly state: TokenBucket | RateWindow;
}

interface HashTable {
  /** The creating rule's configuration (htable_create's cfg copy). */
  readonly cfg: HashlimitMatch;
  readonly max: number;
  readonly created: bigint;
  /** Jiffies of the last garbage-collection pass applied. */
  lastGc: bigint;
  readonly entries: Map<string, Entry>;
}

function newTable(m: HashlimitMatch, now: bigint): HashTable {
  const size = Math.min(m.htableSize === 0 ? DEFAULT_SIZE : m.htableSize, MAX_SIZE);
  let max = Math.min(m.htableMax, MAX_SIZE);
  if (max === 0) max = 8 * size;
  else if (max < size) max = size;
  return { cfg: m, max, created: now, lastGc: now, entries: new Map() };
}

/** msecs_to_jiffies: rounds up (exact at HZ 1000). */
const msecsToJiffies = (ms: number): bigint => (BigInt(ms) * HZ + 999n) / 1000n;

/** htable_gc passes due by `now`: every gc interval after creation. */
function collect(t: HashTable, now: bigint): void {
  const interval = msecsToJiffies(t.cfg.gcIntervalMs) || 1n;
  if (now - t.created < interval) return;
  const due = t.created + ((now - t.created) / interval) * interval;
  if (due <= t.lastGc) return;
  t.lastGc = due;
  for (const [k, e] of t.entries) if (due >= e.expires) t.entries.delete(k); // time_after_eq
}

/** rateinfo_init. */
function initState(cfg: HashlimitMatch): TokenBucket | RateWindow {
  const r = cfg.rate;
  if (cfg.rateMatch) {
    const intervalS = BigInt(cfg.rateMatch.intervalS);
    if (r.unit === 'bytes') {
      const c = BigInt(r.cost);
      const rate = ((c ? 0xffffffffn / c : 0xffffffffn) - 1n) << 4n; // user2rate_bytes
      const burst = r.burst ? u64(BigInt(r.burst) * rate) : rate;
      return { kind: 'window', prevWindow: false, currentRate: 0n, rate, burst, intervalS };
    }
    const avg = BigInt(r.intervalUs);
    const rate = avg === 0n ? 0n : SCALE_V2 / avg; // user2rate
    return {
      kind: 'window',
      prevWindow: false,
      currentRate: 0n,
      rate,
      burst: u64(BigInt(r.burst) + rate),
      intervalS,
    };
  }
  if (r.unit === 'bytes') {
    return {
      kind: 'tokens',
      credit: BYTES_FULL,
      creditCap: BigInt(r.burst),
      cost: user2creditsByte(BigInt(r.cost)),
    };
  }
  const avg = BigInt(r.intervalUs);
  const full = user2credits(u64(avg * BigInt(r.burst)));
  return { kind: 'tokens', credit: full, creditCap: full, cost: user2credits(avg) };
}

/** rateinfo_recalc. */
function recalc(e: Entry, now: bigint, bytes: boolean): void {
  const delta = u64(now - e.prev);
  if (delta === 0n) return;
  const s = e.state;
  if (s.kind === 'window') {
    const interval = BigInt.asUintN(32, s.intervalS * HZ); // u32 * int in the kernel
    if (delta < interval) return;
    e.prev = now;
    s.prevWindow = u64(s.currentRate * interval) > u64(delta * s.rate);
    s.currentRate = 0n;
    return;
  }
  e.prev = now;
  if (bytes) {
    const before = s.credit;
    s.credit = u64(s.credit + u64(CPJ_BYTES * delta));
    if (before >= s.credit) {
      s.credit = BYTES_FULL; // the kernel's overflow check
      return;
    }
    if (s.credit > BYTES_FULL) s.credit = BYTES_FULL;
    return;
  }
  s.credit = u64(s.credit + u64(delta * CPJ));
  if (s.credit > s.creditCap) s.credit = s.creditCap;
}

/** proto_ports_offset: where the two 16-bit "ports" are, or -1 for none. */
function portsOffset(protocol: number): number {
  switch (protocol) {
    case 6: // TCP
    case 17: // UDP
    case 33: // DCCP
    case 132: // SCTP
    case 136: // UDP-Lite
    case 50: // ESP: the SPI
      return 0;
    case 51: // AH: the SPI
      return 4;
    default:
      return -1;
  }
}

/** hashlimit_init_dst: the entry key, or null when the packet must be dropped. */
function entryKey(cfg: HashlimitMatch, ctx: MatchContext, family: Family): string | null {
  const d = ctx.packet.decoded;
  const has = (f: string) => (cfg.key as readonly string[]).includes(f);
  const masked = (addr: readonly number[], len: number) => {
    const mask = prefixMask(family, len);
    return addr.map((w, i) => (w & mask[i]!) >>> 0).join('.');
  };
  const src = has('srcip') ? masked(d.src, cfg.srcPrefixLen) : '-';
  const dst = has('dstip') ? masked(d.dst, cfg.dstPrefixLen) : '-';
  let sport = 0;
  let dport = 0;
  if (has('srcport') || has('dstport')) {
    // IPv4 reads at the IP header's end even in later fragments (the kernel does not check);
    // IPv6's ipv6_skip_exthdr stops at a later fragment's header (no ports) and fails on
    // "no next header" (59).
    let protocol = d.protocol;
    if (family === 'ipv6') {
      if (d.protocol === 59) return null;
      if (d.fragment !== null && d.fragment.offset !== 0) protocol = 44;
    }
    const poff = portsOffset(protocol);
    if (poff >= 0) {
      const at = d.l3Offset + d.ipHeaderLength + poff;
      const b = ctx.packet.bytes;
      if (at + 4 > b.length) return null; // skb_header_pointer fails: hotdrop
      if (has('srcport')) sport = (b[at]! << 8) | b[at + 1]!;
      if (has('dstport')) dport = (b[at + 2]! << 8) | b[at + 3]!;
    }
  }
  return `${src}|${dst}|${sport}|${dport}`;
}

export const hashlimitEvaluator: MatchEvaluator<HashlimitMatch> = {
  kind: 'hashlimit',
  test(m, ctx) {
    const now = jiffiesAt(ctx.now);
    const family = ctx.packet.decoded.family;
    const t = ctx.sharedState('hashlimit', `${family}/${m.name}`, () => newTable(m, now));
    const cfg = t.cfg;
    const key = entryKey(cfg, ctx, family);
    if (key === null) return 'hotdrop';
    collect(t, now);

    const expire = msecsToJiffies(cfg.expireMs);
    const bytes = cfg.rate.unit === 'bytes';
    let e = t.entries.get(key);
    if (e) {
      e.expires = now + expire;
      recalc(e, now, bytes);
    } else {
      if (t.entries.size >= t.max) return 'hotdrop'; // dsthash_alloc_init: table full
      e = { expires: now + expire, prev: now, state: initState(cfg) };
      t.entries.set(key, e);
    }

    const len = BigInt(ctx.packet.bytes.length); // skb->len: the IP datagram
    const s = e.state;
    if (s.kind === 'window') {
      s.currentRate = u64(s.currentRate + (bytes ? len : 1n));
      const under = !s.prevWindow && s.currentRate <= s.burst;
      return under !== m.above;
    }
    let cost = s.cost;
    if (bytes) {
      // hashlimit_byte_cost: 16-byte chunks, at most a full bucket; an empty bucket is refilled
      // while the burst still allows refills.
      cost = ((len >> 4n) + 1n) * s.cost;
      if (cost > BYTES_FULL) cost = BYTES_FULL;
      if (s.credit < cost && s.creditCap > 0n) {
        s.creditCap--;
        s.credit = BYTES_FULL;
      }
    }
    if (s.credit >= cost) {
      s.credit -= cost;
      return !m.above;
    }
    return m.above;
  },
};
