// nf_conntrack_in (nf_conntrack_core.c): attach a connection to a packet in PREROUTING or
// OUTPUT — ICMP errors first (RELATED), then the tuple lookup (resolve_normal_ct), creating an
// unconfirmed entry for a new flow (init_conntrack), then the protocol tracker decides whether
// the packet is valid for it. nf_conntrack_confirm later puts new entries into the table.
//
// The engine must not call this again for a packet that already has a conntrack (the kernel
// skips "previously seen" packets, e.g. local traffic looping through lo), nor for packets the
// raw table marked NOTRACK (they are UNTRACKED).

import type { Hook } from '../../ir/ruleset.js';
import type { CtInfo, TrackResult } from './ct-info.js';
import type { ConnEntry } from './entry.js';
import { genericPacket } from './generic.js';
import { icmpError, icmpPacket } from './icmp.js';
import type { L4Verdict } from './l4-verdict.js';
import type { CtPacket } from './packet.js';
import { IPS_EXPECTED, IPS_SEEN_REPLY } from './status.js';
import type { ConfirmResult, ConntrackTable } from './table.js';
import { tcpPacket } from './tcp.js';
import {
  type Direction,
  hasPorts,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  invertTuple,
  isIcmp,
  type Tuple,
} from './tuple.js';
import { udpPacket } from './udp.js';

export interface ConntrackInOptions {
  /** Conntrack zone (CT --zone in raw); default 0. */
  readonly zone?: number;
}

/** nf_ct_get_tuple for the packet itself; null when its layer-4 header is missing. */
export function packetTuple(pkt: CtPacket): Tuple | null {
  const base = { family: pkt.family, protocol: pkt.protocol, src: pkt.src, dst: pkt.dst };
  if (hasPorts(pkt.protocol)) {
    if (pkt.sport === undefined || pkt.dport === undefined) return null;
    return { ...base, sport: pkt.sport, dport: pkt.dport, icmpType: 0, icmpCode: 0 };
  }
  if (isIcmp(pkt.protocol)) {
    if (!pkt.icmp) return null;
    return { ...base, sport: pkt.icmp.id, dport: 0, icmpType: pkt.icmp.type, icmpCode: pkt.icmp.code };
  }
  return { ...base, sport: 0, dport: 0, icmpType: 0, icmpCode: 0 };
}

/** nf_conntrack_handle_packet: the protocol tracker's verdict. */
function handlePacket(
  table: ConntrackTable,
  entry: ConnEntry,
  dir: Direction,
  pkt: CtPacket,
  now: bigint,
  hook: Hook,
): L4Verdict {
  const settings = table.settings;
  const badChecksum = pkt.badChecksum === true;
  switch (entry.tuple.original.protocol) {
    case IPPROTO_TCP:
      if (!pkt.tcp) return { kind: 'invalid', reason: 'short packet' };
      return tcpPacket(entry, dir, pkt.tcp, { now, hook, badChecksum, bytes: pkt.length, settings });
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
      return udpPacket(entry, dir, {
        now,
        hook,
        badChecksum,
        badLength: pkt.badUdpLength === true,
        bytes: pkt.length,
        settings,
      });
    case IPPROTO_ICMP:
      if (pkt.family !== 'ipv4') return { kind: 'invalid', reason: 'icmp in ipv6' };
      return icmpPacket(entry, dir, now, pkt.length, settings);
    case IPPROTO_ICMPV6:
      if (pkt.family !== 'ipv6') return { kind: 'invalid', reason: 'icmpv6 in ipv4' };
      return icmpPacket(entry, dir, now, pkt.length, settings);
    default:
      return genericPacket(entry, dir, now, pkt.length, settings);
  }
}

/**
 * nf_conntrack_in for a packet at `hook` ('prerouting' or 'output') at time `now` (ns).
 * A NEW result carries an unconfirmed entry: call `confirm` when the packet leaves the host
 * path (POSTROUTING or INPUT), or `table.release(entry)` if it is dropped before.
 */
export function conntrackIn(
  table: ConntrackTable,
  pkt: CtPacket,
  now: bigint,
  hook: Hook,
  options: ConntrackInOptions = {},
): TrackResult {
  const zone = options.zone ?? 0;
  if (pkt.unparsable) return invalidResult(table, 'layer-4 header not found');

  if (pkt.protocol === IPPROTO_ICMP || pkt.protocol === IPPROTO_ICMPV6) {
    const err = icmpError(pkt, hook, table.settings, (t) => table.find(t, zone, now));
    if (err.kind === 'invalid') return invalidResult(table, err.reason);
    if (err.kind === 'untracked') return { kind: 'untracked' };
    if (err.kind === 'related') {
      const ctinfo: CtInfo = err.direction === 'reply' ? 'RELATED_REPLY' : 'RELATED';
      return { kind: 'tracked', entry: err.entry, ctinfo, direction: err.direction };
    }
  }

  // A TCP reopen kills the old entry and goes round again; once is all it can take.
  for (let round = 0; round < 2; round++) {
    const tuple = packetTuple(pkt);
    if (!tuple) return invalidResult(table, 'layer-4 header not found');
    let entry: ConnEntry;
    let dir: Direction;
    let ctinfo: CtInfo;
    const found = table.find(tuple, zone, now);
    if (found) {
      entry = found.entry;
      dir = found.direction;
      table.stats.found++;
      if (dir === 'reply') ctinfo = 'ESTABLISHED_REPLY';
      else if (entry.status & IPS_SEEN_REPLY) ctinfo = 'ESTABLISHED';
      else if (entry.status & IPS_EXPECTED) ctinfo = 'RELATED';
      else ctinfo = 'NEW';
    } else {
      // init_conntrack
      const reply = invertTuple(tuple);
      if (!reply) return invalidResult(table, 'tuple has no inverse');
      const fresh = table.alloc(tuple, reply, zone, now, { kind: 'none' });
      if (!fresh) return { kind: 'drop', reason: 'nf_conntrack: table full, dropping packet' };
      entry = fresh;
      dir = 'original';
      ctinfo = 'NEW';
    }

    const verdict = handlePacket(table, entry, dir, pkt, now, hook);
    switch (verdict.kind) {
      case 'invalid':
        if (!entry.confirmed) table.release(entry);
        return invalidResult(table, verdict.reason);
      case 'repeat':
        if (!table.delete(entry)) return { kind: 'drop', reason: 'connection is being destroyed' };
        continue;
      case 'accept-kill':
        table.delete(entry);
        break;
      case 'accept':
        break;
    }
    if (ctinfo === 'ESTABLISHED_REPLY') entry.status |= IPS_SEEN_REPLY;
    return { kind: 'tracked', entry, ctinfo, direction: dir };
  }
  return { kind: 'drop', reason: 'reopened connection could not be replaced' };
}

function invalidResult(table: ConntrackTable, reason: string): TrackResult {
  table.stats.invalid++;
  return { kind: 'invalid', reason };
}

/**
 * nf_conntrack_confirm (the last hook, POSTROUTING or INPUT): insert a new connection. Other
 * packets pass unchanged. The returned entry may differ when a UDP clash was merged.
 */
export function confirm(table: ConntrackTable, track: TrackResult, now: bigint): ConfirmResult | null {
  if (track.kind !== 'tracked') return null;
  return table.confirm(track.entry, track.direction, now);
}
