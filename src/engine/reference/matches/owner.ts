// -m owner (xt_owner owner_mt, revision 1): the sending socket of a locally generated packet.
// The engine supplies `packet.socket` for packets whose skb_to_full_sk has a socket with a file
// (a local process's socket, including a listener's SYN-ACKs); kernel-made packets (RSTs,
// TIME_WAIT ACKs) and forwarded ones have none.

import type { Negated } from '../../../ir/common.js';
import type { IdRange, OwnerMatch } from '../../../ir/matches/owner.js';
import type { MatchEvaluator } from '../match-evaluator.js';

const inRange = (id: number, r: IdRange): boolean => id >>> 0 >= r.from >>> 0 && id >>> 0 <= r.to >>> 0;

export const ownerEvaluator: MatchEvaluator<OwnerMatch> = {
  kind: 'owner',
  test: (m, ctx) => {
    const sock = ctx.packet.socket;
    if (!sock) {
      // (info->match ^ info->invert) == 0: only when every option is negated. --suppl-groups
      // is an option that cannot be negated, so with it a socketless packet never matches.
      const opts: (Negated<unknown> | undefined)[] = [m.socketExists, m.uid, m.gid];
      return m.supplementaryGroups === undefined && opts.every((o) => o === undefined || o.invert);
    }
    // A socket exists but the rule says `! --socket-exists`.
    if (m.socketExists?.invert) return false;
    if (m.uid && inRange(sock.uid, m.uid.value) === m.uid.invert) return false;
    if (m.gid) {
      // fsgid, or with --suppl-groups any supplementary group, within the range.
      let hit = inRange(sock.gid, m.gid.value);
      if (!hit && m.supplementaryGroups) hit = sock.groups.some((g) => inRange(g, m.gid!.value));
      if (hit === m.gid.invert) return false;
    }
    return true;
  },
};
