// icmp: the type and code of an ICMP (IPv4) header (kernel ip_tables "icmp", struct ipt_icmp).

export interface IcmpMatch {
  readonly kind: 'icmp';
  /** ICMP type 0-255; 255 is the kernel's wildcard: every ICMP packet, whatever its code. */
  readonly type: number;
  /** Inclusive range of codes (0-255 each); 0:255 accepts any code. */
  readonly codeMin: number;
  readonly codeMax: number;
  /** The whole test (type and codes) is negated. */
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    icmp: IcmpMatch;
  }
}
