// One packet's journey through the stack: the packet (the kernel's sk_buff), what conntrack
// attached to it, what decided it so far, and what it caused (emitted packets, replies to send
// after it). Every stage of the path takes the journey explicitly; the helpers here end one.

import type { Family } from '../../ir/address.js';
import { type DecodedPacket, decodePacket, isDecodeError } from '../../wire/packet.js';
import { ctState, formatTuple, type TrackResult } from '../conntrack/index.js';
import type { DecidedBy, Verdict } from '../verdict.js';
import type { EngineState } from './engine-state.js';
import { type OutputFragInfo, WHOLE } from './fragment-output.js';
import type { EnginePacket } from './packet.js';
import type { EmittedPacket, Fate, PacketResult } from './result.js';
import type { TraceEvent } from './trace.js';

/** How a packet stands in one hook's processing. */
export type HookOutcome = {
  readonly verdict: Verdict;
  readonly decidedBy?: DecidedBy;
  readonly reason?: string;
  /** NF_STOLEN: what became of the packet (a fragment held for reassembly, or dropped by it). */
  readonly fate?: Fate;
};

/** A packet the host generated while processing another (REJECT replies, the kernel's answers). */
export interface QueuedReply {
  readonly bytes: Uint8Array;
  readonly cause: string;
  /** The connection it is tied to (nf_ct_attach), if any. */
  readonly attach: TrackResult | null;
}

export interface Journey {
  readonly packet: EnginePacket;
  track: TrackResult | null;
  /** NOTRACK/CT --notrack in raw: conntrack leaves it alone. */
  untracked: boolean;
  /** Already tied to a connection before conntrack runs (REJECT's RST: nf_ct_attach). */
  attached: boolean;
  /**
   * What let the packet through, for emitted packets' comments: the filter table's decision when
   * it met one, otherwise the last table's.
   */
  lastDecision: DecidedBy | undefined;
  filterDecision: DecidedBy | undefined;
  readonly trace: TraceEvent[] | null;
  readonly emitted: EmittedPacket[];
  /** Packets generated while processing this one (REJECT replies), sent after it. */
  readonly replies: QueuedReply[];
  /** The next hop of a routed packet (the gateway, else the destination): picks a bridge port. */
  nextHop: number | null;
  /**
   * One of several copies of a bridged frame (br_flood's clones) sharing its connection: a copy
   * dropped does not free a connection the others may still confirm.
   */
  clone: boolean;
  /** Its input route is broadcast or multicast: the kernel sends no RST or ICMP error about it. */
  castRoute: boolean;
  /** What ip_fragment needs to know: reassembled from fragments, and how (IPCB frag_max_size...). */
  frag: OutputFragInfo;
}

export function newJourney(packet: EnginePacket, trace: TraceEvent[] | null): Journey {
  return {
    packet,
    track: null,
    untracked: false,
    attached: false,
    lastDecision: undefined,
    filterDecision: undefined,
    trace,
    emitted: [],
    replies: [],
    nextHop: null,
    clone: false,
    castRoute: false,
    frag: WHOLE,
  };
}

/** An sk_buff for `bytes` with nothing known about it yet but its time; the caller fills the rest. */
export function newPacket(
  bytes: Uint8Array,
  family: Family,
  timestampNs: bigint,
  fields: Partial<Pick<EnginePacket, 'iif' | 'physIn' | 'macSrc' | 'macDst'>> = {},
): EnginePacket {
  return {
    bytes,
    decoded: redecode(bytes, family),
    timestampNs,
    iif: fields.iif ?? null,
    oif: null,
    physIn: fields.physIn ?? null,
    physOut: null,
    bridged: false,
    macSrc: fields.macSrc ?? null,
    macDst: fields.macDst ?? null,
    mark: 0,
    socket: null,
  };
}

/** What the journey amounts to, as the engine reports it. */
export function journeyResult(j: Journey, fate: Fate): PacketResult {
  const t = j.track;
  const conntrack = t
    ? {
        state: ctState(t),
        entry:
          t.kind === 'tracked'
            ? `${formatTuple(t.entry.tuple.original)} -> ${formatTuple(t.entry.tuple.reply)}`
            : null,
      }
    : j.untracked
      ? { state: 'UNTRACKED', entry: null }
      : null;
  return { fate, emitted: j.emitted, conntrack, ...(j.trace ? { trace: j.trace } : {}) };
}

/** A new connection whose first packet is dropped never enters the table. */
export function releaseIfUnconfirmed(s: EngineState, j: Journey): void {
  if (j.clone) return;
  const t = j.track;
  if (t?.kind === 'tracked' && !t.entry.confirmed) s.conntrack.release(t.entry);
}

/** The stack drops the packet itself (no rule decided it). */
export function drop(s: EngineState, j: Journey, reason: string): Fate {
  releaseIfUnconfirmed(s, j);
  j.trace?.push({ kind: 'dropped', reason });
  return { kind: 'dropped', reason };
}

/** The fate of a packet a hook did not accept. */
export function verdictFate(s: EngineState, j: Journey, o: HookOutcome): Fate {
  if (o.fate) {
    // NF_STOLEN by defragmentation: the fragment's own (unconfirmed) connection goes with it.
    releaseIfUnconfirmed(s, j);
    return o.fate;
  }
  if (o.decidedBy && o.decidedBy.kind === 'rule' && o.decidedBy.rule.target?.kind === 'REJECT') {
    return { kind: 'rejected', decidedBy: o.decidedBy };
  }
  const reason = o.reason ?? (o.decidedBy ? describeDecision(o.decidedBy) : o.verdict);
  j.trace?.push({ kind: 'dropped', reason });
  return { kind: 'dropped', reason, ...(o.decidedBy ? { decidedBy: o.decidedBy } : {}) };
}

/** Keeps `decoded` in step after the packet's bytes changed. */
export function packetChanged(j: Journey): void {
  j.packet.decoded = redecode(j.packet.bytes, j.packet.decoded.family);
}

export function redecode(bytes: Uint8Array, family: Family): DecodedPacket {
  const d = decodePacket(bytes, family === 'ipv4' ? 'raw-ipv4' : 'raw-ipv6');
  if (isDecodeError(d)) throw new Error(`internal: a rewritten packet no longer decodes: ${d.error}`);
  return d;
}

export function describeDecision(d: DecidedBy): string {
  if (d.kind === 'policy')
    return `${d.table.name} ${d.chain.name} policy ${d.chain.base?.policy ?? 'ACCEPT'}`;
  const r = d.rule;
  return `${d.table.name} ${d.chain.name} #${d.index + 1} ${r.target?.kind ?? ''} ${r.source.file}:${r.source.line}`;
}
