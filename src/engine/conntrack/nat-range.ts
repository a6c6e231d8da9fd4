// The mapping a NAT target asks for, as the kernel's struct nf_nat_range2 (flags, address and
// port bounds), and how SNAT/DNAT, MASQUERADE, REDIRECT and NETMAP build it
// (xt_nat.c, nf_nat_masquerade.c, nf_nat_redirect.c, xt_NETMAP.c).

import type { Family, IpNet } from '../../ir/address.js';
import type { Hook } from '../../ir/ruleset.js';
import type { NatRange } from '../../ir/targets/nat-range.js';
import type { ConnEntry } from './entry.js';

/** NF_NAT_RANGE_* flags (include/uapi/linux/netfilter/nf_nat.h). */
export const NF_NAT_RANGE_MAP_IPS = 1 << 0;
export const NF_NAT_RANGE_PROTO_SPECIFIED = 1 << 1;
export const NF_NAT_RANGE_PROTO_RANDOM = 1 << 2;
export const NF_NAT_RANGE_PERSISTENT = 1 << 3;
export const NF_NAT_RANGE_PROTO_RANDOM_FULLY = 1 << 4;
export const NF_NAT_RANGE_PROTO_OFFSET = 1 << 5;
export const NF_NAT_RANGE_NETMAP = 1 << 6;
export const NF_NAT_RANGE_PROTO_RANDOM_ALL = NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PROTO_RANDOM_FULLY;

/** struct nf_nat_range2, with addresses as our big-endian word arrays and ports as numbers. */
export interface NatRange2 {
  readonly flags: number;
  readonly minAddr: readonly number[];
  readonly maxAddr: readonly number[];
  readonly minProto: number;
  readonly maxProto: number;
  readonly baseProto: number;
}

export type Manip = 'src' | 'dst';

/** HOOK2MANIP: POSTROUTING and INPUT rewrite the source, PREROUTING and OUTPUT the destination. */
export function hookManip(hook: Hook): Manip {
  return hook === 'postrouting' || hook === 'input' ? 'src' : 'dst';
}

function zeros(family: Family): number[] {
  return family === 'ipv4' ? [0] : [0, 0, 0, 0];
}

/** An SNAT or DNAT target's range (xt_nat: the rule's nf_nat_range2 as is). */
export function natRangeFromIr(r: NatRange, family: Family): NatRange2 {
  let flags = 0;
  if (r.addresses) flags |= NF_NAT_RANGE_MAP_IPS;
  if (r.ports) flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
  if (r.ports && r.portOffsetBase !== undefined) flags |= NF_NAT_RANGE_PROTO_OFFSET;
  if (r.random) flags |= NF_NAT_RANGE_PROTO_RANDOM;
  if (r.randomFully) flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
  if (r.persistent) flags |= NF_NAT_RANGE_PERSISTENT;
  return {
    flags,
    minAddr: r.addresses ? r.addresses.from : zeros(family),
    maxAddr: r.addresses ? r.addresses.to : zeros(family),
    minProto: r.ports?.from ?? 0,
    maxProto: r.ports?.to ?? 0,
    baseProto: r.portOffsetBase ?? 0,
  };
}

/** The rule's range pinned to one address (what MASQUERADE, REDIRECT and NETMAP hand to setup). */
function pinned(r: NatRange, family: Family, addr: readonly number[]): NatRange2 {
  const base = natRangeFromIr({ ...r, addresses: undefined }, family);
  return { ...base, flags: base.flags | NF_NAT_RANGE_MAP_IPS, minAddr: addr, maxAddr: addr };
}

/**
 * nf_nat_masquerade_ipv4/ipv6: SNAT to the address the host would use as source towards the
 * packet's next hop (`newSource`, from the host model; null when the interface has none, which
 * drops the packet). An IPv4 connection from 0.0.0.0 is left alone ('none': the null binding
 * follows).
 */
export function masqueradeRange(
  entry: ConnEntry,
  r: NatRange,
  newSource: readonly number[] | null,
): NatRange2 | 'none' | 'drop' {
  const orig = entry.tuple.original;
  if (orig.family === 'ipv4' && orig.src[0] === 0) return 'none';
  if (!newSource) return 'drop';
  return pinned(r, orig.family, newSource);
}

/**
 * nf_nat_redirect_ipv4/ipv6: DNAT to the host itself — loopback for locally generated packets
 * (OUTPUT), else the receiving interface's primary address (`inAddress`, from the host model;
 * null drops the packet).
 */
export function redirectRange(
  entry: ConnEntry,
  r: NatRange,
  hook: Hook,
  inAddress: readonly number[] | null,
): NatRange2 | 'drop' {
  const family = entry.tuple.original.family;
  let addr: readonly number[] | null;
  if (hook === 'output') addr = family === 'ipv4' ? [0x7f000001] : [0, 0, 0, 1];
  else addr = inAddress;
  if (!addr) return 'drop';
  return pinned(r, family, addr);
}

/**
 * xt_NETMAP (netmap_tg4/6): keep the host part, replace the network part of the destination
 * (PREROUTING, OUTPUT) or source (POSTROUTING, INPUT) address.
 */
export function netmapRange(entry: ConnEntry, net: IpNet, hook: Hook): NatRange2 {
  const manip = hookManip(hook);
  const cur = manip === 'src' ? entry.tuple.original.src : entry.tuple.original.dst;
  const addr = cur.map((w, i) => ((w & ~net.mask[i]!) | (net.addr[i]! & net.mask[i]!)) >>> 0);
  return {
    flags: NF_NAT_RANGE_MAP_IPS,
    minAddr: addr,
    maxAddr: addr,
    minProto: 0,
    maxProto: 0,
    baseProto: 0,
  };
}
