// Exact conversion of capture timestamps to signed 64-bit nanoseconds since the epoch.
//
// The hot path never allocates a bigint: a 64-bit value is two 32-bit words in plain numbers,
// multiplied in 16-bit limbs so every partial product stays below 2^53, and stored through a
// Uint32Array that aliases the batch's BigInt64Array. Resolutions finer than a nanosecond or
// not a power of ten take a bigint path (rare in practice).

import { PACKET_TIME_MAX, PACKET_TIME_MIN } from '../engine/packet-time.js';

/** Units of a pcapng `if_tsresol`: `base ** -exponent` seconds. */
export interface TimestampResolution {
  readonly base: 10 | 2;
  readonly exponent: number;
}

export const MICROSECONDS: TimestampResolution = { base: 10, exponent: 6 };
export const NANOSECONDS: TimestampResolution = { base: 10, exponent: 9 };

const TWO32 = 4294967296;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Index of the low and high word of element i of a BigInt64Array seen as a Uint32Array. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
export const LOW_WORD = LITTLE_ENDIAN_HOST ? 0 : 1;
export const HIGH_WORD = LITTLE_ENDIAN_HOST ? 1 : 0;

/**
 * Converts raw timestamps of one interface (or one classic pcap file) to nanoseconds, saturating
 * at the packet time range the engines take (src/engine/packet-time.ts): a capture time outside
 * it is damage, not a date.
 */
export class TimestampScale {
  /**
   * 10^(9 - exponent) for decimal resolutions of a nanosecond or coarser, else 0 (bigint path;
   * also for absurd offsets beyond the int64 nanosecond range).
   */
  private readonly multiplier: number;
  private readonly offsetHi: number;
  private readonly offsetLo: number;
  private readonly offsetNs: bigint;
  private readonly unitsPerSecond: bigint;
  /** Words of the last conversion (avoids returning an object per packet). */
  private hi = 0;
  private lo = 0;

  constructor(
    readonly resolution: TimestampResolution,
    /** pcapng `if_tsoffset`: seconds added to every timestamp. */
    readonly offsetSeconds = 0n,
  ) {
    const { base, exponent } = resolution;
    this.unitsPerSecond = BigInt(base) ** BigInt(exponent);
    this.offsetNs = offsetSeconds * 1_000_000_000n;
    const offsetFits = this.offsetNs >= INT64_MIN && this.offsetNs <= INT64_MAX;
    this.multiplier = base === 10 && exponent <= 9 && offsetFits ? 10 ** (9 - exponent) : 0;
    const offsetWords = BigInt.asUintN(64, this.offsetNs);
    this.offsetHi = Number(offsetWords >> 32n);
    this.offsetLo = Number(offsetWords & 0xffffffffn);
  }

  /** Nanoseconds per unit when a whole number (and the offset fits 64 bits), else 0: the fast paths' case. */
  get nanosecondsPerUnit(): number {
    return this.multiplier;
  }

  /** `offsetSeconds` in nanoseconds. */
  get offsetNanoseconds(): bigint {
    return this.offsetNs;
  }

  /**
   * Stores the time of a 64-bit unit count `hi:lo` (a pcapng block's timestamp) as element
   * `index` of the BigInt64Array whose words are `words`. Returns false if it saturated (outside
   * the packet time range).
   */
  storeUnits(hi: number, lo: number, words: Uint32Array, ts: BigInt64Array, index: number): boolean {
    const m = this.multiplier;
    if (m === 0 || !this.multiply(hi, lo, m) || !this.addOffset()) return this.storeSlow(hi, lo, ts, index);
    words[2 * index + LOW_WORD] = this.lo;
    words[2 * index + HIGH_WORD] = this.hi;
    return true;
  }

  /**
   * Stores seconds plus a fraction in this scale's units (a classic pcap record: microseconds
   * or nanoseconds); 2^32 s * 1e9 + 2^32 * 1e3 < 2^62, so this cannot leave the packet time range.
   */
  storeSecondsFraction(seconds: number, fraction: number, words: Uint32Array, index: number): void {
    const m = this.multiplier;
    this.multiply(0, seconds, 1_000_000_000);
    const f = fraction * m; // < 2^32 * 1000 < 2^53
    const lo = this.lo + (f % TWO32);
    this.lo = lo >>> 0;
    this.hi = (this.hi + Math.floor(f / TWO32) + (lo >= TWO32 ? 1 : 0)) >>> 0;
    words[2 * index + LOW_WORD] = this.lo;
    words[2 * index + HIGH_WORD] = this.hi;
  }

  /** The exact nanoseconds of a 64-bit unit count, for callers outside the hot path. */
  unitsToNs(units: bigint): bigint {
    const m = this.multiplier;
    const ns = m !== 0 ? units * BigInt(m) : (units * 1_000_000_000n) / this.unitsPerSecond;
    return ns + this.offsetNs;
  }

  /** hi:lo := hi:lo * m (m < 2^30); false if the product is not below 2^62 (PACKET_TIME_MAX). */
  private multiply(hi: number, lo: number, m: number): boolean {
    const p = (lo & 0xffff) * m; // < 2^46
    const q = (lo >>> 16) * m; // < 2^46
    const low = p + (q % 65536) * 65536; // < 2^47
    const carry = Math.floor(low / TWO32) + Math.floor(q / 65536);
    this.lo = low >>> 0;
    this.hi = (Math.imul(hi, m) + carry) >>> 0;
    return hi * m + carry < 1073741824;
  }

  /**
   * hi:lo += offset (two's complement) for a product below 2^62; false if the sum leaves the
   * packet time range: the sum of such a product and any int64 offset lies in [-2^63, 2^63 +
   * 2^62), so its two top bits tell (00 or 11 inside, a wrapped sum shows 10).
   */
  private addOffset(): boolean {
    if (this.offsetHi === 0 && this.offsetLo === 0) return true;
    const lo = this.lo + this.offsetLo;
    const hiSum = this.hi + this.offsetHi + (lo >= TWO32 ? 1 : 0);
    this.lo = lo >>> 0;
    this.hi = hiSum >>> 0;
    const top = this.hi >>> 30;
    return top === 0 || top === 3;
  }

  /** Kept out of storeUnits so that the hot path stays free of bigint code. */
  private storeSlow(hi: number, lo: number, ts: BigInt64Array, index: number): boolean {
    return this.storeBig(this.unitsToNs((BigInt(hi) << 32n) | BigInt(lo)), ts, index);
  }

  /** The bigint path: exact, saturating. */
  private storeBig(nanoseconds: bigint, ts: BigInt64Array, index: number): boolean {
    let ns = nanoseconds;
    let ok = true;
    if (ns > PACKET_TIME_MAX) {
      ns = PACKET_TIME_MAX;
      ok = false;
    } else if (ns < PACKET_TIME_MIN) {
      ns = PACKET_TIME_MIN;
      ok = false;
    }
    ts[index] = ns;
    return ok;
  }
}
