// The packet times the engines take: signed nanoseconds within ±2^62 (the years 1824 to 2116).
// Both engines add timeouts and intervals to a packet's time in signed 64-bit arithmetic, the
// WebAssembly engine wrapping, the reference engine in exact bigints; near the int64 limits
// the two would part (a connection's timeout wrapped negative is expired for one, not for the
// other). The trace readers saturate capture times to this range (src/trace/timestamp.ts), and
// the engines refuse a time outside it before anything changes.

export const PACKET_TIME_MAX = (1n << 62n) - 1n;
export const PACKET_TIME_MIN = -(1n << 62n);

/** Throws a RangeError for a packet time outside [PACKET_TIME_MIN, PACKET_TIME_MAX]. */
export function checkPacketTime(ns: bigint): void {
  if (ns > PACKET_TIME_MAX || ns < PACKET_TIME_MIN) throw packetTimeError(ns);
}

/** checkPacketTime for a time as its two 32-bit words (two's complement): the top two bits must agree. */
export function checkPacketTimeWords(lo: number, hi: number): void {
  const top = hi >>> 30;
  if (top !== 0 && top !== 3)
    throw packetTimeError(BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)));
}

function packetTimeError(ns: bigint): RangeError {
  return new RangeError(
    `packet time ${ns} ns is outside the range the engines take (-2^62 to 2^62 - 1 ns, the years 1824 to 2116)`,
  );
}
