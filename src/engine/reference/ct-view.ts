// A conntrack entry as matches see it (CtView), built on demand from the engine's connection
// table: tuples in the kernel's nf_conntrack_tuple terms (for ICMP the "destination port" is
// type << 8 | code), status bits, mark, expiry, accounting, and lookups for connlimit.

import type { Family } from '../../ir/address.js';
import type { CtPacket } from '../conntrack/index.js';
import {
  type ConnEntry,
  type ConntrackTable,
  ctState,
  IPS_ASSURED,
  IPS_CONFIRMED,
  IPS_DST_NAT,
  IPS_EXPECTED,
  IPS_SEEN_REPLY,
  IPS_SRC_NAT,
  packetTuple,
  type TrackResult,
  type Tuple,
} from '../conntrack/index.js';
import { TCP_CLOSE, TCP_TIME_WAIT } from '../conntrack/tcp-state.js';
import type { CtEntryView, CtTupleKey, CtTupleView, CtView } from './match-context.js';

const ICMP = 1;
const ICMPV6 = 58;

function isIcmp(protocol: number): boolean {
  return protocol === ICMP || protocol === ICMPV6;
}

/** nf_conntrack_tuple as the conntrack match compares it. */
export function tupleView(t: Tuple): CtTupleView {
  return isIcmp(t.protocol)
    ? { src: t.src, dst: t.dst, srcPort: t.sport, dstPort: ((t.icmpType << 8) | t.icmpCode) >>> 0 }
    : { src: t.src, dst: t.dst, srcPort: t.sport, dstPort: t.dport };
}

function tupleFromKey(k: CtTupleKey, family: Family): Tuple {
  return isIcmp(k.protocol)
    ? {
        family,
        protocol: k.protocol,
        src: k.src,
        dst: k.dst,
        sport: k.srcPort,
        dport: 0,
        icmpType: k.dstPort >>> 8,
        icmpCode: k.dstPort & 0xff,
      }
    : {
        family,
        protocol: k.protocol,
        src: k.src,
        dst: k.dst,
        sport: k.srcPort,
        dport: k.dstPort,
        icmpType: 0,
        icmpCode: 0,
      };
}

export function entryView(e: ConnEntry, now: bigint): CtEntryView {
  const has = (bit: number) => (e.status & bit) !== 0;
  const p = e.proto;
  return {
    protocol: e.tuple.original.protocol,
    original: tupleView(e.tuple.original),
    reply: tupleView(e.tuple.reply),
    seenReply: has(IPS_SEEN_REPLY),
    assured: has(IPS_ASSURED),
    confirmed: has(IPS_CONFIRMED),
    expected: has(IPS_EXPECTED),
    srcNat: has(IPS_SRC_NAT),
    dstNat: has(IPS_DST_NAT),
    mark: e.mark,
    // The kernel reports whole seconds left; an unconfirmed entry has no timeout running yet.
    expiresSeconds: e.confirmed ? Number(e.expiresIn(now) / 1_000_000_000n) : 0,
    helper: null,
    packets: { original: BigInt(e.packets.original), reply: BigInt(e.packets.reply) },
    bytes: { original: BigInt(e.bytes.original), reply: BigInt(e.bytes.reply) },
    zone: e.zone,
    tcpClosed: p.kind === 'tcp' && (p.tcp.state === TCP_TIME_WAIT || p.tcp.state === TCP_CLOSE),
    masterHelper: null,
  };
}

export function ctView(
  track: TrackResult | null,
  untracked: boolean,
  table: ConntrackTable,
  now: bigint,
  packet: () => CtPacket,
): CtView {
  const lookups = {
    packetTuple: (): CtTupleKey | null => {
      const t = packetTuple(packet());
      return t ? { ...tupleView(t), protocol: t.protocol } : null;
    },
    find: (key: CtTupleKey, zone: number): CtEntryView | null => {
      const found = table.find(tupleFromKey(key, packet().family), zone, now);
      return found?.entry.confirmed ? entryView(found.entry, now) : null;
    },
  };
  if (untracked || track?.kind === 'untracked')
    return { state: 'untracked', direction: 'original', entry: null, ...lookups };
  if (track?.kind !== 'tracked') return { state: 'invalid', direction: 'original', entry: null, ...lookups };
  return {
    state: ctState(track).toLowerCase() as CtView['state'],
    direction: track.direction,
    entry: entryView(track.entry, now),
    ...lookups,
  };
}
