// -m conntrack (xt_conntrack conntrack_mt, revision 3 semantics: port ranges).

import type { Negated, PortRange } from '../../../ir/common.js';
import type { ConntrackAddress, ConntrackMatch, ConntrackStatus } from '../../../ir/matches/conntrack.js';
import type { CtEntryView, CtTupleView } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { stateSetHit } from './state.js';

/** conntrack_addrcmp: ((tuple ^ given) & mask) == 0, word by word. */
function addrHit(words: readonly number[], a: ConntrackAddress): boolean {
  for (let i = 0; i < a.net.mask.length; i++) {
    if (((words[i]! ^ a.given[i]!) & a.net.mask[i]!) >>> 0 !== 0) return false;
  }
  return true;
}

function addrOk(words: readonly number[], t: Negated<ConntrackAddress> | undefined): boolean {
  return t === undefined || addrHit(words, t.value) !== t.invert;
}

/** port_match(min, max, ntohs(u.all), invert): ICMP ids / type<<8|code and 0 compare too. */
function portOk(port: number, t: Negated<PortRange> | undefined): boolean {
  return t === undefined || (port >= t.value.from && port <= t.value.to) !== t.invert;
}

function hasStatus(e: CtEntryView, s: ConntrackStatus): boolean {
  switch (s) {
    case 'expected':
      return e.expected;
    case 'seen-reply':
      return e.seenReply;
    case 'assured':
      return e.assured;
    case 'confirmed':
      return e.confirmed;
  }
}

function tupleOk(
  t: CtTupleView,
  src: Negated<ConntrackAddress> | undefined,
  dst: Negated<ConntrackAddress> | undefined,
  sport: Negated<PortRange> | undefined,
  dport: Negated<PortRange> | undefined,
): boolean {
  return addrOk(t.src, src) && addrOk(t.dst, dst) && portOk(t.srcPort, sport) && portOk(t.dstPort, dport);
}

export const conntrackEvaluator: MatchEvaluator<ConntrackMatch> = {
  kind: 'conntrack',
  test: (m, ctx) => {
    const ct = ctx.ct;
    if (m.state && stateSetHit(m.state.value, ct) === m.state.invert) return false;
    // No ct (invalid or untracked): only a --ctstate test can match; every other option fails,
    // inverted or not (`if (ct == NULL) return info->match_flags & XT_CONNTRACK_STATE`).
    const e = ct.entry;
    if (!e || ct.state === 'invalid' || ct.state === 'untracked') return m.state !== undefined;
    // --ctdir ORIGINAL / REPLY: CTINFO2DIR(ctinfo).
    if (m.direction !== undefined && m.direction !== ct.direction) return false;
    if (m.protocol && (e.protocol === m.protocol.value) === m.protocol.invert) return false;
    if (!tupleOk(e.original, m.origSrc, m.origDst, m.origSrcPort, m.origDstPort)) return false;
    if (!tupleOk(e.reply, m.replSrc, m.replDst, m.replSrcPort, m.replDstPort)) return false;
    // status_mask & ct->status: NONE (empty mask) never hits.
    if (m.status && m.status.value.some((s) => hasStatus(e, s)) === m.status.invert) return false;
    // nf_ct_expires(ct) / HZ: whole seconds left, compared inclusively.
    if (m.expires) {
      const left = e.expiresSeconds;
      if ((left >= m.expires.value.from && left <= m.expires.value.to) === m.expires.invert) return false;
    }
    return true;
  },
};
