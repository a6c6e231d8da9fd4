// ipv6header: which IPv6 extension headers a packet carries (kernel ip6t_ipv6header,
// struct ip6t_ipv6header_info).

/** Header kinds: hop-by-hop (0), routing (43), fragment (44), auth (51), esp (50), destination options (60), no-next-header (59), and any other upper-layer protocol. */
export type Ipv6HeaderKind =
  | 'hop-by-hop'
  | 'destination'
  | 'routing'
  | 'fragment'
  | 'auth'
  | 'esp'
  | 'no-next-header'
  | 'upper-layer';

export interface Ipv6HeaderMatch {
  readonly kind: 'ipv6header';
  /** The set of headers tested (at least one), in the kernel's bit order. */
  readonly headers: readonly Ipv6HeaderKind[];
  /**
   * false: the packet's set of headers must equal `headers` exactly (inverted: differ);
   * true (soft): the packet must have every one of them (inverted: lack at least one).
   */
  readonly soft: boolean;
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    ipv6header: Ipv6HeaderMatch;
  }
}
