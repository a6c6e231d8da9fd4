// What a replay writes about one packet, in a form that crosses a worker boundary (structured
// clone): its fate, its `--jsonl` line, what the host sent (for `--out`) and, when dropped or
// rejected, the packet as received (for `--dropped`). Built where the engine ran, written in
// trace order by ReplayOutputs.

import { formatDecision } from '../explain/format-explanation.js';
import { LinkType } from '../trace/index.js';
import { decisionText, packetRecord } from './packet-record.js';
import type { ReplayPacket } from './replay-trace.js';

export interface OutcomeWants {
  readonly jsonl: boolean;
  readonly out: boolean;
  readonly dropped: boolean;
}

export interface SentPacket {
  readonly oif: string;
  readonly linkType: number;
  readonly comment: string;
  readonly bytes: Uint8Array;
}

export interface PacketOutcome {
  /** 1-based packet number in the trace. */
  readonly number: number;
  readonly timestampNs: bigint;
  readonly fate: string;
  readonly jsonl?: string;
  readonly sent?: readonly SentPacket[];
  readonly dropped?: {
    readonly iif: string;
    readonly linkType: number;
    readonly comment: string;
    readonly data: Uint8Array;
  };
}

export function packetOutcome(p: ReplayPacket, wants: OutcomeWants): PacketOutcome {
  const fate = p.result.fate;
  const dropped =
    wants.dropped && (fate.kind === 'dropped' || fate.kind === 'rejected')
      ? {
          iif: p.iif,
          linkType: p.linkType,
          comment: fate.decidedBy
            ? `${fate.kind}: ${decisionText(fate.decidedBy)}`
            : `${fate.kind}${fate.kind === 'dropped' ? `: ${fate.reason}` : ''}`,
          data: p.data.slice(),
        }
      : undefined;
  const sent = wants.out
    ? p.result.emitted.map((e) => ({
        oif: e.oif,
        linkType: e.bytes[0]! >>> 4 === 6 ? LinkType.Ipv6 : LinkType.Ipv4,
        comment: `${e.cause}${e.decidedBy ? `: ${formatDecision(e.decidedBy)}` : ''}`,
        bytes: e.bytes,
      }))
    : undefined;
  return {
    number: p.number,
    timestampNs: p.timestampNs,
    fate: fate.kind,
    ...(wants.jsonl ? { jsonl: JSON.stringify(packetRecord(p)) } : {}),
    ...(sent ? { sent } : {}),
    ...(dropped ? { dropped } : {}),
  };
}
