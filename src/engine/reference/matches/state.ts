// -m state (xt_state's state_mt, or xt_conntrack's state part when iptables loads it as the
// conntrack alias): the same state bit either way.

import type { ConntrackState } from '../../../ir/matches/conntrack.js';
import type { StateMatch } from '../../../ir/matches/state.js';
import type { CtView } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';

/**
 * The states a packet has, as conntrack_mt builds its statebit: invalid when there is no ct,
 * untracked for IP_CT_UNTRACKED, else the ctinfo's base state (replies fold onto
 * established/related); plus the virtual snat/dnat from IPS_SRC_NAT / IPS_DST_NAT.
 */
export function packetStates(ct: CtView): ConntrackState[] {
  if (!ct.entry || ct.state === 'invalid' || ct.state === 'untracked') {
    // nf_ct_get gives no ct: the state bit is all there is (no snat/dnat bits).
    return [ct.state === 'untracked' ? 'untracked' : 'invalid'];
  }
  const states: ConntrackState[] = [ct.state];
  if (ct.entry.srcNat) states.push('snat');
  if (ct.entry.dstNat) states.push('dnat');
  return states;
}

/** (state_mask & statebit) != 0: any of the packet's bits is in the rule's set. */
export function stateSetHit(set: readonly ConntrackState[], ct: CtView): boolean {
  return packetStates(ct).some((s) => set.includes(s));
}

export const stateEvaluator: MatchEvaluator<StateMatch> = {
  kind: 'state',
  // state_mt: statemask & statebit; `! --state` inverts the whole test (conntrack alias:
  // XT_CONNTRACK_STATE in invert_flags; xt_state rev 0: the mask complemented).
  test: (m, ctx) => stateSetHit(m.states.value, ctx.ct) !== m.states.invert,
};
