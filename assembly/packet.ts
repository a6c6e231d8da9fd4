// Per-packet decoding: the IP (and transport) header fields the ops read, written once into a
// scratch area of words indexed by field, plus the facts the L4 guard needs. IPv4 fully; IPv6
// without extension headers (a packet with them is left undecided for now).

import { IFACE_BYTES } from './layout';
import { be16, be32 } from './memory';
import { ipv6 } from './table';

// Scratch word slots.
export const P_SRC: u32 = 0; // 4 words
export const P_DST: u32 = 4; // 4 words
export const P_PROTO: u32 = 8;
export const P_FRAG: u32 = 9;
export const P_IIF: u32 = 10;
export const P_OIF: u32 = 11;
export const P_MARK: u32 = 12;
export const P_DS: u32 = 13;
export const P_L3LEN: u32 = 14;
export const P_TTL: u32 = 15;
export const P_SPORT: u32 = 16;
export const P_DPORT: u32 = 17;
export const P_TCPFLAGS: u32 = 18;
export const P_ICMPTYPE: u32 = 19;
export const P_ICMPCODE: u32 = 20;
export const P_MACPRESENT: u32 = 21;
export const P_MAC: u32 = 22; // 2 words
// br_netfilter's bridge ports (physdev), set by the packet path (setPhysdev), not decoded.
export const P_PHYS_INFO: u32 = 24;
export const P_PHYS_IN_PRESENT: u32 = 25;
export const P_PHYS_OUT_PRESENT: u32 = 26;
export const P_PHYS_IN: u32 = 27;
export const P_PHYS_OUT: u32 = 28;

export const fields: usize = memory.data(128, 16);

// The guard's facts (par->thoff, skb->len, par->fragoff).
export let packet: usize = 0;
export let thoff: u32 = 0;
export let skbLen: u32 = 0;
export let laterFragment: bool = false;
export let offsetOneFragment: bool = false;
export let iifEntry: usize = 0;
export let oifEntry: usize = 0;
/** The output interface's registry index (0: none yet), for TCPMSS's path MTU. */
export let oifIndex: u32 = 0;
export let physInEntry: usize = 0;
export let physOutEntry: usize = 0;

/** Where the packet in flight may grow in place: its frame and the slack after it (receive.ts). */
export let growFrom: usize = 0;
export let growTo: usize = 0;
/** Bytes a walk added to the packet since the path last took them up (takeGrowth). */
let growth: u32 = 0;

export function setGrowRoom(from: usize, to: usize): void {
  growFrom = from;
  growTo = to;
}

/** The decoded packet grew by `n` bytes at its end (TCPMSS added an option): its lengths follow. */
export function packetGrew(n: u32): void {
  put(P_L3LEN, load<u32>(fields + ((<usize>P_L3LEN) << 2)) + n);
  skbLen += n;
  growth += n;
}

/** Bytes the packet grew by since the last call. */
export function takeGrowth(): u32 {
  const g = growth;
  growth = 0;
  return g;
}

function put(slot: u32, v: u32): void {
  store<u32>(fields + ((<usize>slot) << 2), v);
}

/** IPv6 extension headers (hop-by-hop, routing, fragment, AH, no next header, destination). */
function isExtension(nh: u32): bool {
  return nh === 0 || nh === 43 || nh === 44 || nh === 51 || nh === 59 || nh === 60;
}

/**
 * Decodes the packet at `p` (`len` bytes) with its META record at `meta`; false when the
 * WebAssembly side cannot decode it (the packet is then undecided).
 */
export function decode(p: usize, len: u32, meta: usize, ifaces: usize): bool {
  packet = p;
  if (!ipv6) {
    if (len < 20) return false;
    const vihl = <u32>load<u8>(p);
    const ihl = (vihl & 15) << 2;
    if (vihl >> 4 !== 4 || ihl < 20 || ihl > len) return false;
    put(P_SRC, be32(p + 12));
    put(P_DST, be32(p + 16));
    put(P_PROTO, <u32>load<u8>(p, 9));
    const fragOff = (be16(p + 6) & 0x1fff) << 3;
    put(P_FRAG, fragOff);
    laterFragment = fragOff !== 0;
    offsetOneFragment = fragOff === 8;
    put(P_DS, <u32>load<u8>(p, 1));
    const total = be16(p + 2);
    put(P_L3LEN, total);
    put(P_TTL, <u32>load<u8>(p, 8));
    thoff = ihl;
    skbLen = total < len ? total : len;
  } else {
    if (len < 40) return false;
    const nh = <u32>load<u8>(p, 6);
    if (<u32>load<u8>(p) >> 4 !== 6 || isExtension(nh)) return false;
    for (let i: u32 = 0; i < 4; i++) {
      put(P_SRC + i, be32(p + 8 + ((<usize>i) << 2)));
      put(P_DST + i, be32(p + 24 + ((<usize>i) << 2)));
    }
    put(P_PROTO, nh);
    put(P_FRAG, 0);
    laterFragment = false;
    offsetOneFragment = false;
    put(P_DS, (be16(p) >> 4) & 0xff);
    const total = be16(p + 4) + 40;
    put(P_L3LEN, total);
    put(P_TTL, <u32>load<u8>(p, 7));
    thoff = 40;
    skbLen = total < len ? total : len;
  }
  // Transport fields are read unguarded (the packet area is padded); ops reach them only after
  // an L4_GUARD has checked the bytes are there.
  const t = p + thoff;
  put(P_SPORT, be16(t));
  put(P_DPORT, be16(t + 2));
  put(P_TCPFLAGS, <u32>load<u8>(t, 13));
  put(P_ICMPTYPE, <u32>load<u8>(t));
  put(P_ICMPCODE, <u32>load<u8>(t, 1));
  const io = load<u32>(meta, 12);
  iifEntry = ifaces + <usize>(io & 0xffff) * IFACE_BYTES;
  oifIndex = io >> 16;
  oifEntry = ifaces + <usize>oifIndex * IFACE_BYTES;
  put(P_IIF, load<u32>(iifEntry));
  put(P_OIF, load<u32>(oifEntry));
  put(P_MARK, load<u32>(meta, 16));
  const macLo = load<u32>(meta, 28);
  const present = macLo >> 16;
  put(P_MACPRESENT, present);
  put(P_MAC, present ? load<u32>(meta, 24) : 0);
  put(P_MAC + 1, present ? macLo & 0xffff : 0);
  return true;
}

/**
 * The packet's bridge ports (registry indexes at `ifaces`, 0: none), which physdev tests: the
 * input port of a frame br_netfilter passed to iptables, the output port of a bridged copy.
 */
export function setPhysdev(ifaces: usize, inPort: u32, outPort: u32): void {
  physInEntry = ifaces + <usize>inPort * IFACE_BYTES;
  physOutEntry = ifaces + <usize>outPort * IFACE_BYTES;
  put(P_PHYS_INFO, inPort !== 0 || outPort !== 0 ? 1 : 0);
  put(P_PHYS_IN_PRESENT, inPort !== 0 ? 1 : 0);
  put(P_PHYS_OUT_PRESENT, outPort !== 0 ? 1 : 0);
  put(P_PHYS_IN, load<u32>(physInEntry));
  put(P_PHYS_OUT, load<u32>(physOutEntry));
}

/** The packet was routed out of interface `idx` of the registry at `ifaces` (-o matches it). */
export function setOif(ifaces: usize, idx: u32): void {
  oifIndex = idx;
  oifEntry = ifaces + <usize>idx * IFACE_BYTES;
  put(P_OIF, load<u32>(oifEntry));
}
