// Connection facts for a batch's CT records, from the reference engine's view of a packet's
// connection (the same words src/compiler/packet-fields.ts reads for the CT_* fields).

import { CONNTRACK_STATE_ORDER } from '../../ir/matches/conntrack.js';
import type { CtView } from '../reference/match-context.js';
import { packetStates } from '../reference/matches/state.js';
import { CT, CT_WORDS } from './layout.js';

function address(out: Uint32Array, at: number, a: readonly number[] | undefined): void {
  for (let i = 0; i < 4; i++) out[at + i] = (a?.[i] ?? 0) >>> 0;
}

/** The CT record of a connection view (into `out`, CT_WORDS words). */
export function ctRecord(ct: CtView, out = new Uint32Array(CT_WORDS)): Uint32Array {
  const e = ct.entry;
  let bits = 0;
  for (const s of packetStates(ct)) bits |= 1 << CONNTRACK_STATE_ORDER.indexOf(s);
  out[CT.ENTRY] = e ? 1 : 0;
  out[CT.TRACKED] = e && ct.state !== 'invalid' && ct.state !== 'untracked' ? 1 : 0;
  out[CT.STATE_BITS] = bits >>> 0;
  out[CT.DIRECTION] = ct.direction === 'reply' ? 1 : 0;
  out[CT.PROTO] = e?.protocol ?? 0;
  out[CT.MARK] = (e?.mark ?? 0) >>> 0;
  address(out, CT.ORIG_SRC, e?.original.src);
  address(out, CT.ORIG_DST, e?.original.dst);
  address(out, CT.REPL_SRC, e?.reply.src);
  address(out, CT.REPL_DST, e?.reply.dst);
  out[CT.ORIG_SPORT] = e?.original.srcPort ?? 0;
  out[CT.ORIG_DPORT] = e?.original.dstPort ?? 0;
  out[CT.REPL_SPORT] = e?.reply.srcPort ?? 0;
  out[CT.REPL_DPORT] = e?.reply.dstPort ?? 0;
  out[CT.STATUS_BITS] = e
    ? (e.expected ? 1 : 0) | (e.seenReply ? 2 : 0) | (e.assured ? 4 : 0) | (e.confirmed ? 8 : 0)
    : 0;
  out[CT.EXPIRES] = (e?.expiresSeconds ?? 0) >>> 0;
  return out;
}
