// length: the packet's layer-3 length (IPv4 total length; IPv6 payload length plus the 40-byte
// header) within an inclusive range (kernel xt_length, struct xt_length_info).

export interface LengthMatch {
  readonly kind: 'length';
  /** 0-65535 each. min > max is allowed and matches no packet (inverted: every packet). */
  readonly min: number;
  readonly max: number;
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    length: LengthMatch;
  }
}
