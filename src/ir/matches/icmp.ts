// icmp: the type and code of an ICMP (IPv4) header (kernel ip_tables "icmp", struct ipt_icmp).

/** A type and code test, as struct ipt_icmp and struct ip6t_icmp both hold it. */
export interface IcmpTypeTest {
  /** Type 0-255 (see the match kinds for what 255 means). */
  readonly type: number;
  /** Inclusive range of codes (0-255 each); 0:255 accepts any code. */
  readonly codeMin: number;
  readonly codeMax: number;
  /** The whole test (type and codes) is negated. */
  readonly invert: boolean;
}

/** ICMP (IPv4): type 255 is the kernel's wildcard, every ICMP packet whatever its code. */
export interface IcmpMatch extends IcmpTypeTest {
  readonly kind: 'icmp';
}

declare module '../match.js' {
  interface MatchKinds {
    icmp: IcmpMatch;
  }
}
