// NETMAP: 1:1 mapping of a whole network (xt_NETMAP). In PREROUTING/OUTPUT the destination is
// rewritten, in POSTROUTING/INPUT the source: new = (net.addr & mask) | (old & ~mask).

import type { IpNet } from '../address.js';

export interface NetmapTarget {
  readonly kind: 'NETMAP';
  /** The network to map into; its mask says which address bits are replaced. */
  readonly net: IpNet;
}

declare module '../target.js' {
  interface TargetKinds {
    NETMAP: NetmapTarget;
  }
}
