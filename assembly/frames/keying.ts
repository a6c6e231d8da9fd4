// Which worker of `replay --workers` each frame of the batch goes to, and the workers' frame
// indexes (src/replay/frame-index.ts's layout). The keys are src/replay/connection-sharding.ts's,
// bit for bit; what that file keeps state for or reads with bigints — IPv4 fragments (their
// datagram's key is remembered) and IPv6 — is marked PUNT here and keyed there.

import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../conntrack/layout';
import { fmix32 } from '../hash-mix';
import { be16, be32 } from '../memory';
import {
  anyCount,
  anyRanges,
  capturedLengths,
  endpointMask,
  endpointSet,
  flags,
  indexBytes,
  indexCounts,
  indexes,
  interfaceIndexes,
  interfaceWords,
  offsets,
  portMask,
  portUsed,
  rangeCount,
  ranges,
  routes,
  stagingBytes,
  stagingSlot,
  stagingUsed,
  timestamps,
  workers,
} from './layout';

/** Route bytes besides worker numbers. */
const SKIPPED: u8 = 0xff;
const PUNT: u8 = 0xfe;
/** Words per frame in a worker's index (src/replay/frame-index.ts). */
const INDEX_WORDS: usize = 10;

const LINK_ETHERNET: u32 = 1;
const LINK_RAW: u32 = 101;
const LINK_SLL: u32 = 113;
const LINK_IPV4: u32 = 228;
const LINK_IPV6: u32 = 229;
/** The batch's frames have no timestamp (a Simple Packet Block): PacketFlag.NoTimestamp. */
const NO_TIMESTAMP: u8 = 1;

/** Adds a service endpoint to the set (configure first; the set has room for all of them). */
export function addEndpoint(address: u32, port: u32): void {
  store<u8>(portUsed + port, 1);
  let slot = endpoint(address, port) & endpointMask;
  for (;;) {
    const at = endpointSet + ((<usize>slot) << 3);
    const t = load<u32>(at, 4);
    if (t === 0 || (t === (port | 0x10000) && load<u32>(at) === address)) {
      store<u32>(at, address);
      store<u32>(at, port | 0x10000, 4);
      return;
    }
    slot = (slot + 1) & endpointMask;
  }
}

/** connection-sharding.ts `endpoint` and `workerOf` (its `mix` is fmix32). */
function endpoint(address: u32, port: u32): u32 {
  return fmix32(address ^ (port * 0x9e3779b1));
}

function workerOf(key: u32): u32 {
  return (fmix32(key) & 0x7fffffff) % workers;
}

/** Whether `a` lies in one of `count` sorted, disjoint (from, to) pairs at `pairs`. */
function inRanges(pairs: usize, count: i32, a: u32): bool {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = pairs + ((<usize>mid) << 3);
    if (a < load<u32>(at)) hi = mid - 1;
    else if (a > load<u32>(at, 4)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** service-endpoints.ts `has`. */
function isService(address: u32, port: u32): bool {
  if (load<u8>(portUsed + port) !== 0) {
    const tag = port | 0x10000;
    let slot = endpoint(address, port) & endpointMask;
    for (;;) {
      const at = endpointSet + ((<usize>slot) << 3);
      const t = load<u32>(at, 4);
      if (t === 0) break;
      if (t === tag && load<u32>(at) === address) return true;
      slot = (slot + 1) & endpointMask;
    }
  }
  for (let i = 0; i < anyCount; i++) {
    const at = anyRanges + ((<usize>i) << 3);
    if (address >= load<u32>(at) && address <= load<u32>(at, 4)) return true;
  }
  return false;
}

/** connection-sharding.ts `icmpError`. */
function icmpError(type: u32): bool {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** Set by key4 when the packet is a fragment (outer header), which connection-sharding.ts keys. */
let fragment = false;

/** connection-sharding.ts `key4`, for the IPv4 packet at [ip, end). */
function key4(ip: usize, end: usize, inner: bool): u32 {
  const s = be32(ip + 12);
  const d = be32(ip + 16);
  const l4 = ip + ((<usize>load<u8>(ip) & 15) << 2);
  const proto = <u32>load<u8>(ip + 9);
  const frag = be16(ip + 6) & 0x3fff;
  if (frag !== 0 && !inner) {
    fragment = true;
    return 0;
  }
  let sport: u32 = 0;
  let dport: u32 = 0;
  if ((frag & 0x1fff) === 0 && l4 + 4 <= end && (proto === IPPROTO_TCP || proto === IPPROTO_UDP)) {
    sport = be16(l4) & portMask;
    dport = be16(l4 + 2) & portMask;
  } else if (
    !inner &&
    frag === 0 &&
    proto === IPPROTO_ICMP &&
    l4 + 28 <= end &&
    icmpError(<u32>load<u8>(l4))
  ) {
    const quoted = l4 + 8;
    if (<u32>load<u8>(quoted) >> 4 === 4) return key4(quoted, end, true);
  }
  const srcService = isService(s, sport);
  if (srcService !== isService(d, dport)) return srcService ? endpoint(d, dport) : endpoint(s, sport);
  const srcT = inRanges(ranges, rangeCount, s);
  const dstT = inRanges(ranges, rangeCount, d);
  if (srcT && !dstT) return endpoint(d, dport);
  if (dstT && !srcT) return endpoint(s, sport);
  return endpoint(s, sport) + endpoint(d, dport);
}

/** connection-sharding.ts `ipOffset`: where the IP header starts in the frame, or -1. */
function ipOffset(frame: usize, length: u32, linkType: u32): i32 {
  if (length < 1) return -1;
  if (linkType === LINK_RAW || linkType === LINK_IPV4 || linkType === LINK_IPV6) return 0;
  let at: u32;
  if (linkType === LINK_ETHERNET) at = 12;
  else if (linkType === LINK_SLL) at = 14;
  else return -1;
  if (length < at + 2) return -1;
  let type = be16(frame + at);
  while (linkType === LINK_ETHERNET && (type === 0x8100 || type === 0x88a8) && length >= at + 6) {
    at += 4;
    type = be16(frame + at);
  }
  at += 2;
  return (type === 0x0800 || type === 0x86dd) && length > at ? <i32>at : -1;
}

/**
 * Routes frames from..to-1 of the batch, whose chunk starts at `data`: a worker, SKIPPED (its
 * interface has no engine link or name) or PUNT (a fragment or IPv6: key it in JavaScript).
 * Returns how many were punted.
 */
export function route(data: usize, from: i32, to: i32): i32 {
  let punted = 0;
  for (let i = from; i < to; i++) {
    const k = (<usize>i) << 2;
    const link = load<i32>(interfaceWords + ((<usize>load<u32>(interfaceIndexes + k)) << 2));
    if (link < 0) {
      store<u8>(routes + i, SKIPPED);
      continue;
    }
    const frame = data + load<u32>(offsets + k);
    const length = load<u32>(capturedLengths + k);
    const off = ipOffset(frame, length, <u32>link >>> 16);
    let key: u32 = 0;
    if (off >= 0) {
      const ip = frame + off;
      const end = frame + length;
      const version = <u32>load<u8>(ip) >> 4;
      if (version === 4 && end >= ip + 20) {
        fragment = false;
        key = key4(ip, end, false);
        if (fragment) {
          store<u8>(routes + i, PUNT);
          punted++;
          continue;
        }
      } else if (version === 6 && end >= ip + 40) {
        store<u8>(routes + i, PUNT);
        punted++;
        continue;
      }
    }
    store<u8>(routes + i, <u8>workerOf(key));
  }
  return punted;
}

/** Frames the last append skipped. */
let skipped: i32 = 0;

export function appendSkipped(): i32 {
  return skipped;
}

/**
 * Appends frames from..to-1 (routed, no PUNT left) to their workers' indexes: packet numbers
 * from `firstNumber` at frame 0, file offsets from `dataFileOffset` at the chunk's start. A raw
 * frame's link type becomes IPv4 or IPv6 by its version nibble (the worker sees no bytes before
 * its engine has them). With staging, each frame is also copied to its worker's region, and its
 * index entry gives that copy's address; a frame its region has no room for ends the append
 * there (the round is full). Returns where it stopped (`to` when it took all); appendSkipped
 * tells how many it skipped.
 */
export function append(data: usize, from: i32, to: i32, firstNumber: f64, dataFileOffset: f64): i32 {
  skipped = 0;
  const number0 = <u64>firstNumber;
  const file0 = <u64>dataFileOffset;
  for (let i = from; i < to; i++) {
    const w = <usize>load<u8>(routes + i);
    if (w === <usize>SKIPPED) {
      skipped++;
      continue;
    }
    const k = (<usize>i) << 2;
    const offset = load<u32>(offsets + k);
    const length = load<u32>(capturedLengths + k);
    let at = <u32>offset;
    if (stagingBytes !== 0) {
      // FRAME_SLACK (src/engine/wasm/engine.ts) bytes after each frame, 8-byte aligned starts.
      const usedAt = stagingUsed + (w << 2);
      const used = load<u32>(usedAt);
      const room = (length + 4 + 7) & ~(<u32>7);
      if (<usize>used + room > stagingBytes) return i;
      const region = stagingSlot + w * stagingBytes;
      memory.copy(region + used, data + offset, length);
      store<u32>(usedAt, used + room);
      at = <u32>(region + used);
    }
    let link = load<u32>(interfaceWords + ((<usize>load<u32>(interfaceIndexes + k)) << 2));
    if (link >>> 16 === LINK_RAW) {
      const v6 = length > 0 && <u32>load<u8>(data + offset) >> 4 === 6;
      link = (link & 0xffff) | ((v6 ? LINK_IPV6 : LINK_IPV4) << 16);
    }
    const countAt = indexCounts + (w << 2);
    const n = load<u32>(countAt);
    store<u32>(countAt, n + 1);
    const entry = indexes + w * indexBytes + <usize>n * (INDEX_WORDS << 2);
    const stamped = (load<u8>(flags + i) & NO_TIMESTAMP) === 0;
    store<u32>(entry, 0);
    store<u32>(entry, at, 4);
    store<u32>(entry, length, 8);
    store<u32>(entry, link, 12);
    store<u64>(entry, stamped ? load<u64>(timestamps + ((<usize>i) << 3)) : 0, 16);
    store<u64>(entry, number0 + <u64>i, 24);
    store<u64>(entry, file0 + <u64>offset, 32);
  }
  return to;
}
