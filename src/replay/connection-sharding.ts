// Which worker of `replay --workers N` runs a packet: RSS-style, by endpoint (address and, for
// TCP and UDP, port), chosen so that both directions of a connection — NAT replies included —
// land on the same worker, whose connection table then holds the whole connection.
//
// A NAT'd connection keeps one endpoint across its directions and rewrites the other. First, a
// packet with exactly one endpoint of a DNAT'd service — a cluster IP:port a nat rule sends to
// DNAT, or the pod:port DNAT sends it to (service-endpoints.ts) — is keyed on the other, the
// client's. Otherwise by "translatable" addresses, those NAT can put in or take out of a packet:
// the host's own (REDIRECT, MASQUERADE, and what DNAT rewrites away), every NAT target range
// (DNAT, SNAT, NETMAP, userland proxies' targets), the destinations nat rules DNAT (kube-proxy's
// cluster IPs) and the sources SNAT/MASQUERADE rules rewrite (their `-s`, else the connected
// subnets behind the interfaces they do not leave by). A packet with exactly one translatable
// address is keyed on the other endpoint (the kept one: the client of a DNAT'd service, the
// server a MASQUERADEd container talks to; NAT rewrites the translatable side's port, never the
// kept side's); any other packet on both endpoints, symmetrically. Ports spread one busy
// client's connections over the workers, as a NIC's RSS does.
//
// What has no ports of its own follows what it belongs to: an ICMP error is keyed on the packet
// it quotes (so a router's time exceeded meets its connection), and the later fragments of a
// datagram on the key its first fragment had (remembered per fragment group). Not kept
// together: a connection that is DNAT'd and SNAT'd at once (hairpin NAT), one SNAT'd from a
// source outside those sets, and fragments that arrive well before their datagram's first one.
// A ruleset whose DNAT or SNAT rewrites ports but no address (`--to-destination :8080`) is keyed
// on addresses alone.

import type { Host } from '../host/index.js';
import type { Family, IpNet } from '../ir/address.js';
import type { Rule, Ruleset } from '../ir/ruleset.js';
import { LinkType } from '../trace/index.js';
import type { FrameSpans } from './frame-spans.js';
import { rulesTowardsRewrite } from './nat-paths.js';
import { ServiceEndpoints } from './service-endpoints.js';

/** An inclusive address range as 128-bit integers (IPv4 in the low 32 bits). */
interface Range {
  readonly from: bigint;
  readonly to: bigint;
}

function wordsValue(words: readonly number[]): bigint {
  let v = 0n;
  for (const w of words) v = (v << 32n) | BigInt(w >>> 0);
  return v;
}

function netRange(net: IpNet): Range {
  const from = wordsValue(net.addr);
  const bits = net.family === 'ipv4' ? 32 : 128;
  const mask = wordsValue(net.mask);
  const all = (1n << BigInt(bits)) - 1n;
  return { from, to: from | (all ^ mask) };
}

function sourceNets(rule: Rule): IpNet[] {
  const nets: IpNet[] = [];
  for (const m of rule.matches) if (m.kind === 'source' && !m.invert) nets.push(m.net);
  return nets;
}

/** The interface a rule's `-o` names (`invert` for `! -o`), if it names one exactly. */
function outInterface(rule: Rule): { name: string; invert: boolean } | undefined {
  for (const m of rule.matches)
    if (m.kind === 'out-interface' && !m.wildcard) return { name: m.name, invert: m.invert };
  return undefined;
}

/** Non-inverted `-d` nets of a rule whose prefix is at least `minPrefix` bits. */
function destinationNets(rule: Rule, minPrefix: number): IpNet[] {
  const nets: IpNet[] = [];
  for (const m of rule.matches)
    if (m.kind === 'destination' && !m.invert && (m.net.prefixLen ?? 0) >= minPrefix) nets.push(m.net);
  return nets;
}

/** Whether a target rewrites the destination (and so its packets' `-d` is rewritten away). */
const rewritesDestination = (kind: string): boolean =>
  kind === 'DNAT' || kind === 'REDIRECT' || kind === 'NETMAP';

/**
 * The destinations DNAT rewrites away: the `-d` of nat rules that DNAT, REDIRECT or NETMAP, or
 * lead to such a rule (nat-paths.ts). Only nets of 16 bits or more: a wide net in front of a NAT
 * chain would make its clients translatable too.
 */
function dnatDestinations(ruleset: Ruleset): IpNet[] {
  return rulesTowardsRewrite(ruleset, rewritesDestination).flatMap((r) => destinationNets(r, 16));
}

/** The host's own addresses (interfaces, loopback's 127.0.0.0/8) as ranges. */
function ownRanges(host: Host, family: Family): Range[] {
  const ranges: Range[] = [];
  for (const i of host.interfaces)
    for (const a of i.addresses)
      if (a.family === family) ranges.push({ from: wordsValue(a.words), to: wordsValue(a.words) });
  if (family === 'ipv4') ranges.push({ from: 0x7f000000n, to: 0x7fffffffn });
  return ranges;
}

/** The translatable address ranges of a ruleset on a host, per family. */
export function translatableRanges(ruleset: Ruleset, host: Host): Range[] {
  const family: Family = ruleset.family;
  const ranges: Range[] = [];
  const connected = (keep: (ifName: string) => boolean) => {
    for (const i of host.interfaces)
      if (keep(i.name) && i.name !== 'lo')
        for (const a of i.addresses)
          if (a.family === family) {
            const bits = family === 'ipv4' ? 32 : 128;
            const host = BigInt(bits - a.prefixLen);
            const v = wordsValue(a.words);
            const from = (v >> host) << host;
            ranges.push({ from, to: from | ((1n << host) - 1n) });
          }
  };
  ranges.push(...ownRanges(host, family));
  for (const n of dnatDestinations(ruleset)) if (n.family === family) ranges.push(netRange(n));
  for (const p of host.proxies)
    if (p.target.address.family === family) {
      const v = wordsValue(p.target.address.words);
      ranges.push({ from: v, to: v });
    }
  for (const t of ruleset.tables)
    for (const c of t.chains)
      for (const r of c.rules) {
        const target = r.target;
        if (!target) continue;
        if (target.kind === 'DNAT' || target.kind === 'SNAT') {
          const a = target.range.addresses;
          if (a) {
            const x = wordsValue(a.from);
            const y = wordsValue(a.to);
            ranges.push(x <= y ? { from: x, to: y } : { from: y, to: x });
          }
        }
        if (target.kind === 'NETMAP') ranges.push(netRange(target.net));
        if (target.kind === 'SNAT' || target.kind === 'MASQUERADE' || target.kind === 'NETMAP') {
          const nets = sourceNets(r);
          for (const n of nets) ranges.push(netRange(n));
          if (nets.length === 0 && target.kind !== 'NETMAP') {
            const out = outInterface(r);
            connected((name) =>
              out === undefined ? true : out.invert ? name === out.name : name !== out.name,
            );
          }
        }
      }
  return ranges;
}

/** Whether a DNAT or SNAT rule rewrites ports without an address, which only addresses survive. */
function rewritesPortsOnly(ruleset: Ruleset): boolean {
  for (const t of ruleset.tables)
    for (const c of t.chains)
      for (const r of c.rules) {
        const target = r.target;
        if ((target?.kind === 'DNAT' || target?.kind === 'SNAT') && !target.range.addresses) return true;
      }
  return false;
}

/** Ranges sorted and merged where they overlap or touch: fewer to test per address. */
function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const merged: Range[] = [];
  for (const r of sorted) {
    const top = merged[merged.length - 1];
    if (top && r.from <= top.to + 1n)
      merged[merged.length - 1] = { from: top.from, to: r.to > top.to ? r.to : top.to };
    else merged.push(r);
  }
  return merged;
}

const SIGN = 0x80000000 | 0;
const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMPV6 = 58;
/** Fragment groups whose worker is remembered (oldest forgotten first). */
const FRAGMENT_GROUPS = 4096;

/** fmix32 (MurmurHash3's finaliser): spreads an address's bits over the word (as an int32). */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The worker of a key: on non-negative small integers, as `%` on a uint32 would run on doubles. */
function workerOf(key: number, workers: number): number {
  return (mix(key) & 0x7fffffff) % workers;
}

/** One endpoint: an address (IPv4 word or IPv6 hash) and a port (0 where none is keyed on). */
function endpoint(addressHash: number, port: number): number {
  return mix(addressHash ^ Math.imul(port, 0x9e3779b1));
}

/** Frames that follow the one being keyed, for the look-ahead of a fragment that came early. */
export interface FramesAhead extends FrameSpans {
  /** Frames in the list. */
  readonly count: number;
  /** The link type of frame i, or -1 when it is skipped. */
  linkType(i: number): number;
}

/** How far a fragment that came before its datagram's first fragment looks ahead for it. */
const LOOK_AHEAD = 1024;

export class ConnectionSharding {
  /** IPv4 ranges with the sign bit flipped, so that signed 32-bit comparisons order them. */
  private readonly v4From: Int32Array;
  private readonly v4To: Int32Array;
  private readonly v6: Range[];
  /** Worker keys of fragmented datagrams by group (addresses, protocol, id), from their first fragment. */
  private readonly fragments = new Map<string, number>();
  /** 0xffff to key TCP and UDP on their ports, 0 to key on addresses alone. */
  private readonly portMask: number;
  /** Endpoints of DNAT'd services (IPv4), which key a packet on its other endpoint. */
  private readonly services: ServiceEndpoints;
  // What the last key4/key6 found besides the key (fields, so that keying allocates nothing).
  /** The fragment group of a fragmented packet, else undefined. */
  private group: string | undefined;
  private first = false;
  private last = false;

  constructor(
    ruleset: Ruleset,
    host: Host,
    readonly workers: number,
  ) {
    const ranges = mergeRanges(translatableRanges(ruleset, host));
    const v4 = ruleset.family === 'ipv4' ? ranges : [];
    this.v4From = Int32Array.from(v4, (r) => Number(r.from) ^ SIGN);
    this.v4To = Int32Array.from(v4, (r) => Number(r.to) ^ SIGN);
    this.v6 = ruleset.family === 'ipv6' ? ranges : [];
    this.portMask = rewritesPortsOnly(ruleset) ? 0 : 0xffff;
    this.services = new ServiceEndpoints(ruleset);
  }

  /**
   * What the keying in WebAssembly (frame-keyer.ts) needs to key IPv4 frames as this does: the
   * port mask, the translatable IPv4 ranges as sorted, disjoint (from, to) word pairs, and the
   * service endpoints.
   */
  keyingTables(): {
    portMask: number;
    ranges: Uint32Array;
    endpoints: Uint32Array;
    anyPortRanges: Uint32Array;
  } {
    const ranges = new Uint32Array(this.v4From.length * 2);
    for (let i = 0; i < this.v4From.length; i++) {
      ranges[2 * i] = (this.v4From[i]! ^ SIGN) >>> 0;
      ranges[2 * i + 1] = (this.v4To[i]! ^ SIGN) >>> 0;
    }
    const { endpoints, any } = this.services.tables();
    return { portMask: this.portMask, ranges, endpoints, anyPortRanges: any };
  }

  /** Whether IPv4 address `a` (a signed word) is in a translatable range. */
  private translatable4(a: number): boolean {
    return inRanges(a ^ SIGN, this.v4From, this.v4To);
  }

  private translatable6(bytes: Uint8Array, at: number): boolean {
    return inRanges6(bytes, at, this.v6);
  }

  /**
   * The worker (0 ≤ w < workers) for the frame at data[start, start + length) of a LINKTYPE_*
   * link type. `ahead` (frames of the same buffer that come after it, from index `next`) lets
   * a fragment that arrives before its datagram's first fragment find that fragment's key.
   */
  shardOf(
    data: Uint8Array,
    start: number,
    length: number,
    linkType: number,
    ahead?: FramesAhead,
    next = 0,
  ): number {
    if (this.workers === 1) return 0;
    const key = this.keyOf(data, start, length, linkType);
    const group = this.group;
    if (group === undefined) return workerOf(key, this.workers);
    const map = this.fragments;
    if (this.first) {
      if (!this.last) {
        map.delete(group);
        map.set(group, key);
        if (map.size > FRAGMENT_GROUPS) map.delete(map.keys().next().value!);
      }
      return workerOf(key, this.workers);
    }
    let known = map.get(group);
    if (known === undefined && ahead) {
      known = this.firstFragmentAhead(group, data, ahead, next);
      if (known !== undefined && !this.last) map.set(group, known);
    }
    if (this.last) map.delete(group);
    return workerOf(known ?? key, this.workers);
  }

  /** The key of the first fragment of `group` among the frames ahead, if one is there. */
  private firstFragmentAhead(
    group: string,
    data: Uint8Array,
    ahead: FramesAhead,
    next: number,
  ): number | undefined {
    const last = this.last;
    const end = Math.min(ahead.count, next + LOOK_AHEAD);
    let found: number | undefined;
    for (let j = next; j < end && found === undefined; j++) {
      const linkType = ahead.linkType(j);
      if (linkType < 0) continue;
      const key = this.keyOf(data, ahead.offset(j), ahead.length(j), linkType);
      if (this.first && this.group === group) found = key;
    }
    this.group = group;
    this.last = last;
    return found;
  }

  /** The key of a frame (0 for what carries no IP); sets group, first and last. */
  private keyOf(data: Uint8Array, start: number, length: number, linkType: number): number {
    this.group = undefined;
    const off = ipOffset(data, start, length, linkType);
    if (off < 0) return 0;
    const ip = start + off;
    const end = start + length;
    const version = data[ip]! >>> 4;
    if (version === 4 && end >= ip + 20) return this.key4(data, ip, end, false);
    if (version === 6 && end >= ip + 40) return this.key6(data, ip, end, false);
    return 0;
  }

  /**
   * The key of a connection from its endpoints: a packet with exactly one translatable address
   * is keyed on the other endpoint (which NAT keeps, port included); any other on both, either
   * way round.
   */
  private connectionKey(
    srcT: boolean,
    dstT: boolean,
    src: number,
    sport: number,
    dst: number,
    dport: number,
  ): number {
    if (srcT && !dstT) return endpoint(dst, dport);
    if (dstT && !srcT) return endpoint(src, sport);
    return (endpoint(src, sport) + endpoint(dst, dport)) | 0;
  }

  /** The key of the IPv4 packet at data[ip, end); `inner` for the one an ICMP error quotes. */
  private key4(b: Uint8Array, ip: number, end: number, inner: boolean): number {
    const s = word(b, ip + 12);
    const d = word(b, ip + 16);
    const srcT = this.translatable4(s);
    const dstT = this.translatable4(d);
    const l4 = ip + (b[ip]! & 15) * 4;
    const proto = b[ip + 9]!;
    const frag = ((b[ip + 6]! << 8) | b[ip + 7]!) & 0x3fff;
    let sport = 0;
    let dport = 0;
    if ((frag & 0x1fff) === 0 && l4 + 4 <= end && (proto === TCP || proto === UDP)) {
      sport = ((b[l4]! << 8) | b[l4 + 1]!) & this.portMask;
      dport = ((b[l4 + 2]! << 8) | b[l4 + 3]!) & this.portMask;
    } else if (!inner && frag === 0 && proto === ICMP && l4 + 28 <= end && icmpError(b[l4]!)) {
      const quoted = l4 + 8;
      if (b[quoted]! >>> 4 === 4) return this.key4(b, quoted, end, true);
    }
    if (frag !== 0 && !inner) {
      this.group = `4,${s},${d},${proto},${(b[ip + 4]! << 8) | b[ip + 5]!}`;
      this.first = (frag & 0x1fff) === 0;
      this.last = (frag & 0x2000) === 0;
    }
    // A DNAT'd service's endpoint (cluster IP:port, pod:port) on one side: the client is the other.
    const services = this.services;
    const srcService = services.has(s, sport);
    if (srcService !== services.has(d, dport)) return srcService ? endpoint(d, dport) : endpoint(s, sport);
    return this.connectionKey(srcT, dstT, s, sport, d, dport);
  }

  /** The key of the IPv6 packet at data[ip, end); `inner` for the one an ICMPv6 error quotes. */
  private key6(b: Uint8Array, ip: number, end: number, inner: boolean): number {
    const srcT = this.translatable6(b, ip + 8);
    const dstT = this.translatable6(b, ip + 24);
    const s = hash6(b, ip + 8);
    const d = hash6(b, ip + 24);
    // Walk the extension headers conntrack walks too (hop-by-hop, routing, destination options, fragment).
    let next = b[ip + 6]!;
    let at = ip + 40;
    let group: string | undefined;
    let frag = 0;
    for (let n = 0; n < 8 && at + 8 <= end; n++) {
      if (next === 0 || next === 43 || next === 60) {
        const len = (b[at + 1]! + 1) * 8;
        next = b[at]!;
        at += len;
      } else if (next === 44) {
        frag = ((b[at + 2]! << 8) | b[at + 3]!) & 0xfff9;
        group = `6,${s},${d},${word(b, at + 4)}`;
        next = b[at]!;
        at += 8;
        if ((frag & 0xfff8) !== 0) break;
      } else break;
    }
    let sport = 0;
    let dport = 0;
    if ((frag & 0xfff8) === 0 && at + 4 <= end && (next === TCP || next === UDP)) {
      sport = ((b[at]! << 8) | b[at + 1]!) & this.portMask;
      dport = ((b[at + 2]! << 8) | b[at + 3]!) & this.portMask;
    } else if (!inner && group === undefined && next === ICMPV6 && at + 48 <= end && b[at]! < 128) {
      const quoted = at + 8;
      if (b[quoted]! >>> 4 === 6) return this.key6(b, quoted, end, true);
    }
    if (group !== undefined && !inner) {
      this.group = group;
      this.first = (frag & 0xfff8) === 0;
      this.last = (frag & 1) === 0;
    }
    return this.connectionKey(srcT, dstT, s, sport, d, dport);
  }
}

/** Whether sign-flipped IPv4 word `x` is in one of the ranges. */
function inRanges(x: number, from: Int32Array, to: Int32Array): boolean {
  for (let i = 0; i < from.length; i++) if (x >= from[i]! && x <= to[i]!) return true;
  return false;
}

/** Whether the IPv6 address at bytes[at, at + 16) is in one of the ranges. */
function inRanges6(bytes: Uint8Array, at: number, ranges: readonly Range[]): boolean {
  if (ranges.length === 0) return false;
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(bytes[at + i]!);
  return ranges.some((r) => v >= r.from && v <= r.to);
}

/** ICMP types that quote the packet they answer (unreachable, source quench, redirect, time exceeded, parameter problem). */
function icmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** The big-endian 32-bit word at `at`, as a signed integer (stays a small integer in V8). */
function word(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

function hash6(bytes: Uint8Array, at: number): number {
  let h = 0;
  for (let i = 0; i < 16; i += 4) h = mix(h ^ word(bytes, at + i));
  return h;
}

/** Where the IP header starts in a frame (from its start), or -1 when it carries no IP. */
function ipOffset(data: Uint8Array, start: number, length: number, linkType: number): number {
  if (length < 1) return -1;
  if (linkType === LinkType.Raw || linkType === LinkType.Ipv4 || linkType === LinkType.Ipv6) return 0;
  let at: number;
  if (linkType === LinkType.Ethernet) at = 12;
  else if (linkType === LinkType.LinuxSll) at = 14;
  else return -1;
  if (length < at + 2) return -1;
  let type = (data[start + at]! << 8) | data[start + at + 1]!;
  // 802.1Q / 802.1ad tags (Ethernet).
  while (linkType === LinkType.Ethernet && (type === 0x8100 || type === 0x88a8) && length >= at + 6) {
    at += 4;
    type = (data[start + at]! << 8) | data[start + at + 1]!;
  }
  at += 2;
  return (type === 0x0800 || type === 0x86dd) && length > at ? at : -1;
}
