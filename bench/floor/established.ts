// AssemblyScript (built by bench/lib/established-floor.ts): the least work a forwarded packet
// of an established, NATed TCP connection needs, as one tight loop — a lower bound for what the
// engine's packet path (assembly/path/receive.ts) can cost per packet in this runtime. Per frame:
// - the Ethernet type and ip_rcv_core's checks: version, header length, total length, header
//   checksum;
// - conntrack's transport checksum over the pseudo-header and segment (nf_conntrack_checksum);
// - the connection's lookup: the flow cache's hash of the tuple (hash-mix.ts), open addressing,
//   the tuple compared (no jhash2, no zones, no expiry check);
// - TCP: tcp_valid_flags, then a window check and update on the direction's td_end, td_maxend
//   and td_maxwin (a few compares: less than tcp_in_window does);
// - the timeout refreshed from the packet's time;
// - NAT of one address and port with incremental checksums, and ip_forward's TTL decrement
//   (the engine's own natManipIpv4 and ipDecreaseTtl);
// - the packet and byte counters of RULES rules;
// - a four-word result.
// What it leaves out is all a real engine must do too: the walks and routing of the flow's
// first packet, the TCP state machine, options, the result's connection, the trace's other
// kinds of packet.

import { onesSum } from '../../assembly/checksum';
import { fmix32, hashWord } from '../../assembly/hash-mix';
import { ipDecreaseTtl, natManipIpv4 } from '../../assembly/path/rewrite';

const MANIP_DST: u32 = 1;
const RULES: usize = 6;
const SLOT_BYTES: usize = 64;
// A slot per direction of a connection. Words: source, destination, ports, protocol | USED; the
// NAT address and port; the direction's td_end, td_maxend, td_maxwin; the timeout (u64).
const USED: u32 = 0x100;
const ESTABLISHED_TIMEOUT_NS: u64 = <u64>432000 * 1000000000;

let slots: usize = 0;
let slotMask: u32 = 0;
let counters: usize = 0;
let frames: usize = 0;
let records: usize = 0;
let results: usize = 0;
let invalid: u32 = 0;

/** Room for `connections` connections and a batch of `maxFrames` frames in `frameBytes`; the frame area's address. */
export function setUp(connections: u32, maxFrames: u32, frameBytes: u32): usize {
  let n: u32 = 1024;
  while (n < connections * 8) n <<= 1; // two directions each, a quarter full
  slotMask = n - 1;
  const bytes = <usize>n * SLOT_BYTES + RULES * 16 + <usize>maxFrames * 32 + <usize>frameBytes;
  const base = (<usize>memory.size()) << 16;
  memory.grow(<i32>((bytes + 0xffff) >> 16) + 1);
  slots = base;
  counters = slots + <usize>n * SLOT_BYTES;
  records = counters + RULES * 16;
  results = records + <usize>maxFrames * 16;
  frames = results + <usize>maxFrames * 16;
  return frames;
}

/** The frame records' address: per frame its offset in the frame area, length, time (u64). */
export function recordsAt(): usize {
  return records;
}

/** The results' address: per frame its verdict (0: invalid), rule, output interface, slot. */
export function resultsAt(): usize {
  return results;
}

function tupleHash(src: u32, dst: u32, ports: u32): u32 {
  return fmix32(hashWord(hashWord(hashWord(0, src), dst), ports));
}

/** A connection's direction as received (network-order words), NATed to `addr`:`port` (host order). */
export function track(src: u32, dst: u32, ports: u32, addr: u32, port: u32): void {
  let i = tupleHash(src, dst, ports) & slotMask;
  while (true) {
    const s = slots + <usize>i * SLOT_BYTES;
    const w = load<u32>(s, 12);
    if (w === 0) break;
    if (load<u32>(s) === src && load<u32>(s, 4) === dst && load<u32>(s, 8) === ports) return;
    i = (i + 1) & slotMask;
  }
  const s = slots + <usize>i * SLOT_BYTES;
  store<u32>(s, src);
  store<u32>(s, dst, 4);
  store<u32>(s, ports, 8);
  store<u32>(s, 6 | USED, 12);
  store<u32>(s, addr, 16);
  store<u32>(s, port, 20);
  store<u32>(s, 0, 24);
  store<u32>(s, 0, 28);
  store<u32>(s, 0xffff, 32);
  store<u64>(s, 0, 40);
}

function foldCarry(sum: u32): u32 {
  let s = sum;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return s;
}

/** Frames 0 .. n - 1 of the batch (records at recordsAt()), results at resultsAt(). */
export function run(n: u32): u32 {
  for (let k: u32 = 0; k < n; k++) {
    const rec = records + ((<usize>k) << 4);
    const r = results + ((<usize>k) << 4);
    const f = frames + <usize>load<u32>(rec);
    const caplen = load<u32>(rec, 4);
    const now = load<u64>(rec, 8);
    if (caplen < 54 || load<u16>(f, 12) !== 0x0008 || load<u8>(f, 14) !== 0x45) {
      invalid++;
      store<u32>(r, 0);
      continue;
    }
    const ip = f + 14;
    const total = <u32>bswap<u16>(load<u16>(ip, 2));
    if (total + 14 > caplen || total < 40 || onesSum(ip, 20) !== 0xffff || load<u8>(ip, 9) !== 6) {
      invalid++;
      store<u32>(r, 0);
      continue;
    }
    const src = load<u32>(ip, 12);
    const dst = load<u32>(ip, 16);
    const tcp = ip + 20;
    const segment = total - 20;
    // The pseudo-header summed as loaded (little-endian words), then swapped as onesSum's sum is.
    const pseudo = foldCarry(
      (src & 0xffff) + (src >> 16) + (dst & 0xffff) + (dst >> 16) + (6 << 8) + <u32>bswap<u16>(<u16>segment),
    );
    if (foldCarry(onesSum(tcp, segment) + <u32>bswap<u16>(<u16>pseudo)) !== 0xffff) {
      invalid++;
      store<u32>(r, 0);
      continue;
    }
    const ports = load<u32>(tcp);
    let i = tupleHash(src, dst, ports) & slotMask;
    let s: usize = 0;
    while (true) {
      const c = slots + <usize>i * SLOT_BYTES;
      const w = load<u32>(c, 12);
      if (w === 0) break;
      if (load<u32>(c) === src && load<u32>(c, 4) === dst && load<u32>(c, 8) === ports) {
        s = c;
        break;
      }
      i = (i + 1) & slotMask;
    }
    const flags = <u32>load<u8>(tcp, 13);
    if (s === 0 || (flags & 0x07) !== 0 || (flags & 0x10) === 0) {
      invalid++;
      store<u32>(r, 0);
      continue;
    }
    const dataOffset = (<u32>load<u8>(tcp, 12) >> 4) << 2;
    const seq = bswap<u32>(load<u32>(tcp, 4));
    const ack = bswap<u32>(load<u32>(tcp, 8));
    const window = <u32>bswap<u16>(load<u16>(tcp, 14));
    const end = seq + segment - dataOffset;
    const tdEnd = load<u32>(s, 24);
    const tdMaxend = load<u32>(s, 28);
    const tdMaxwin = load<u32>(s, 32);
    if (tdEnd !== 0 && <i32>(end - tdEnd) > <i32>(tdMaxwin + 0xffff)) {
      invalid++;
      store<u32>(r, 0);
      continue;
    }
    if (tdEnd === 0 || <i32>(end - tdEnd) > 0) store<u32>(s, end, 24);
    if (window > tdMaxwin) store<u32>(s, window, 32);
    if (<i32>(ack + window - tdMaxend) > 0) store<u32>(s, ack + window, 28);
    store<u64>(s, now + ESTABLISHED_TIMEOUT_NS, 40);
    natManipIpv4(ip, ip + total, MANIP_DST, load<u32>(s, 16), load<u32>(s, 20));
    ipDecreaseTtl(ip);
    for (let c: usize = 0; c < RULES; c++) {
      const p = counters + (c << 4);
      store<u64>(p, load<u64>(p) + 1);
      store<u64>(p, load<u64>(p, 8) + <u64>total, 8);
    }
    store<u32>(r, 1);
    store<u32>(r, 3, 4);
    store<u32>(r, 2, 8);
    store<u32>(r, i, 12);
  }
  return invalid;
}

/** Packets of the first rule's counter (every valid packet). */
export function counted(): u64 {
  return load<u64>(counters);
}
