// A `conntrack -L`-like view of the table: one plain record per connection.

import type { ConnEntry } from './entry.js';
import { statusNames } from './status.js';
import type { ConntrackTable } from './table.js';
import { TCP_STATE_NAMES } from './tcp-state.js';
import { formatTuple, type Tuple } from './tuple.js';

export interface ConnSnapshot {
  readonly id: number;
  readonly protocol: number;
  /** TCP state name (SYN_SENT, ESTABLISHED, ...), or null for other protocols. */
  readonly tcpState: string | null;
  /** Seconds left, rounded down as conntrack -L prints them. */
  readonly timeoutSeconds: number;
  readonly expiresAt: bigint;
  readonly original: Tuple;
  readonly reply: Tuple;
  readonly mark: number;
  readonly zone: number;
  readonly status: number;
  readonly statusNames: readonly string[];
  readonly packets: { readonly original: number; readonly reply: number };
  readonly bytes: { readonly original: number; readonly reply: number };
  /** The line `conntrack -L` would print (without accounting). */
  readonly line: string;
}

export function snapshotEntry(e: ConnEntry, now: bigint): ConnSnapshot {
  const p = e.proto;
  const tcpState = p.kind === 'tcp' ? TCP_STATE_NAMES[p.tcp.state]! : null;
  const left = e.expiresIn(now);
  const timeoutSeconds = Number(left / 1_000_000_000n);
  const names = statusNames(e.status);
  const proto = e.tuple.original.protocol;
  const seenReply = names.includes('SEEN_REPLY');
  const assured = names.includes('ASSURED');
  const line = [
    protoName(proto),
    String(proto),
    String(timeoutSeconds),
    ...(tcpState ? [tcpState] : []),
    formatTuple(e.tuple.original),
    ...(seenReply ? [] : ['[UNREPLIED]']),
    formatTuple(e.tuple.reply),
    ...(assured ? ['[ASSURED]'] : []),
    `mark=${e.mark >>> 0}`,
    ...(e.zone ? [`zone=${e.zone}`] : []),
    'use=1',
  ].join(' ');
  return {
    id: e.id,
    protocol: proto,
    tcpState,
    timeoutSeconds,
    expiresAt: e.timeout,
    original: e.tuple.original,
    reply: e.tuple.reply,
    mark: e.mark >>> 0,
    zone: e.zone,
    status: e.status,
    statusNames: names,
    packets: { ...e.packets },
    bytes: { ...e.bytes },
    line,
  };
}

function protoName(p: number): string {
  switch (p) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
      return 'icmp';
    case 58:
      return 'icmpv6';
    case 136:
      return 'udplite';
    case 132:
      return 'sctp';
    default:
      return 'unknown';
  }
}

/** Every live connection, in allocation order. */
export function snapshot(table: ConntrackTable, now: bigint): ConnSnapshot[] {
  return table.entries(now).map((e) => snapshotEntry(e, now));
}
