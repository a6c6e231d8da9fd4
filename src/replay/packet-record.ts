// One packet's outcome as a JSON object (a line of `--jsonl`): number, time, ingress, fate, the
// deciding rule as `table chain #n file:line`, a summary of what the host sent, conntrack's view.

import type { DecidedBy } from '../engine/verdict.js';
import { decodePacket, formatPacketSummary, isDecodeError } from '../wire/packet.js';
import type { ReplayPacket } from './replay-trace.js';

export interface PacketRecord {
  readonly number: number;
  /** Seconds since the epoch, with nanoseconds (as text: a double loses them). */
  readonly time: string;
  readonly iif: string;
  readonly fate: string;
  /** Where it went (forwarded: the device; delivered: the socket) or why it was dropped. */
  readonly detail?: string;
  readonly decidedBy?: string;
  readonly emitted: readonly { readonly oif: string; readonly cause: string; readonly packet: string }[];
  readonly ct: { readonly state: string; readonly entry: string | null } | null;
}

/** `table chain #n file:line`, or `table chain policy P`. */
export function decisionText(d: DecidedBy): string {
  if (d.kind === 'policy')
    return `${d.table.name} ${d.chain.name} policy ${d.chain.base?.policy ?? 'ACCEPT'}`;
  return `${d.table.name} ${d.chain.name} #${d.index + 1} ${d.rule.source.file}:${d.rule.source.line}`;
}

export function formatTime(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  return `${s}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

function emittedSummary(bytes: Uint8Array): string {
  const d = decodePacket(bytes, bytes[0]! >>> 4 === 6 ? 'raw-ipv6' : 'raw-ipv4');
  return isDecodeError(d) ? `undecodable (${d.error})` : formatPacketSummary(d);
}

export function packetRecord(p: ReplayPacket): PacketRecord {
  const f = p.result.fate;
  // A forwarded packet's decision is the one its emitted copy carries.
  const decided =
    f.kind === 'dropped' || f.kind === 'rejected'
      ? f.decidedBy
      : p.result.emitted.find((e) => e.decidedBy)?.decidedBy;
  const detail =
    f.kind === 'forwarded'
      ? f.oif
      : f.kind === 'delivered'
        ? f.to
        : f.kind === 'rejected'
          ? undefined
          : f.reason;
  return {
    number: p.number,
    time: formatTime(p.timestampNs),
    iif: p.iif,
    fate: f.kind,
    ...(detail !== undefined ? { detail } : {}),
    ...(decided ? { decidedBy: decisionText(decided) } : {}),
    emitted: p.result.emitted.map((e) => ({
      oif: e.oif,
      cause: e.decidedBy ? `${e.cause}: ${decisionText(e.decidedBy)}` : e.cause,
      packet: emittedSummary(e.bytes),
    })),
    ct: p.result.conntrack,
  };
}
