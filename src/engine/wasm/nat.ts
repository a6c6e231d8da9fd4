// NAT bindings in WebAssembly, host side (assembly/conntrack/nat.ts, nat-tuple.ts, prng.ts):
// one packet at a time — conntrackIn, natSetupInfo / the null binding per manip, natPacket's
// rewrite description, confirm — on the table of a WasmConntrack. Record layouts mirror
// assembly/conntrack/layout.ts (RANGE_BYTES, REWRITE_BYTES, PKT_BYTES).

import type { Hook } from '../../ir/ruleset.js';
import type { Manip, NatRange2 } from '../conntrack/nat-range.js';
import type { ConntrackExports, WasmConntrack, WasmCtPacket } from './conntrack.js';
import { CTINFOS, encodePacket } from './conntrack.js';

/** The NAT exports of the module (assembly/index.ts). */
export interface NatExports extends ConntrackExports {
  ctPrngSeed(seed: number): void;
  ctPrngNext(): number;
  ctIn(pkt: number): number;
  ctResult(field: number): number;
  ctConfirm(idx: number, dir: number, now: bigint): number;
  ctNatSetup(idx: number, range: number, manip: number, now: bigint): number;
  ctNatNull(idx: number, manip: number, now: bigint): number;
  ctNatInitialized(idx: number, manip: number): number;
  ctNatPacket(idx: number, dir: number, hook: number, icmpType: number, out: number): void;
  ctNatSideBytes(): number;
}

const PKT_BYTES = 160;
const RANGE_BYTES = 48;
const REWRITE_BYTES = 32;
const NONE = 0xffffffff;
const HOOKS: Record<Hook, number> = { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 };
const KINDS = ['tracked', 'invalid', 'untracked', 'drop'] as const;

export interface WasmTrack {
  readonly kind: (typeof KINDS)[number];
  readonly ctinfo: (typeof CTINFOS)[number] | null;
  readonly direction: 'original' | 'reply';
  readonly entry: number | null;
}

/** Rewrite (src/engine/conntrack/nat.ts) as read back from the rewrite record. */
export interface WasmRewrite {
  readonly manip: Manip;
  readonly address: number[];
  readonly port?: number;
  readonly icmpId?: number;
}

export class WasmNat {
  private readonly pkt: number;
  private readonly range: number;
  private readonly rewrite: number;

  constructor(
    readonly exports: NatExports,
    readonly conntrack: WasmConntrack,
  ) {
    this.pkt = exports.alloc(PKT_BYTES) >>> 0;
    this.range = exports.alloc(RANGE_BYTES) >>> 0;
    this.rewrite = exports.alloc(REWRITE_BYTES) >>> 0;
  }

  /** Seeds the NAT generator (new Xoshiro128ss(seed)). */
  seed(seed: number): void {
    this.exports.ctPrngSeed(seed >>> 0);
  }

  /** conntrackIn for one packet (no confirmation). */
  conntrackIn(p: WasmCtPacket): WasmTrack {
    const x = this.exports;
    new Uint8Array(x.memory.buffer, this.pkt, PKT_BYTES).fill(0);
    encodePacket(new DataView(x.memory.buffer), this.pkt, p);
    const kind = KINDS[x.ctIn(this.pkt)]!;
    const entry = x.ctResult(3) >>> 0;
    return {
      kind,
      ctinfo: kind === 'tracked' ? CTINFOS[x.ctResult(1)]! : null,
      direction: x.ctResult(2) === 1 ? 'reply' : 'original',
      entry: entry === NONE ? null : entry,
    };
  }

  /** natSetupInfo. */
  setup(entry: number, range: NatRange2, manip: Manip, now: bigint): 'ACCEPT' | 'DROP' {
    const w = new Uint32Array(this.exports.memory.buffer, this.range, RANGE_BYTES / 4);
    w.fill(0);
    w[0] = range.flags;
    for (const [i, a] of range.minAddr.entries()) w[1 + i] = a >>> 0;
    for (const [i, a] of range.maxAddr.entries()) w[5 + i] = a >>> 0;
    w[9] = range.minProto;
    w[10] = range.maxProto;
    w[11] = range.baseProto;
    return this.exports.ctNatSetup(entry, this.range, manip === 'src' ? 0 : 1, now) === 1 ? 'ACCEPT' : 'DROP';
  }

  /** natNullBinding. */
  nullBinding(entry: number, manip: Manip, now: bigint): 'ACCEPT' | 'DROP' {
    return this.exports.ctNatNull(entry, manip === 'src' ? 0 : 1, now) === 1 ? 'ACCEPT' : 'DROP';
  }

  initialized(entry: number, manip: Manip): boolean {
    return this.exports.ctNatInitialized(entry, manip === 'src' ? 0 : 1) !== 0;
  }

  /** natPacket: the rewrite of a packet of `entry` in `dir` at `hook`, or null. */
  packet(
    entry: number,
    dir: 'original' | 'reply',
    hook: Hook,
    family: 'ipv4' | 'ipv6',
    icmpType?: number,
  ): WasmRewrite | null {
    const x = this.exports;
    x.ctNatPacket(entry, dir === 'reply' ? 1 : 0, HOOKS[hook], icmpType ?? -1, this.rewrite);
    const w = new Uint32Array(x.memory.buffer, this.rewrite, REWRITE_BYTES / 4);
    if (w[0] === 0) return null;
    const manip: Manip = w[1] === 0 ? 'src' : 'dst';
    const address = Array.from(w.slice(4, family === 'ipv4' ? 5 : 8));
    if (w[2] === 1) return { manip, address, port: w[3]! };
    if (w[2] === 2) return { manip, address, icmpId: w[3]! };
    return { manip, address };
  }

  /** confirm: the entry the packet continues with, or null when dropped. */
  confirm(entry: number, dir: 'original' | 'reply', now: bigint): number | null {
    const r = this.exports.ctConfirm(entry, dir === 'reply' ? 1 : 0, now) >>> 0;
    return r === NONE ? null : r;
  }

  /** Bytes of IPv6 NAT side records allocated so far. */
  sideBytes(): number {
    return this.exports.ctNatSideBytes() >>> 0;
  }
}
