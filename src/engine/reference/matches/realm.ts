// -m realm (xt_realm realm_mt; IPv4): the realm (dst->tclassid) of the packet's route.

import type { RealmMatch } from '../../../ir/matches/realm.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const realmEvaluator: MatchEvaluator<RealmMatch> = {
  kind: 'realm',
  test: (m, ctx) => {
    // Without realms on any route (the host file has none yet) tclassid is 0.
    const tclassid = ctx.host.routeRealm ? ctx.host.routeRealm(ctx.packet.decoded.dst, ctx.packet.oif) : 0;
    // id == (tclassid & mask): the rule's id is not masked.
    const hit = m.realm.value.value >>> 0 === (tclassid & m.realm.value.mask) >>> 0;
    return hit !== m.realm.invert;
  },
};
