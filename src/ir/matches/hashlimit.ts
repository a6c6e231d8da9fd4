// hashlimit: one token bucket per group of packets, the group chosen by hashing selected
// address/port fields (kernel xt_hashlimit, struct xt_hashlimit_mtinfo3).

export type HashlimitKeyField = 'srcip' | 'srcport' | 'dstip' | 'dstport';

/** Packet-rate buckets: one credit per interval, `burst` credits deep. */
export interface HashlimitPacketRate {
  readonly unit: 'packets';
  /** Average time between matching packets, in microseconds (XT_HASHLIMIT_SCALE_v2). */
  readonly intervalUs: number;
  /** Bucket depth in packets (1-1000000). */
  readonly burst: number;
}

/** Byte-rate buckets (packet lengths counted in 16-byte steps). */
export interface HashlimitByteRate {
  readonly unit: 'bytes';
  /**
   * The kernel's credit cost of 16 bytes: 0xffffffff / (bytes per second / 16 + 1), in the
   * kernel's integer arithmetic.
   */
  readonly cost: number;
  /** Bucket depth in multiples of the per-second rate (0: one second's worth). */
  readonly burst: number;
}

export interface HashlimitMatch {
  readonly kind: 'hashlimit';
  /** false: matches while the group's bucket has credit; true: matches once it is exhausted. */
  readonly above: boolean;
  readonly rate: HashlimitPacketRate | HashlimitByteRate;
  /** Fields that identify a group, in kernel order; empty: one bucket for everything. */
  readonly key: readonly HashlimitKeyField[];
  /** Prefix lengths applied to the addresses before hashing. */
  readonly srcPrefixLen: number;
  readonly dstPrefixLen: number;
  /** Name of the shared hash table (its /proc/net/ipt_hashlimit file). */
  readonly name: string;
  /** Hash buckets (0: the kernel chooses from memory size). */
  readonly htableSize: number;
  /** Maximum entries (0: 8 x htableSize). */
  readonly htableMax: number;
  /** Milliseconds between garbage collection runs. */
  readonly gcIntervalMs: number;
  /** Milliseconds after which an idle entry is dropped. */
  readonly expireMs: number;
  /**
   * Rate-match mode: instead of policing, match when the group's measured rate over
   * `intervalS` seconds is below (or, with `above`, above) the rate.
   */
  readonly rateMatch?: { readonly intervalS: number };
}

declare module '../match.js' {
  interface MatchKinds {
    hashlimit: HashlimitMatch;
  }
}
