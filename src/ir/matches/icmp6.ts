// icmp6: the type and code of an ICMPv6 header (kernel ip6_tables "icmp6", struct ip6t_icmp).

export interface Icmp6Match {
  readonly kind: 'icmp6';
  /** ICMPv6 type 0-255 (no wildcard: 255 is type 255). */
  readonly type: number;
  /** Inclusive range of codes (0-255 each); 0:255 accepts any code. */
  readonly codeMin: number;
  readonly codeMax: number;
  /** The whole test (type and codes) is negated. */
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    icmp6: Icmp6Match;
  }
}
