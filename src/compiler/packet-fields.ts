// The packet fields ops read (format.ts Field), taken from the engine's packet and connection
// view with the reference evaluators' own helpers, so a field means what the match reads.

import type { MatchContext } from '../engine/reference/match-context.js';
import { packetStates } from '../engine/reference/matches/state.js';
import {
  hasBytes,
  isLaterFragment,
  isOffsetOneFragment,
  transportOffset,
} from '../engine/reference/matches/tcp.js';
import { dsField } from '../engine/reference/matches/tos.js';
import { CONNTRACK_STATE_ORDER } from '../ir/matches/conntrack.js';
import { get8, get16 } from '../wire/bytes.js';
import { Field, FragMode, NONE } from './format.js';

/** L4_GUARD: true (fields after it are readable), false (no match) or 'hotdrop'. */
export function l4Guard(
  ctx: MatchContext,
  minLength: number,
  fragMode: number,
  shortMode: number,
): boolean | 'hotdrop' {
  const p = ctx.packet;
  if (fragMode !== FragMode.IGNORE && isLaterFragment(p)) {
    return fragMode === FragMode.TCP && isOffsetOneFragment(p) ? 'hotdrop' : false;
  }
  if (!hasBytes(p, transportOffset(p), minLength)) return shortMode === 1 ? 'hotdrop' : false;
  return true;
}

function stateBits(ctx: MatchContext): number {
  let bits = 0;
  for (const s of packetStates(ctx.ct)) bits |= 1 << CONNTRACK_STATE_ORDER.indexOf(s);
  return bits;
}

/** Word i of a field; `ifaceId` maps an interface name to its string id (NONE when unknown). */
export function fieldWord(
  ctx: MatchContext,
  field: number,
  i: number,
  ifaceId: (name: string) => number,
): number {
  const p = ctx.packet;
  const d = p.decoded;
  const e = ctx.ct.entry;
  switch (field) {
    case Field.SRC:
      return d.src[i]! >>> 0;
    case Field.DST:
      return d.dst[i]! >>> 0;
    case Field.PROTO:
      return d.protocol;
    case Field.FRAG_OFFSET:
      return d.fragment?.offset ?? 0;
    case Field.IIF:
      return ifaceId(p.iif ?? '');
    case Field.OIF:
      return ifaceId(p.oif ?? '');
    case Field.MARK:
      return p.mark >>> 0;
    case Field.DSFIELD:
      return dsField(p);
    case Field.L3_LENGTH:
      return d.family === 'ipv4' ? get16(p.bytes, 2) : get16(p.bytes, 4) + 40;
    case Field.TTL:
      return get8(p.bytes, d.family === 'ipv4' ? 8 : 7);
    case Field.L4_SPORT:
      return get16(p.bytes, transportOffset(p));
    case Field.L4_DPORT:
      return get16(p.bytes, transportOffset(p) + 2);
    case Field.TCP_FLAGS:
      return get8(p.bytes, transportOffset(p) + 13);
    case Field.ICMP_TYPE:
      return get8(p.bytes, transportOffset(p));
    case Field.ICMP_CODE:
      return get8(p.bytes, transportOffset(p) + 1);
    case Field.CT_ENTRY:
      return e ? 1 : 0;
    case Field.CT_TRACKED:
      return e && ctx.ct.state !== 'invalid' && ctx.ct.state !== 'untracked' ? 1 : 0;
    case Field.CT_STATE_BITS:
      return stateBits(ctx);
    case Field.CT_DIRECTION:
      return ctx.ct.direction === 'reply' ? 1 : 0;
    case Field.CT_PROTO:
      return e?.protocol ?? 0;
    case Field.CT_MARK:
      return (e?.mark ?? 0) >>> 0;
    case Field.CT_ORIG_SRC:
      return (e?.original.src[i] ?? 0) >>> 0;
    case Field.CT_ORIG_DST:
      return (e?.original.dst[i] ?? 0) >>> 0;
    case Field.CT_REPL_SRC:
      return (e?.reply.src[i] ?? 0) >>> 0;
    case Field.CT_REPL_DST:
      return (e?.reply.dst[i] ?? 0) >>> 0;
    case Field.CT_ORIG_SPORT:
      return e?.original.srcPort ?? 0;
    case Field.CT_ORIG_DPORT:
      return e?.original.dstPort ?? 0;
    case Field.CT_REPL_SPORT:
      return e?.reply.srcPort ?? 0;
    case Field.CT_REPL_DPORT:
      return e?.reply.dstPort ?? 0;
    case Field.CT_STATUS_BITS:
      return e
        ? (e.expected ? 1 : 0) | (e.seenReply ? 2 : 0) | (e.assured ? 4 : 0) | (e.confirmed ? 8 : 0)
        : 0;
    case Field.CT_EXPIRES:
      return (e?.expiresSeconds ?? 0) >>> 0;
    case Field.PHYS_INFO:
      return p.physIn !== null || p.physOut !== null || p.bridged ? 1 : 0;
    case Field.PHYS_IN_PRESENT:
      return p.physIn !== null ? 1 : 0;
    case Field.PHYS_OUT_PRESENT:
      return p.physOut !== null ? 1 : 0;
    case Field.PHYS_IN:
      return ifaceId(p.physIn ?? '');
    case Field.PHYS_OUT:
      return ifaceId(p.physOut ?? '');
    case Field.MAC_PRESENT:
      return p.macSrc ? 1 : 0;
    case Field.MAC_SRC: {
      const m = p.macSrc;
      if (!m) return 0;
      return i === 0 ? ((m[0]! << 24) | (m[1]! << 16) | (m[2]! << 8) | m[3]!) >>> 0 : (m[4]! << 8) | m[5]!;
    }
    default:
      return NONE;
  }
}
