// tcp: ports, flags and option presence of a TCP header (kernel xt_tcpudp, struct xt_tcp).

import type { Negated, PortRange } from '../common.js';

export interface TcpFlagsTest {
  /** Flags examined (FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80). */
  readonly mask: number;
  /** Of those, the ones that must be set; matches when (flags & mask) === comp. */
  readonly comp: number;
}

export interface TcpMatch {
  readonly kind: 'tcp';
  /** Absent: any port (the kernel's 0:65535, not inverted). */
  readonly sport?: Negated<PortRange>;
  readonly dport?: Negated<PortRange>;
  readonly flags?: Negated<TcpFlagsTest>;
  /** TCP option kind that must be present. */
  readonly option?: Negated<number>;
}

declare module '../match.js' {
  interface MatchKinds {
    tcp: TcpMatch;
  }
}
