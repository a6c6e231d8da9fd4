// Which worker of `replay --workers N` runs a packet: RSS-style, by address, chosen so that both
// directions of a connection — NAT replies included — land on the same worker, whose connection
// table then holds the whole connection.
//
// A NAT'd connection keeps one endpoint across its directions and rewrites the other. The
// "translatable" addresses are those NAT can put in or take out of a packet: the host's own
// (REDIRECT, MASQUERADE, and what DNAT rewrites away), every NAT target range (DNAT, SNAT,
// NETMAP, userland proxies' targets) and the sources SNAT/MASQUERADE rules rewrite (their `-s`,
// else the connected subnets behind the interfaces they do not leave by). A packet with exactly
// one translatable endpoint is keyed on the other (the kept one: the client of a DNAT'd service,
// the server a MASQUERADEd container talks to); any other packet on both addresses,
// symmetrically. A connection both DNAT'd and SNAT'd (hairpin NAT), or SNAT'd from a source
// outside those sets, may be split across workers.

import type { Host } from '../host/index.js';
import type { Family, IpNet } from '../ir/address.js';
import type { Rule, Ruleset } from '../ir/ruleset.js';
import { LinkType } from '../trace/index.js';

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
  for (const i of host.interfaces)
    for (const a of i.addresses)
      if (a.family === family) ranges.push({ from: wordsValue(a.words), to: wordsValue(a.words) });
  for (const p of host.proxies)
    if (p.target.address.family === family) {
      const v = wordsValue(p.target.address.words);
      ranges.push({ from: v, to: v });
    }
  if (family === 'ipv4') ranges.push({ from: 0x7f000000n, to: 0x7fffffffn });
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

const SIGN = 0x80000000 | 0;

/** fmix32 (MurmurHash3's finaliser): spreads an address's bits over the word. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class ConnectionSharding {
  /** IPv4 ranges with the sign bit flipped, so that signed 32-bit comparisons order them. */
  private readonly v4From: Int32Array;
  private readonly v4To: Int32Array;
  private readonly v6: Range[];

  constructor(
    ruleset: Ruleset,
    host: Host,
    readonly workers: number,
  ) {
    const ranges = translatableRanges(ruleset, host);
    const v4 = ruleset.family === 'ipv4' ? ranges : [];
    this.v4From = Int32Array.from(v4, (r) => Number(r.from) ^ SIGN);
    this.v4To = Int32Array.from(v4, (r) => Number(r.to) ^ SIGN);
    this.v6 = ruleset.family === 'ipv6' ? ranges : [];
  }

  /** Whether IPv4 address `a` (a signed word) is in a translatable range. */
  private translatable4(a: number): boolean {
    const x = a ^ SIGN;
    const from = this.v4From;
    const to = this.v4To;
    for (let i = 0; i < from.length; i++) if (x >= from[i]! && x <= to[i]!) return true;
    return false;
  }

  private translatable6(bytes: Uint8Array, at: number): boolean {
    if (this.v6.length === 0) return false;
    let v = 0n;
    for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(bytes[at + i]!);
    return this.v6.some((r) => v >= r.from && v <= r.to);
  }

  /**
   * The worker (0 ≤ w < workers) for the frame at data[start, start + length) of a LINKTYPE_*
   * link type.
   */
  shardOf(data: Uint8Array, start: number, length: number, linkType: number): number {
    if (this.workers === 1) return 0;
    const off = ipOffset(data, start, length, linkType);
    if (off < 0) return 0;
    const ip = start + off;
    const version = data[ip]! >>> 4;
    let src: number;
    let dst: number;
    let srcT: boolean;
    let dstT: boolean;
    if (version === 4 && length >= off + 20) {
      const s = word(data, ip + 12);
      const d = word(data, ip + 16);
      srcT = this.translatable4(s);
      dstT = this.translatable4(d);
      src = mix(s);
      dst = mix(d);
    } else if (version === 6 && length >= off + 40) {
      srcT = this.translatable6(data, ip + 8);
      dstT = this.translatable6(data, ip + 24);
      src = hash6(data, ip + 8);
      dst = hash6(data, ip + 24);
    } else return 0;
    const h = srcT && !dstT ? dst : dstT && !srcT ? src : (src + dst) >>> 0;
    return mix(h) % this.workers;
  }
}

/** The big-endian 32-bit word at `at`, as a signed integer (stays a small integer in V8). */
function word(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

function hash6(bytes: Uint8Array, at: number): number {
  let h = 0;
  for (let i = 0; i < 16; i += 4) h = mix((h ^ word(bytes, at + i)) >>> 0);
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
