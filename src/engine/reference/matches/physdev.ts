// -m physdev (xt_physdev physdev_mt): the bridge ports of a packet that went through
// br_netfilter. `--physdev-is-bridged` means "has a bridge output port" (physoutdev), which is
// only known in FORWARD and POSTROUTING.

import type { PhysdevMatch, PhysdevName } from '../../../ir/matches/physdev.js';
import type { MatchEvaluator } from '../match-evaluator.js';

/** ifname_compare_aligned under iptables' mask: `+` compares the prefix, "" matches any port. */
function nameHit(actual: string, want: PhysdevName): boolean {
  if (want.name === '') return true;
  return want.wildcard ? actual.startsWith(want.name) : actual === want.name;
}

export const physdevEvaluator: MatchEvaluator<PhysdevMatch> = {
  kind: 'physdev',
  test: (m, ctx) => {
    const p = ctx.packet;
    // !nf_bridge_info_exists: not bridged (or not yet known, as in OUTPUT): match only when
    // every option given is negated.
    if (p.physIn === null && p.physOut === null && !p.bridged) {
      return [m.isBridged, m.isIn, m.isOut, m.in, m.out].every((o) => o === undefined || o.invert);
    }
    const indev = p.physIn;
    const outdev = p.physOut;
    if (m.isBridged && (outdev !== null) === m.isBridged.invert) return false;
    if (m.isIn && (indev !== null) === m.isIn.invert) return false;
    if (m.isOut && (outdev !== null) === m.isOut.invert) return false;
    // --physdev-in is skipped (passes) when there is no input port.
    if (m.in && indev !== null && nameHit(indev, m.in.value) === m.in.invert) return false;
    if (!m.out) return true;
    // --physdev-out without an output port fails, even negated.
    if (outdev === null) return false;
    return nameHit(outdev, m.out.value) !== m.out.invert;
  },
};
