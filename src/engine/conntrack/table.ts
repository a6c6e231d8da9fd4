// The conntrack hash table (nf_conntrack_core.c): lookup by either direction's tuple,
// allocation against nf_conntrack_max with early drop, confirmation with clash resolution,
// deletion and expiry. Also the NAT by-source index (nf_nat_bysource in nf_nat_core.c).
//
// Time only comes from packet timestamps. An entry is gone once its timeout has passed: lookups
// and confirmation treat expired entries as absent and delete them, `expire(now)` sweeps them
// all, found through an index by timeout (expiry-heap.ts). (The kernel's garbage collector
// runs asynchronously, so when exactly an expired entry stops counting against
// nf_conntrack_max varies there; here it is as if GC were immediate.)
//
// The kernel hashes tuples with siphash under a boot-time random key, so which entries share
// a bucket (and hence which ones early drop evicts) differs from boot to boot. This table
// keeps the kernel's structure — buckets of newest-first chains holding both directions'
// tuples, early drop scanning 8 buckets from the new tuple's — with a deterministic hash
// (jhash2 of the tuple words, keyed by `hashSeed`).

import { ConnEntry, type ProtoState } from './entry.js';
import { ExpiryHeap } from './expiry-heap.js';
import { jhash2, reciprocalScale } from './jhash.js';
import { IPS_ASSURED, IPS_CONFIRMED, IPS_DYING, IPS_FIXED_TIMEOUT, IPS_NAT_CLASH } from './status.js';
import { type ConntrackSettings, DEFAULT_SETTINGS, seconds } from './timeouts.js';
import {
  type Direction,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  type Tuple,
  tupleEqual,
  tupleKey,
  tupleWords,
} from './tuple.js';

interface Node {
  readonly entry: ConnEntry;
  readonly direction: Direction;
}

export interface Found {
  readonly entry: ConnEntry;
  readonly direction: Direction;
}

/** Counters like `conntrack -S` (the subset this model can produce). */
export interface ConntrackStats {
  found: number;
  invalid: number;
  insert: number;
  insertFailed: number;
  drop: number;
  earlyDrop: number;
  clashResolve: number;
}

/** NF_CT_EVICTION_RANGE: how many buckets early drop looks at. */
const EVICTION_RANGE = 8;

export type ConfirmResult =
  | { readonly verdict: 'ACCEPT'; readonly entry: ConnEntry }
  | { readonly verdict: 'DROP'; readonly reason: string };

/** l4proto->allow_clash: protocols whose racing entries may be merged at confirmation. */
export function allowClash(protocol: number): boolean {
  return protocol === IPPROTO_UDP || protocol === IPPROTO_UDPLITE;
}

export interface TableOptions {
  readonly settings?: ConntrackSettings;
  /** Key of the deterministic bucket hash (the kernel's is random per boot). */
  readonly hashSeed?: number;
}

export class ConntrackTable {
  readonly settings: ConntrackSettings;
  readonly stats: ConntrackStats = {
    found: 0,
    invalid: 0,
    insert: 0,
    insertFailed: 0,
    drop: 0,
    earlyDrop: 0,
    clashResolve: 0,
  };
  private readonly hashSeed: number;
  private readonly byKey = new Map<string, Node>();
  private readonly buckets = new Map<number, Node[]>();
  private readonly unconfirmed = new Set<ConnEntry>();
  /** Confirmed entries, including ones only reachable by their reply tuple (NAT clash). */
  private readonly live = new Set<ConnEntry>();
  /**
   * Connections by original source, oldest first: connections mostly leave in the order they
   * came, so taking one out finds it near the front even when thousands share a source.
   */
  private readonly bySource = new Map<string, ConnEntry[]>();
  /** The confirmed connections (`live`) by timeout, so that expire does not scan them all. */
  private readonly expiry = new ExpiryHeap();
  private nextId = 1;

  constructor(options: TableOptions = {}) {
    this.settings = options.settings ?? DEFAULT_SETTINGS;
    this.hashSeed = options.hashSeed ?? 0;
  }

  /** nf_conntrack_count: entries allocated, confirmed or not (expired ones until swept). */
  get count(): number {
    return this.live.size + this.unconfirmed.size;
  }

  private bucketOf(t: Tuple, zone: number): number {
    return reciprocalScale(jhash2(tupleWords(t, zone), this.hashSeed), Math.max(1, this.settings.buckets));
  }

  /**
   * nf_conntrack_find_get: the confirmed connection with this tuple in either direction.
   * An expired one is deleted and not returned.
   */
  find(t: Tuple, zone: number, now: bigint): Found | null {
    const node = this.byKey.get(tupleKey(t, zone));
    if (!node) return null;
    if (node.entry.isExpired(now)) {
      this.delete(node.entry);
      return null;
    }
    return node;
  }

  /**
   * __nf_conntrack_alloc: a new, unconfirmed entry, or null when the table is full and early
   * drop found nothing to evict (the kernel then drops the packet: "table full, dropping packet").
   */
  alloc(original: Tuple, reply: Tuple, zone: number, now: bigint, proto: ProtoState): ConnEntry | null {
    const max = this.settings.max;
    if (max > 0 && this.count + 1 > max) {
      this.expire(now);
      if (this.count + 1 > max && !this.earlyDrop(this.bucketOf(original, zone), now)) {
        this.stats.drop++;
        return null;
      }
    }
    const entry = new ConnEntry(this.nextId++, original, reply, zone, proto);
    this.unconfirmed.add(entry);
    return entry;
  }

  /**
   * early_drop: from the new tuple's bucket on, in up to 8 buckets, evict every confirmed
   * connection that is not ASSURED in the first bucket that has any.
   */
  private earlyDrop(startBucket: number, now: bigint): boolean {
    const size = Math.max(1, this.settings.buckets);
    let bucket = startBucket;
    for (let i = 0; i < EVICTION_RANGE; i++) {
      if (i > 0) bucket = (bucket + 1) % size;
      let drops = 0;
      for (const node of [...(this.buckets.get(bucket) ?? [])]) {
        const ct = node.entry;
        if (ct.status & IPS_DYING) continue;
        if (ct.isExpired(now)) {
          this.delete(ct);
          continue;
        }
        if (ct.status & IPS_ASSURED) continue;
        if (!ct.confirmed) continue;
        this.delete(ct);
        drops++;
      }
      if (drops > 0) {
        this.stats.earlyDrop += drops;
        return true;
      }
    }
    return false;
  }

  /** Frees an unconfirmed entry whose packet did not make it to confirmation. */
  release(entry: ConnEntry): void {
    if (!this.unconfirmed.delete(entry)) return;
    this.removeBySource(entry);
  }

  /** nf_ct_delete: take a connection out of the table (it may still be attached to a packet). */
  delete(entry: ConnEntry): boolean {
    if (entry.status & IPS_DYING) return false;
    entry.status |= IPS_DYING;
    if (this.unconfirmed.delete(entry)) {
      this.removeBySource(entry);
      return true;
    }
    for (const dir of ['original', 'reply'] as const) {
      const key = tupleKey(entry.tuple[dir], entry.zone);
      const node = this.byKey.get(key);
      if (node && node.entry === entry) {
        this.byKey.delete(key);
        const chain = this.buckets.get(this.bucketOf(entry.tuple[dir], entry.zone));
        if (chain) {
          const i = chain.indexOf(node);
          if (i >= 0) chain.splice(i, 1);
        }
      }
    }
    this.live.delete(entry);
    this.unfile(entry);
    this.removeBySource(entry);
    return true;
  }

  private file(entry: ConnEntry): void {
    this.live.add(entry);
    this.expiry.add(entry);
    entry.expiryIndex = this.expiry;
  }

  private unfile(entry: ConnEntry): void {
    this.expiry.remove(entry);
    entry.expiryIndex = null;
  }

  private insertNode(entry: ConnEntry, dir: Direction): void {
    const t = entry.tuple[dir];
    const node: Node = { entry, direction: dir };
    this.byKey.set(tupleKey(t, entry.zone), node);
    const b = this.bucketOf(t, entry.zone);
    const chain = this.buckets.get(b);
    if (chain) chain.unshift(node);
    else this.buckets.set(b, [node]);
  }

  /**
   * __nf_conntrack_confirm: put a new connection into the table when its first packet leaves
   * the last hook. A connection with the same tuple in either direction that got there first
   * wins: the packet is dropped, unless the protocol allows clashes (UDP), in which case it
   * joins an identical entry (nf_ct_resolve_clash) or, failing that, the new entry is added
   * in its reply direction only with a one-second timeout (nf_ct_resolve_clash_harder).
   */
  confirm(entry: ConnEntry, direction: Direction, now: bigint): ConfirmResult {
    if (direction !== 'original' || entry.confirmed) return { verdict: 'ACCEPT', entry };
    if (entry.status & IPS_DYING || !this.unconfirmed.has(entry)) {
      this.stats.insertFailed++;
      this.release(entry);
      return { verdict: 'DROP', reason: 'connection died before confirmation' };
    }
    const clashOrig = this.find(entry.tuple.original, entry.zone, now);
    const clash = clashOrig ?? this.find(entry.tuple.reply, entry.zone, now);
    if (clash) return this.resolveClash(entry, clash.entry, now);

    this.unconfirmed.delete(entry);
    entry.timeout += now; // relative until now
    this.insertNode(entry, 'original');
    this.insertNode(entry, 'reply');
    entry.status |= IPS_CONFIRMED;
    this.file(entry);
    this.stats.insert++;
    return { verdict: 'ACCEPT', entry };
  }

  private resolveClash(loser: ConnEntry, winner: ConnEntry, now: bigint): ConfirmResult {
    const fail = (): ConfirmResult => {
      this.stats.drop++;
      this.stats.insertFailed++;
      this.release(loser);
      return { verdict: 'DROP', reason: 'clash with an existing connection' };
    };
    if (!allowClash(winner.tuple.original.protocol)) return fail();
    const merged = this.mergeInto(loser, winner);
    if (merged) return merged;
    // nf_ct_resolve_clash_harder: the reply direction must not clash, unless identical.
    const replyClash = this.find(loser.tuple.reply, loser.zone, now);
    if (replyClash) return this.mergeInto(loser, replyClash.entry) ?? fail();
    this.unconfirmed.delete(loser);
    loser.timeout = now + seconds(1);
    loser.status |= IPS_FIXED_TIMEOUT | IPS_NAT_CLASH | IPS_CONFIRMED;
    this.insertNode(loser, 'reply');
    this.file(loser);
    this.stats.clashResolve++;
    return { verdict: 'ACCEPT', entry: loser };
  }

  /** __nf_ct_resolve_clash: same flow (either way round)? Then the packet joins the winner. */
  private mergeInto(loser: ConnEntry, winner: ConnEntry): ConfirmResult | null {
    const same =
      loser.zone === winner.zone &&
      ((tupleEqual(winner.tuple.original, loser.tuple.original) &&
        tupleEqual(winner.tuple.reply, loser.tuple.reply)) ||
        (tupleEqual(winner.tuple.original, loser.tuple.reply) &&
          tupleEqual(winner.tuple.reply, loser.tuple.original)));
    if (!same) return null;
    winner.packets.original += loser.packets.original;
    winner.bytes.original += loser.bytes.original;
    this.release(loser);
    this.stats.clashResolve++;
    return { verdict: 'ACCEPT', entry: winner };
  }

  /**
   * nf_conntrack_tuple_taken: is `t` some other confirmed connection's tuple (either direction)?
   * Not when that connection has the same original tuple as `ignored` (the same flow racing).
   */
  tupleTaken(t: Tuple, ignored: ConnEntry, now: bigint): boolean {
    const found = this.find(t, ignored.zone, now);
    if (!found || found.entry === ignored) return false;
    return !tupleEqual(ignored.tuple.original, found.entry.tuple.original);
  }

  /** Deletes every expired connection (found through the expiry index); returns how many. */
  expire(now: bigint): number {
    return this.expiry.due(now, (entry) => this.delete(entry));
  }

  /** Confirmed, unexpired connections in allocation order. */
  entries(now: bigint): ConnEntry[] {
    return [...this.live].filter((e) => !e.isExpired(now)).sort((a, b) => a.id - b.id);
  }

  private sourceKey(t: Tuple, zone: number): string {
    return `${zone}|${t.family}|${t.protocol}|${t.src.join('.')}|${t.sport}`;
  }

  /** Adds a connection with a source manip set up to the by-source index (nf_nat_setup_info). */
  addBySource(entry: ConnEntry): void {
    const key = this.sourceKey(entry.tuple.original, entry.zone);
    const list = this.bySource.get(key);
    if (list) list.push(entry);
    else this.bySource.set(key, [entry]);
  }

  /**
   * Connections whose original source (protocol, address, port) is `t`'s, newest first, as
   * find_appropriate_src walks them (same_src).
   */
  *sameSource(t: Tuple, zone: number, now: bigint): Generator<ConnEntry> {
    const list = this.bySource.get(this.sourceKey(t, zone)) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (!list[i]!.isExpired(now)) yield list[i]!;
  }

  private removeBySource(entry: ConnEntry): void {
    const key = this.sourceKey(entry.tuple.original, entry.zone);
    const list = this.bySource.get(key);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.bySource.delete(key);
  }

  /** Flushes everything (`conntrack -F`). */
  flush(): void {
    for (const e of [...this.live]) this.delete(e);
    for (const e of [...this.unconfirmed]) this.release(e);
  }
}
