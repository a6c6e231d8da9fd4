// Address classes for the WebAssembly path's host questions. The host model's answers about an
// IPv4 address (its input route, its route type for addrtype, the source address towards it)
// depend on the address only through which of a few prefixes hold it: the routes' destinations,
// the interfaces' addresses and subnets, and the special ranges the kernel tests (0/8, 127/8,
// multicast, the limited broadcast). Two addresses in the same prefixes get the same answers
// (test/wasm/address-classes.test.ts checks it against the host model), so the path caches an
// answer per class of addresses instead of per address: a trace with a million clients asks
// about a handful of classes, not a million addresses.

import type { Host } from '../../host/index.js';

export interface Prefix {
  readonly net: number;
  readonly len: number;
}

/** Beyond this many prefixes the path asks about addresses one by one, as before. */
export const MAX_PREFIXES = 64;

const SPECIAL: readonly Prefix[] = [
  { net: 0, len: 32 }, // 0.0.0.0: no destination (inet_select_addr), broadcast (addrtype)
  { net: 0, len: 8 }, // zeronet
  { net: 0x7f000000, len: 8 }, // loopback
  { net: 0xe0000000, len: 4 }, // multicast
  { net: 0xe0000000, len: 24 }, // local multicast (ip_route_input_mc)
  { net: 0xffffffff, len: 32 }, // limited broadcast
];

export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** The prefixes that decide every answer about an address on `host`, deduplicated. */
export function addressPrefixes(host: Host): Prefix[] {
  const seen = new Set<string>();
  const out: Prefix[] = [];
  const add = (addr: number, len: number) => {
    const net = (addr & prefixMask(len)) >>> 0;
    const key = `${net}/${len}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ net, len });
  };
  for (const p of SPECIAL) add(p.net, p.len);
  for (const r of host.routes) if (r.family === 'ipv4') add(r.dst.addr[0]!, r.dst.prefixLen ?? 32);
  for (const i of host.interfaces)
    for (const a of i.addresses) {
      if (a.family !== 'ipv4') continue;
      add(a.words[0]!, 32);
      add(a.words[0]!, a.prefixLen);
      if (a.peer) {
        add(a.peer.words[0]!, 32);
        add(a.peer.words[0]!, a.prefixLen);
      }
    }
  return out;
}

/** The class of `addr`: bit i set when prefix i holds it. */
export function classBits(prefixes: readonly Prefix[], addr: number): bigint {
  let bits = 0n;
  prefixes.forEach((p, i) => {
    if ((addr & prefixMask(p.len)) >>> 0 === p.net) bits |= 1n << BigInt(i);
  });
  return bits;
}

/** The record the path reads (assembly/path/address-class.ts): count, then net and mask words. */
export function prefixRecord(prefixes: readonly Prefix[]): Uint32Array {
  if (prefixes.length > MAX_PREFIXES) return new Uint32Array(1);
  const words = new Uint32Array(1 + 2 * prefixes.length);
  words[0] = prefixes.length;
  prefixes.forEach((p, i) => {
    words[1 + 2 * i] = p.net;
    words[2 + 2 * i] = prefixMask(p.len);
  });
  return words;
}
