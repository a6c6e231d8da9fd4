// Conntrack in WebAssembly, host side: the settings record, packet records (the decoded CtPacket
// the reference engine's conntrackIn reads), per-packet results, and reading entries back from
// linear memory. Record layouts mirror assembly/conntrack/layout.ts.

import type { Hook } from '../../ir/ruleset.js';
import type { ConntrackSettings, ConntrackStats, CtPacket, TcpState, Tuple } from '../conntrack/index.js';
import { DEFAULT_SETTINGS, invertTuple } from '../conntrack/index.js';
import { CT_WORDS } from './layout.js';

interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The conntrack exports of the module (assembly/index.ts). */
export interface ConntrackExports {
  readonly memory: WasmMemory;
  alloc(bytes: number): number;
  ctInit(settings: number): void;
  conntrackBatch(n: number, pkts: number, out: number, ct: number): void;
  ctEntries(): number;
  ctEntryBytes(): number;
  ctHighWater(): number;
  ctCount(): number;
  ctStats(): number;
  ctExpire(now: bigint): number;
}

export const CT_ENTRY_BYTES = 128;
const PKT_BYTES = 160;
const OUT_BYTES = 16;
const SETTINGS_WORDS = 28;
const NONE = 0xffffffff;

// Packet flags (PF_*).
const PF_IPV6 = 1;
const PF_UNPARSABLE = 2;
const PF_BAD_CHECKSUM = 4;
const PF_BAD_UDP_LENGTH = 8;
const PF_PORTS = 16;
const PF_TCP = 32;
const PF_ICMP = 64;
const PF_PREROUTING = 128;
const PF_TCP_OPTIONS = 256;
const PF_SACK_PERM = 512;
const PF_WSCALE = 1024;

// Quoted packet flags (QF_*).
const QF_PRESENT = 1;
const QF_UNPARSABLE = 2;
const QF_PORTS = 4;
const QF_ICMP = 8;

const EF_IPV6 = 1;
const EF_USED = 2;
const EF_NAT_REPLY = 4;
const IPS_CONFIRMED = 1 << 3;
const IPS_DYING = 1 << 9;

export type WasmCtKind = 'tracked' | 'invalid' | 'untracked' | 'drop';
const KINDS: readonly WasmCtKind[] = ['tracked', 'invalid', 'untracked', 'drop'];
/** ctinfo numbers (IP_CT_*) as the reference engine names them. */
export const CTINFOS = ['ESTABLISHED', 'RELATED', 'NEW', 'ESTABLISHED_REPLY', 'RELATED_REPLY'] as const;

/** One packet's outcome: conntrackIn's TrackResult kind and ctinfo, and confirm's verdict. */
export interface WasmCtResult {
  readonly kind: WasmCtKind;
  readonly ctinfo: (typeof CTINFOS)[number] | null;
  readonly direction: 'original' | 'reply';
  /** Entry record index, or null. */
  readonly entry: number | null;
  readonly confirm: 'ACCEPT' | 'DROP' | null;
}

export interface WasmCtPacket {
  readonly pkt: CtPacket;
  readonly now: bigint;
  readonly hook: Hook;
  readonly zone?: number;
}

/** An entry read back from linear memory, in the reference engine's terms. */
export interface WasmConnEntry {
  readonly index: number;
  readonly id: number;
  readonly original: Tuple;
  readonly reply: Tuple;
  readonly zone: number;
  readonly status: number;
  readonly mark: number;
  /** Absolute expiry (ns) once confirmed. */
  readonly timeout: bigint;
  readonly tcp: TcpState | null;
  readonly udpStreamTs: bigint | null;
}

/** settings record words (ST_* in assembly/conntrack/layout.ts). */
function settingsWords(s: ConntrackSettings, hashSeed: number, capacity: number): number[] {
  const b = (x: boolean): number => (x ? 1 : 0);
  return [
    s.tcpTimeoutSynSent,
    s.tcpTimeoutSynRecv,
    s.tcpTimeoutEstablished,
    s.tcpTimeoutFinWait,
    s.tcpTimeoutCloseWait,
    s.tcpTimeoutLastAck,
    s.tcpTimeoutTimeWait,
    s.tcpTimeoutClose,
    s.tcpTimeoutSynSent2,
    s.tcpTimeoutMaxRetrans,
    s.tcpTimeoutUnacknowledged,
    b(s.tcpLoose),
    b(s.tcpBeLiberal),
    s.tcpMaxRetrans,
    b(s.tcpIgnoreInvalidRst),
    s.udpTimeout,
    s.udpTimeoutStream,
    s.icmpTimeout,
    s.icmpv6Timeout,
    s.genericTimeout,
    b(s.checksum),
    s.max,
    s.buckets,
    hashSeed >>> 0,
    capacity,
  ];
}

export interface WasmConntrackOptions {
  readonly settings?: ConntrackSettings;
  readonly hashSeed?: number;
  /** Entry records to preallocate; default nf_conntrack_max (or 65536 without a limit). */
  readonly capacity?: number;
  /** Packets per conntrackBatch call. */
  readonly batchSize?: number;
}

export class WasmConntrack {
  readonly capacity: number;
  readonly batchSize: number;
  private readonly pkts: number;
  private readonly out: number;
  private readonly ct: number;

  constructor(
    readonly exports: ConntrackExports,
    options: WasmConntrackOptions = {},
  ) {
    const settings = options.settings ?? DEFAULT_SETTINGS;
    this.capacity = options.capacity ?? (settings.max > 0 ? settings.max : 65536);
    this.batchSize = options.batchSize ?? 1024;
    const x = exports;
    const st = x.alloc(SETTINGS_WORDS * 4) >>> 0;
    const words = settingsWords(settings, options.hashSeed ?? 0, this.capacity);
    new Uint32Array(x.memory.buffer, st, SETTINGS_WORDS).set(words);
    x.ctInit(st);
    this.pkts = x.alloc(this.batchSize * PKT_BYTES) >>> 0;
    this.out = x.alloc(this.batchSize * OUT_BYTES) >>> 0;
    this.ct = x.alloc(this.batchSize * CT_WORDS * 4) >>> 0;
  }

  /** nf_conntrack_count. */
  get count(): number {
    return this.exports.ctCount();
  }

  /** The same counters as the TypeScript table's stats. */
  stats(): ConntrackStats {
    const w = new Uint32Array(this.exports.memory.buffer, this.exports.ctStats() >>> 0, 7);
    return {
      found: w[0]!,
      invalid: w[1]!,
      insert: w[2]!,
      insertFailed: w[3]!,
      drop: w[4]!,
      earlyDrop: w[5]!,
      clashResolve: w[6]!,
    };
  }

  /** Tracks packets in order (conntrackIn, then confirm, per packet); results in order. */
  track(packets: readonly WasmCtPacket[]): WasmCtResult[] {
    const results: WasmCtResult[] = [];
    for (let start = 0; start < packets.length; start += this.batchSize) {
      const chunk = packets.slice(start, start + this.batchSize);
      const view = new DataView(this.exports.memory.buffer);
      new Uint8Array(this.exports.memory.buffer, this.pkts, chunk.length * PKT_BYTES).fill(0);
      for (const [k, p] of chunk.entries()) encodePacket(view, this.pkts + k * PKT_BYTES, p);
      this.exports.conntrackBatch(chunk.length, this.pkts, this.out, this.ct);
      const o = new Uint32Array(this.exports.memory.buffer, this.out, chunk.length * 4);
      for (let k = 0; k < chunk.length; k++) {
        const kind = KINDS[o[k * 4]!]!;
        const info = o[k * 4 + 1]!;
        const verdict = o[k * 4 + 3]!;
        results.push({
          kind,
          ctinfo: kind === 'tracked' ? CTINFOS[info & 0xff]! : null,
          direction: info >>> 8 === 1 ? 'reply' : 'original',
          entry: o[k * 4 + 2] === NONE ? null : o[k * 4 + 2]!,
          confirm: verdict === 1 ? 'ACCEPT' : verdict === 2 ? 'DROP' : null,
        });
      }
    }
    return results;
  }

  /** The CT records (CT_WORDS words each) the last batch wrote, for its packet `k`. */
  ctRecord(k: number): Uint32Array {
    return new Uint32Array(this.exports.memory.buffer, this.ct + k * CT_WORDS * 4, CT_WORDS).slice();
  }

  /** The allocation id (ConnEntry.id) of entry record `index`. */
  entryId(index: number): number {
    return new DataView(this.exports.memory.buffer).getUint32(
      (this.exports.ctEntries() >>> 0) + index * CT_ENTRY_BYTES + 56,
      true,
    );
  }

  /** Entry record `index`, confirmed or not, read back. */
  entry(index: number): WasmConnEntry {
    const view = new DataView(this.exports.memory.buffer);
    return readEntry(view, (this.exports.ctEntries() >>> 0) + index * CT_ENTRY_BYTES, index);
  }

  /** A copy of an entry's record at `address` (the packet path's per-frame snapshots). */
  entryAt(address: number): WasmConnEntry {
    return readEntry(new DataView(this.exports.memory.buffer), address, -1);
  }

  /** Deletes every expired connection. */
  expire(now: bigint): number {
    return this.exports.ctExpire(now);
  }

  /** Confirmed, unexpired connections in allocation order (ConntrackTable.entries). */
  entries(now: bigint): WasmConnEntry[] {
    const x = this.exports;
    const base = x.ctEntries() >>> 0;
    const view = new DataView(x.memory.buffer);
    const list: WasmConnEntry[] = [];
    for (let i = 0; i < x.ctHighWater(); i++) {
      const e = base + i * CT_ENTRY_BYTES;
      const flags = view.getUint8(e + 45);
      const status = view.getUint16(e + 48, true);
      if (!(flags & EF_USED) || !(status & IPS_CONFIRMED) || status & IPS_DYING) continue;
      const timeout = view.getBigInt64(e, true);
      if (timeout <= now) continue;
      list.push(readEntry(view, e, i));
    }
    return list.sort((a, b) => a.id - b.id);
  }
}

/** Writes packet record `p` (PKT_BYTES, zeroed) for a packet. */
export function encodePacket(v: DataView, p: number, { pkt, now, hook, zone }: WasmCtPacket): void {
  let flags = 0;
  if (pkt.family === 'ipv6') flags |= PF_IPV6;
  if (pkt.unparsable) flags |= PF_UNPARSABLE;
  if (pkt.badChecksum) flags |= PF_BAD_CHECKSUM;
  if (pkt.badUdpLength) flags |= PF_BAD_UDP_LENGTH;
  if (pkt.sport !== undefined && pkt.dport !== undefined) flags |= PF_PORTS;
  if (pkt.icmp) flags |= PF_ICMP;
  if (hook === 'prerouting') flags |= PF_PREROUTING;
  v.setUint32(p + 4, pkt.protocol, true);
  v.setUint32(p + 8, pkt.length, true);
  v.setUint16(p + 12, pkt.sport ?? 0, true);
  v.setUint16(p + 14, pkt.dport ?? 0, true);
  if (pkt.icmp) {
    v.setUint8(p + 16, pkt.icmp.type);
    v.setUint8(p + 17, pkt.icmp.code);
    v.setUint16(p + 18, pkt.icmp.id, true);
  }
  const tcp = pkt.tcp;
  if (tcp) {
    flags |= PF_TCP;
    v.setUint8(p + 20, tcp.flags);
    v.setUint8(p + 21, tcp.headerLength ?? 20);
    const o = tcp.options;
    if (o) {
      flags |= PF_TCP_OPTIONS;
      if (o.sackPerm) flags |= PF_SACK_PERM;
      if (o.wscale !== undefined) {
        flags |= PF_WSCALE;
        v.setUint8(p + 22, o.wscale);
      }
      const edges = o.sackRightEdges ?? [];
      if (edges.length > 4) throw new Error('conntrack wasm: at most 4 SACK blocks');
      v.setUint8(p + 23, edges.length);
      for (const [i, edge] of edges.entries()) v.setUint32(p + 40 + i * 4, edge >>> 0, true);
    }
    v.setUint32(p + 24, tcp.seq >>> 0, true);
    v.setUint32(p + 28, tcp.ack >>> 0, true);
    v.setUint32(p + 32, tcp.window >>> 0, true);
    v.setUint32(p + 36, tcp.payloadLength >>> 0, true);
  }
  for (const [i, w] of pkt.src.entries()) v.setUint32(p + 56 + i * 4, w >>> 0, true);
  for (const [i, w] of pkt.dst.entries()) v.setUint32(p + 72 + i * 4, w >>> 0, true);
  v.setUint32(p + 88, zone ?? 0, true);
  v.setBigInt64(p + 96, now, true);
  const q = pkt.quoted;
  if (q) {
    let qf = QF_PRESENT;
    if (q.unparsable) qf |= QF_UNPARSABLE;
    if (q.sport !== undefined && q.dport !== undefined) qf |= QF_PORTS;
    if (q.icmp) {
      qf |= QF_ICMP;
      v.setUint8(p + 116, q.icmp.type);
      v.setUint8(p + 117, q.icmp.code);
      v.setUint16(p + 118, q.icmp.id, true);
    }
    v.setUint32(p + 104, qf, true);
    v.setUint32(p + 108, q.protocol, true);
    v.setUint16(p + 112, q.sport ?? 0, true);
    v.setUint16(p + 114, q.dport ?? 0, true);
    for (const [i, w] of q.src.entries()) v.setUint32(p + 120 + i * 4, w >>> 0, true);
    for (const [i, w] of q.dst.entries()) v.setUint32(p + 136 + i * 4, w >>> 0, true);
  }
  v.setUint32(p, flags, true);
}

function readEntry(v: DataView, e: number, index: number): WasmConnEntry {
  const ipv6 = (v.getUint8(e + 45) & EF_IPV6) !== 0;
  const n = ipv6 ? 4 : 1;
  const words = (at: number): number[] => Array.from({ length: n }, (_, i) => v.getUint32(at + i * 4, true));
  const protocol = v.getUint8(e + 44);
  const icmp = protocol === 1 || protocol === 58;
  const original: Tuple = {
    family: ipv6 ? 'ipv6' : 'ipv4',
    protocol,
    src: words(e + 8),
    dst: words(e + 24),
    sport: v.getUint16(e + 40, true),
    dport: v.getUint16(e + 42, true),
    icmpType: icmp ? v.getUint8(e + 46) : 0,
    icmpCode: icmp ? v.getUint8(e + 47) : 0,
  };
  const inverse = invertTuple(original);
  if (!inverse) throw new Error('conntrack wasm: entry tuple not invertible');
  let reply = inverse;
  if (v.getUint8(e + 45) & EF_NAT_REPLY) {
    // nat-store.ts: IPv4-compact in the spare address words, IPv6 in the side record.
    const at = ipv6 ? v.getUint32(e + 68, true) : e + 12;
    const dst = ipv6 ? at + 16 : e + 16;
    const ports = ipv6 ? at + 32 : e + 20;
    reply = {
      ...inverse,
      src: words(at),
      dst: words(dst),
      sport: v.getUint16(ports, true),
      dport: v.getUint16(ports + 2, true),
    };
  }
  const side = (s: number) => ({
    tdEnd: v.getUint32(e + 72 + s * 16, true),
    tdMaxEnd: v.getUint32(e + 76 + s * 16, true),
    tdMaxWin: v.getUint32(e + 80 + s * 16, true),
    tdMaxAck: v.getUint32(e + 84 + s * 16, true),
    tdScale: v.getUint8(e + 118 + s * 2),
    flags: v.getUint8(e + 119 + s * 2),
  });
  const tcp: TcpState | null =
    protocol === 6
      ? {
          state: v.getUint8(e + 122),
          seen: [side(0), side(1)],
          lastDir: v.getUint8(e + 123),
          retrans: v.getUint8(e + 124),
          lastIndex: v.getUint8(e + 125),
          lastSeq: v.getUint32(e + 104, true),
          lastAck: v.getUint32(e + 108, true),
          lastEnd: v.getUint32(e + 112, true),
          lastWin: v.getUint16(e + 116, true),
          lastWscale: v.getUint8(e + 126),
          lastFlags: v.getUint8(e + 127),
        }
      : null;
  return {
    index,
    id: v.getUint32(e + 56, true),
    original,
    reply,
    zone: v.getUint16(e + 50, true),
    status: v.getUint16(e + 48, true),
    mark: v.getUint32(e + 52, true),
    timeout: v.getBigInt64(e, true),
    tcp,
    udpStreamTs: protocol === 17 || protocol === 136 ? v.getBigInt64(e + 72, true) : null,
  };
}
