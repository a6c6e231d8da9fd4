// ICMP errors through NAT in WebAssembly (natIcmpReplyTranslation of
// assembly/conntrack/icmp-reply-translation.ts, exported as ctNatIcmpReply) against the
// reference engine's natIcmpReplyTranslation (src/engine/conntrack/nat.ts). Both tables get the
// same seeded connections (TCP, UDP, ICMP echo; IPv4 and some IPv6) with DNAT / SNAT ranges, the
// null binding, or one manip left unset, along the forward, local-in and local-out paths; then
// ICMP errors quoting a packet of either direction go through conntrackIn on both sides (the same
// RELATED / RELATED_REPLY result, or the same refusal), and each RELATED one is translated at
// every hook. Sweeps also translate errors of every type class (redirects included) for live
// connections under every ctinfo. Compared: the verdict and both rewrite records, decoded.
// NFWASM_FUZZ=long runs ten times as many connections.

import { describe, expect, it } from 'vitest';
import {
  type ConnEntry,
  type ConntrackSettings,
  ConntrackTable,
  type CtInfo,
  type CtPacket,
  confirm,
  conntrackIn,
  DEFAULT_SETTINGS,
  type IcmpTranslation,
  invertTuple,
  type Rewrite,
  TCP_SYN,
  type TrackResult,
  Xoshiro128ss,
} from '../../src/engine/conntrack/index.js';
import {
  type NatContext,
  natIcmpReplyTranslation,
  natNullBinding,
  natSetupInfo,
} from '../../src/engine/conntrack/nat.js';
import {
  type Manip,
  type NatRange2,
  NF_NAT_RANGE_MAP_IPS,
  NF_NAT_RANGE_PERSISTENT,
  NF_NAT_RANGE_PROTO_RANDOM,
  NF_NAT_RANGE_PROTO_SPECIFIED,
} from '../../src/engine/conntrack/nat-range.js';
import { WasmConntrack } from '../../src/engine/wasm/conntrack.js';
import { instantiateClassifier } from '../../src/engine/wasm/module.js';
import { type NatExports, WasmNat, type WasmTrack } from '../../src/engine/wasm/nat.js';
import type { Hook } from '../../src/ir/ruleset.js';

const LONG = process.env.NFWASM_FUZZ === 'long';

interface TranslationExports extends NatExports {
  ctNatIcmpReply(
    idx: number,
    ctinfo: number,
    hook: number,
    icmpType: number,
    inner: number,
    outer: number,
  ): number;
}

const HOOKS: readonly Hook[] = ['prerouting', 'input', 'forward', 'output', 'postrouting'];
const HOOK_NUM: Record<Hook, number> = { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 };
const CTINFOS: readonly CtInfo[] = ['ESTABLISHED', 'RELATED', 'NEW', 'ESTABLISHED_REPLY', 'RELATED_REPLY'];
const REWRITE_BYTES = 32;
const NAT_ACCEPT = 1;
const NAT_DROP = 2;

class Rng {
  private readonly g: Xoshiro128ss;
  constructor(seed: number) {
    this.g = new Xoshiro128ss(seed ^ 0x68e31da4);
  }
  int(n: number): number {
    return this.g.nextU32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.g.nextU32() / 2 ** 32 < p;
  }
}

const V4_CLIENTS = [0x0a000001, 0x0a000002, 0x0a000003, 0xcb007101];
const V4_SERVERS = [0xc0000201, 0xc0000202, 0x0a010001];
const V4_SNAT = [0xcb007101, 0xcb007102, 0xcb007103];
const V4_DNAT = [0x0a010001, 0x0a010002, 0x0a010005];
const V4_ROUTERS = [0xc6336401, 0x0a0000fe];
const V6 = (last: number): number[] => [0x20010db8, 0, 0, last];
const SPORTS = [300, 1000, 1001, 40000, 40001, 5353];
const DPORTS = [53, 80, 1000, 8080];

function natRange(rng: Rng, family: 'ipv4' | 'ipv6', manip: Manip): NatRange2 {
  let flags = 0;
  let minAddr: number[] = family === 'ipv4' ? [0] : [0, 0, 0, 0];
  let maxAddr = minAddr;
  if (rng.chance(0.85)) {
    flags |= NF_NAT_RANGE_MAP_IPS;
    if (family === 'ipv4') {
      const pool = manip === 'src' ? V4_SNAT : V4_DNAT;
      const a = rng.int(pool.length);
      minAddr = [pool[a]!];
      maxAddr = [pool[rng.chance(0.5) ? a : Math.min(pool.length - 1, a + 1)]!];
    } else {
      minAddr = V6((manip === 'src' ? 0x100 : 0x200) + rng.int(2));
      maxAddr = minAddr;
    }
  }
  let minProto = 0;
  let maxProto = 0;
  if (rng.chance(0.5)) {
    flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
    [minProto, maxProto] = rng.pick([
      [1000, 1000],
      [1000, 1003],
      [1024, 65535],
    ] as const);
  }
  if (rng.chance(0.1)) flags |= NF_NAT_RANGE_PROTO_RANDOM;
  if (rng.chance(0.1)) flags |= NF_NAT_RANGE_PERSISTENT;
  return { flags, minAddr, maxAddr, minProto, maxProto, baseProto: 0 };
}

function newPacket(rng: Rng): CtPacket {
  const v6 = rng.chance(0.15);
  const family = v6 ? 'ipv6' : 'ipv4';
  const src = v6 ? V6(1 + rng.int(3)) : [rng.pick(V4_CLIENTS)];
  const dst = v6 ? V6(0x10 + rng.int(2)) : [rng.pick(V4_SERVERS)];
  const kind = rng.int(10);
  const ports = { sport: rng.pick(SPORTS), dport: rng.pick(DPORTS) };
  if (kind < 4) return { family, protocol: 17, src, dst, ...ports, length: 60 };
  if (kind < 8) {
    return {
      family,
      protocol: 6,
      src,
      dst,
      ...ports,
      length: 60,
      tcp: { flags: TCP_SYN, seq: rng.int(2 ** 32), ack: 0, window: 64240, payloadLength: 0 },
    };
  }
  // Echo mostly; the other query types too (their ids are rewritten, or for ICMPv6 node
  // information queries, not).
  const type = v6 ? rng.pick([128, 128, 139]) : rng.pick([8, 8, 8, 13, 15, 17]);
  const icmp = { type, code: 0, id: rng.pick([1, 2, 1000]) };
  return { family, protocol: v6 ? 58 : 1, src, dst, length: 84, icmp };
}

const hasPorts = (p: number): boolean => p === 6 || p === 17 || p === 132 || p === 136;

/**
 * An ICMP error about a packet that travelled in direction `dir` of `e` as its tuple says: the
 * quoted header is that packet seen from the error's sender (the inverse of the tuple the
 * lookup finds), the error goes to the tuple's destination (or, sometimes, elsewhere).
 */
function errorPacket(rng: Rng, e: ConnEntry, dir: 'original' | 'reply'): CtPacket {
  const t = e.tuple[dir];
  const q = invertTuple(t)!;
  const v6 = t.family === 'ipv6';
  const icmpProto = q.protocol === 1 || q.protocol === 58;
  const type = v6 ? rng.pick([1, 1, 2, 3, 4, 137]) : rng.pick([3, 3, 3, 11, 12, 4, 5]);
  const code = type === 137 ? 0 : type === 3 ? rng.int(16) : rng.int(2);
  const wrongDst = rng.chance(0.05);
  return {
    family: t.family,
    protocol: v6 ? 58 : 1,
    src: v6 ? V6(0xfe) : [rng.pick([...V4_ROUTERS, ...t.src])],
    dst: wrongDst ? (v6 ? V6(0x99) : [0x0a0a0a0a]) : t.dst,
    length: 56 + rng.int(500),
    icmp: { type, code, id: 0 },
    quoted: {
      protocol: q.protocol,
      src: q.src,
      dst: q.dst,
      ...(hasPorts(q.protocol) ? { sport: q.sport, dport: q.dport } : {}),
      ...(icmpProto ? { icmp: { type: q.icmpType, code: q.icmpCode, id: q.sport } } : {}),
    },
  };
}

interface Rw {
  manip: Manip;
  address: number[];
  port?: number;
  icmpId?: number;
}

interface Outcome {
  verdict: 'ACCEPT' | 'DROP';
  inner: Rw | null;
  outer: Rw | null;
}

function rw(r: Rewrite): Rw {
  const o: Rw = { manip: r.manip, address: r.address.map((a) => a >>> 0) };
  if (r.port !== undefined) o.port = r.port;
  if (r.icmpId !== undefined) o.icmpId = r.icmpId;
  return o;
}

function tsOutcome(t: IcmpTranslation): Outcome {
  if (t.verdict === 'DROP') return { verdict: 'DROP', inner: null, outer: null };
  return {
    verdict: 'ACCEPT',
    inner: t.rewrite ? rw(t.rewrite.inner) : null,
    outer: t.rewrite ? rw(t.rewrite.outer) : null,
  };
}

interface Stats {
  connections: number;
  ipv6: number;
  errors: number;
  related: number;
  cases: number;
  rewrites: number;
  drops: number;
  byHook: Record<string, number>;
  byCtinfo: Record<string, number>;
  divergences: string[];
}

const json = (x: unknown): string => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

function trackView(t: TrackResult) {
  if (t.kind !== 'tracked') return { kind: t.kind };
  return { kind: t.kind, ctinfo: t.ctinfo, direction: t.direction, id: t.entry.id };
}

function run(
  settings: ConntrackSettings,
  hashSeed: number,
  seed: number,
  connections: number,
  stats: Stats,
): void {
  const rng = new Rng(seed);
  const table = new ConntrackTable({ settings, hashSeed });
  const prng = new Xoshiro128ss(seed);
  const x = instantiateClassifier('release') as unknown as TranslationExports;
  const wct = new WasmConntrack(x, { settings, hashSeed, capacity: 4096, batchSize: 1 });
  const wnat = new WasmNat(x, wct);
  wnat.seed(seed);
  const inner = x.alloc(REWRITE_BYTES) >>> 0;
  const outer = x.alloc(REWRITE_BYTES) >>> 0;
  let now = 1_000_000_000n;
  const fail = (where: string, what: string, a: unknown, b: unknown): boolean => {
    const sa = json(a);
    const sb = json(b);
    if (sa === sb) return false;
    stats.divergences.push(`seed ${seed} hashSeed ${hashSeed} ${where}: ${what}\n ts   ${sa}\n wasm ${sb}`);
    return true;
  };
  const wView = (w: WasmTrack) =>
    w.kind === 'tracked'
      ? {
          kind: w.kind,
          ctinfo: w.ctinfo,
          direction: w.direction,
          id: w.entry === null ? null : wct.entryId(w.entry),
        }
      : { kind: w.kind };

  const decode = (at: number, family: 'ipv4' | 'ipv6'): Rw | null => {
    const w = new Uint32Array(x.memory.buffer, at, REWRITE_BYTES / 4);
    if (w[0] === 0) return null;
    const o: Rw = {
      manip: w[1] === 0 ? 'src' : 'dst',
      address: Array.from(w.slice(4, family === 'ipv4' ? 5 : 8)),
    };
    if (w[2] === 1) o.port = w[3]!;
    else if (w[2] === 2) o.icmpId = w[3]!;
    return o;
  };

  /** One translation on both sides; false on a divergence. */
  const translate = (
    where: string,
    entry: ConnEntry,
    idx: number,
    ctinfo: CtInfo,
    hook: Hook,
    type: number,
  ): boolean => {
    const family = entry.tuple.original.family;
    const want = tsOutcome(natIcmpReplyTranslation(entry, ctinfo, hook, type, family));
    // Records left from earlier calls must be overwritten.
    new Uint8Array(x.memory.buffer, inner, REWRITE_BYTES).fill(0xff);
    new Uint8Array(x.memory.buffer, outer, REWRITE_BYTES).fill(0xff);
    const v = x.ctNatIcmpReply(idx, CTINFOS.indexOf(ctinfo), HOOK_NUM[hook], type, inner, outer);
    const got: Outcome = {
      verdict: v === NAT_ACCEPT ? 'ACCEPT' : v === NAT_DROP ? 'DROP' : (`verdict ${v}` as 'DROP'),
      inner: decode(inner, family),
      outer: decode(outer, family),
    };
    stats.cases++;
    stats.byHook[hook] = (stats.byHook[hook] ?? 0) + 1;
    stats.byCtinfo[ctinfo] = (stats.byCtinfo[ctinfo] ?? 0) + 1;
    if (want.inner) stats.rewrites++;
    if (want.verdict === 'DROP') stats.drops++;
    const what = `natIcmpReplyTranslation ${ctinfo} ${hook} type ${type} status 0x${entry.status.toString(16)} tuples ${json(entry.tuple)}`;
    return !fail(where, what, want, got);
  };

  const setUp = (entry: ConnEntry, idx: number, manip: Manip, hook: Hook, where: string): boolean => {
    const ctx: NatContext = { table, prng, now, hook };
    let v: string;
    let w: string;
    if (rng.chance(0.3)) {
      v = natNullBinding(ctx, entry, manip);
      w = wnat.nullBinding(idx, manip, now);
    } else {
      const range = natRange(rng, entry.tuple.original.family, manip);
      v = natSetupInfo(ctx, entry, range, manip);
      w = wnat.setup(idx, range, manip, now);
    }
    if (fail(where, `${manip} setup verdict`, v, w)) return false;
    if (fail(where, `${manip} reply tuple`, entry.tuple.reply, wct.entry(idx).reply)) return false;
    return !fail(where, `${manip} status`, entry.status, wct.entry(idx).status);
  };

  /** A new connection along a random path, NATed at its hooks; false on a divergence. */
  const connect = (where: string): boolean => {
    const pkt = newPacket(rng);
    const path = rng.pick(['forward', 'local-in', 'local-out', 'partial'] as const);
    const ctHook: Hook = path === 'local-out' ? 'output' : 'prerouting';
    const track = conntrackIn(table, pkt, now, ctHook);
    const wtrack = wnat.conntrackIn({ pkt, now, hook: ctHook });
    if (fail(where, `track ${json(pkt)}`, trackView(track), wView(wtrack))) return false;
    if (track.kind !== 'tracked' || wtrack.entry === null) return true;
    const idx = wtrack.entry;
    if (track.ctinfo === 'NEW') {
      const dstHook: Hook = path === 'local-out' ? 'output' : 'prerouting';
      const srcHook: Hook = path === 'local-in' ? 'input' : 'postrouting';
      const skip = path === 'partial' ? rng.int(2) : -1;
      if (skip !== 0 && !setUp(track.entry, idx, 'dst', dstHook, where)) return false;
      if (skip !== 1 && !setUp(track.entry, idx, 'src', srcHook, where)) return false;
    }
    const c = confirm(table, track, now);
    const wc = wnat.confirm(idx, track.direction, now);
    const tsC = c ? (c.verdict === 'ACCEPT' ? c.entry.id : null) : track.entry.id;
    if (fail(where, 'confirm', tsC, wc === null ? null : wct.entryId(wc))) return false;
    if (track.ctinfo === 'NEW' && c?.verdict === 'ACCEPT') {
      stats.connections++;
      if (pkt.family === 'ipv6') stats.ipv6++;
    }
    return true;
  };

  /** An ICMP error about a live connection through conntrackIn, then translated at every hook. */
  const icmpError = (e: ConnEntry, where: string): boolean => {
    const dir = rng.chance(0.5) ? 'reply' : 'original';
    const pkt = errorPacket(rng, e, dir);
    const ctHook: Hook = rng.chance(0.8) ? 'prerouting' : 'output';
    stats.errors++;
    const track = conntrackIn(table, pkt, now, ctHook);
    const wtrack = wnat.conntrackIn({ pkt, now, hook: ctHook });
    if (fail(where, `error track ${json(pkt)}`, trackView(track), wView(wtrack))) return false;
    if (track.kind !== 'tracked' || wtrack.entry === null) return true;
    if (track.ctinfo !== 'RELATED' && track.ctinfo !== 'RELATED_REPLY') return true;
    stats.related++;
    for (const hook of HOOKS) {
      if (!translate(where, track.entry, wtrack.entry, track.ctinfo, hook, pkt.icmp!.type)) return false;
    }
    return true;
  };

  /** Every live connection (up to `limit`), every ctinfo, hook and class of error type. */
  const sweep = (where: string, limit: number): boolean => {
    const live = table.entries(now);
    const wlive = wct.entries(now);
    if (
      fail(
        where,
        'live ids',
        live.map((e) => e.id),
        wlive.map((e) => e.id),
      )
    )
      return false;
    for (let k = 0; k < live.length && k < limit; k++) {
      const i = live.length <= limit ? k : rng.int(live.length);
      const e = live[i]!;
      const types = e.tuple.original.family === 'ipv4' ? [3, 5, 11] : [1, 137, 3];
      for (const ctinfo of CTINFOS)
        for (const hook of HOOKS)
          for (const type of types)
            if (!translate(where, e, wlive[i]!.index, ctinfo, hook, type)) return false;
    }
    return true;
  };

  let made = 0;
  for (let step = 0; made < connections; step++) {
    if (stats.divergences.length > 3) return;
    now += BigInt(1 + rng.int(300)) * 1_000_000n;
    const where = `step ${step}`;
    const live = table.entries(now);
    if (live.length > 0 && rng.chance(0.5)) {
      if (!icmpError(rng.pick(live), where)) return;
    } else {
      made++;
      if (!connect(where)) return;
    }
    if (step % 500 === 499 && !sweep(where, 40)) return;
  }
}

describe('ICMP error translation through NAT in WebAssembly agrees with the reference engine', () => {
  it('errors RELATED to NATed connections, both directions, every hook', () => {
    const stats: Stats = {
      connections: 0,
      ipv6: 0,
      errors: 0,
      related: 0,
      cases: 0,
      rewrites: 0,
      drops: 0,
      byHook: {},
      byCtinfo: {},
      divergences: [],
    };
    const configs: [ConntrackSettings, number][] = [
      [DEFAULT_SETTINGS, 0],
      [{ ...DEFAULT_SETTINGS, max: 300, buckets: 64, udpTimeout: 10 }, 0x51],
    ];
    const seeds = LONG ? 10 : 1;
    for (const [settings, hashSeed] of configs)
      for (let s = 1; s <= seeds; s++) run(settings, hashSeed, s * 7919 + hashSeed, 3_000, stats);
    console.log(
      `icmp translation differential: ${stats.connections} connections (${stats.ipv6} IPv6), ${stats.errors} ICMP errors (${stats.related} RELATED), ${stats.cases} translations (${stats.rewrites} rewrites, ${stats.drops} drops; by hook ${json(stats.byHook)}; by ctinfo ${json(stats.byCtinfo)}), ${stats.divergences.length} divergences`,
    );
    if (stats.divergences.length > 0) console.log(stats.divergences.join('\n'));
    expect(stats.divergences).toEqual([]);
    expect(stats.cases).toBeGreaterThanOrEqual(10_000);
    expect(stats.related).toBeGreaterThan(1_000);
    expect(stats.rewrites).toBeGreaterThan(1_000);
    expect(stats.drops).toBeGreaterThan(0);
  });
});
