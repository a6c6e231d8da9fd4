// -m tos (xt_dscp.c, tos_mt revision 1): the IPv4 TOS byte / IPv6 traffic class under a mask.

import type { TosMatch } from '../../../ir/matches/tos.js';
import { get8, get16 } from '../../../wire/bytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import type { EnginePacket } from '../packet.js';

/** ipv4_get_dsfield / ipv6_get_dsfield: the TOS byte, or the traffic class across bytes 0-1. */
export function dsField(p: EnginePacket): number {
  return p.decoded.family === 'ipv4' ? get8(p.bytes, 1) : (get16(p.bytes, 0) >>> 4) & 0xff;
}

export const tosEvaluator: MatchEvaluator<TosMatch> = {
  kind: 'tos',
  test: (m, ctx) => ((dsField(ctx.packet) & m.mask) === m.value) !== m.invert,
};
