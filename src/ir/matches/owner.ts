// owner: the local socket that sent the packet (kernel xt_owner revision 1; OUTPUT and
// POSTROUTING only).

import type { Negated } from '../common.js';

/** An inclusive range of user or group ids. */
export interface IdRange {
  readonly from: number;
  readonly to: number;
}

export interface OwnerMatch {
  readonly kind: 'owner';
  /** The packet has a full socket (sk_fullsock with a file). */
  readonly socketExists?: Negated<true>;
  /** The socket's file owner uid (fsuid) is within the range. */
  readonly uid?: Negated<IdRange>;
  /** The socket's file owner gid is within the range (or, with supplementaryGroups, any of its groups). */
  readonly gid?: Negated<IdRange>;
  /** The gid test also considers the supplementary groups of the socket's credentials. */
  readonly supplementaryGroups?: true;
}

declare module '../match.js' {
  interface MatchKinds {
    owner: OwnerMatch;
  }
}
