// pkttype: the link-layer packet class (skb->pkt_type, kernel xt_pkttype).

import type { Negated } from '../common.js';

/** PACKET_HOST ('unicast'), PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST. */
export type PacketType = 'unicast' | 'broadcast' | 'multicast' | 'otherhost';

export interface PkttypeMatch {
  readonly kind: 'pkttype';
  readonly type: Negated<PacketType>;
}

declare module '../match.js' {
  interface MatchKinds {
    pkttype: PkttypeMatch;
  }
}
