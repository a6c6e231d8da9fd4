// recent: a named, per-network-namespace list of recently seen addresses (kernel xt_recent,
// struct xt_recent_mtinfo_v1). Each rule adds to, checks, refreshes or removes the packet's
// source (or destination) address, masked, in the list `name`.

/**
 * set: add the address (or refresh it) and always match; check: match when it is listed;
 * update: like check, and also record this packet's time; remove: match when listed and drop it.
 */
export type RecentCommand = 'set' | 'check' | 'update' | 'remove';

export interface RecentMatch {
  readonly kind: 'recent';
  readonly command: RecentCommand;
  /** Inverts the result (the list is still modified as the command says). */
  readonly invert: boolean;
  /** check/update only: the address must have been seen within this many seconds. */
  readonly seconds?: number;
  /** check/update with seconds: also purge entries older than `seconds`. */
  readonly reap: boolean;
  /** check/update only: the address must have been seen at least this many times (1-65535). */
  readonly hitCount?: number;
  /** check/update only: the packet's TTL must also equal the TTL recorded with the address. */
  readonly ttl: boolean;
  /** The list's name (also its /proc/net/xt_recent file name). */
  readonly name: string;
  /** Which address of the packet is used. */
  readonly side: 'source' | 'destination';
  /** Mask applied to the address before it is stored or looked up (address words). */
  readonly mask: readonly number[];
}

declare module '../match.js' {
  interface MatchKinds {
    recent: RecentMatch;
  }
}
