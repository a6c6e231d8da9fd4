// udp: source and destination port ranges of a UDP header (kernel xt_tcpudp, struct xt_udp).

import type { Negated, PortRange } from '../common.js';

export interface UdpMatch {
  readonly kind: 'udp';
  /** Absent: any port (the kernel's 0:65535, not inverted). */
  readonly sport?: Negated<PortRange>;
  readonly dport?: Negated<PortRange>;
}

declare module '../match.js' {
  interface MatchKinds {
    udp: UdpMatch;
  }
}
