// -m devgroup (xt_devgroup devgroup_mt): the group number of the in / out device.

import type { MaskedValue, Negated } from '../../../ir/common.js';
import type { DevgroupMatch } from '../../../ir/matches/devgroup.js';
import type { MatchContext } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';

function groupOk(ctx: MatchContext, dev: string | null, t: Negated<MaskedValue> | undefined): boolean {
  if (t === undefined) return true;
  // checkentry limits each side to hooks that have that device; be total anyway (group 0).
  const group = dev === null ? 0 : ctx.host.interfaceGroup(dev);
  // ((rule_group ^ dev->group) & mask) == 0
  const hit = ((t.value.value ^ group) & t.value.mask) >>> 0 === 0;
  return hit !== t.invert;
}

export const devgroupEvaluator: MatchEvaluator<DevgroupMatch> = {
  kind: 'devgroup',
  test: (m, ctx) => groupOk(ctx, ctx.packet.iif, m.source) && groupOk(ctx, ctx.packet.oif, m.destination),
};
