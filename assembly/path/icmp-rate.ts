// ICMP's rate limits per remote address (src/engine/reference/kernel-icmp.ts IcmpRateLimiter):
// icmpv4_xrlim_allow's token bucket (inet_peer_xrlim_allow) and ip_error's own bucket on the
// same inet_peer entry, in nanoseconds of packet time. Peers live in a fixed open-addressed
// table; when it is full the packet path gives the packet up (UNSUPPORTED) rather than guess.

const NS_PER_MS: i64 = 1_000_000;
const PEER_BITS: u32 = 17;
const PEER_SLOTS: u32 = 1 << PEER_BITS;
/** Peer record: address, used, tokens (i64 ns), last (i64 ns). */
const PEER_BYTES: usize = 24;
let peers: usize = 0;
let peerCount: u32 = 0;
/** sysctl net.ipv4.icmp_ratelimit (ms) and icmp_ratemask. */
let ratelimitMs: u32 = 1000;
let ratemask: u32 = 6168;

export const RATE_DENY: u32 = 0;
export const RATE_ALLOW: u32 = 1;
/** The peer table is full: the caller stops the packet as UNSUPPORTED. */
export const RATE_FULL: u32 = 2;

/** Sets the sysctls and empties the peer table (`table`: PEER_SLOTS * PEER_BYTES bytes). */
export function initIcmpRate(table: usize, limitMs: u32, mask: u32): void {
  peers = table;
  peerCount = 0;
  ratelimitMs = limitMs;
  ratemask = mask;
  memory.fill(peers, 0, <usize>PEER_SLOTS * PEER_BYTES);
}

export function icmpRateTableBytes(): usize {
  return <usize>PEER_SLOTS * PEER_BYTES;
}

/** The peer record of `addr`, created 60 s in the past with no tokens (a full first bucket); 0 when full. */
function peer(addr: u32, now: i64): usize {
  let i = (addr * 0x9e3779b1) >>> (32 - PEER_BITS);
  for (let n: u32 = 0; n < PEER_SLOTS; n++) {
    const p = peers + <usize>i * PEER_BYTES;
    if (load<u32>(p, 4) === 0) {
      // Keep a quarter free so probes stay short.
      if (peerCount >= (PEER_SLOTS >> 2) * 3) return 0;
      store<u32>(p, addr);
      store<u32>(p, 1, 4);
      store<i64>(p, 0, 8);
      store<i64>(p, now - 60_000 * NS_PER_MS, 16);
      peerCount++;
      return p;
    }
    if (load<u32>(p) === addr) return p;
    i = (i + 1) & (PEER_SLOTS - 1);
  }
  return 0;
}

/** inet_peer_xrlim_allow: spends `cost` from a bucket refilled by elapsed time, capped at `burst`. */
function spend(p: usize, now: i64, cost: i64, burst: i64): u32 {
  let tokens = load<i64>(p, 8) + (now - load<i64>(p, 16));
  store<i64>(p, now, 16);
  if (tokens > burst) tokens = burst;
  const ok = tokens >= cost;
  if (ok) tokens -= cost;
  store<i64>(p, tokens, 8);
  return ok ? RATE_ALLOW : RATE_DENY;
}

/**
 * icmpv4_xrlim_allow for an ICMP `type`/`code` to `dst`: unlimited types (not in icmp_ratemask),
 * fragmentation needed and errors leaving by the loopback device always pass.
 */
export function icmpAllow(dst: u32, type: u32, code: u32, viaLoopback: bool, now: i64): u32 {
  if (type > 18) return RATE_ALLOW;
  if (type === 3 && code === 4) return RATE_ALLOW;
  if (viaLoopback) return RATE_ALLOW;
  if (((1 << type) & ratemask) === 0) return RATE_ALLOW;
  const timeout = <i64>ratelimitMs * NS_PER_MS;
  if (timeout === 0) return RATE_ALLOW;
  const p = peer(dst, now);
  if (p === 0) return RATE_FULL;
  return spend(p, now, timeout, 6 * timeout);
}

/** ip_error's bucket: ip_rt_error_cost (1 s) per error, ip_rt_error_burst (5 s) at most. */
export function routeErrorAllow(src: u32, now: i64): u32 {
  const p = peer(src, now);
  if (p === 0) return RATE_FULL;
  const second: i64 = 1000 * NS_PER_MS;
  return spend(p, now, second, 5 * second);
}
