// REJECT: drop the packet and answer its sender (kernel ipt_REJECT / ip6t_REJECT).

/** What the kernel sends back before dropping the packet. */
export type RejectReply =
  /** An ICMP (IPv4) error: type 3 (destination unreachable) with the given code. */
  | { readonly kind: 'icmp'; readonly type: number; readonly code: number }
  /** An ICMPv6 error: type 1 (destination unreachable) with the given code. */
  | { readonly kind: 'icmpv6'; readonly type: number; readonly code: number }
  /** A TCP RST answering the offending segment (only for TCP rules). */
  | { readonly kind: 'tcp-reset' };

export interface RejectTarget {
  readonly kind: 'REJECT';
  readonly reply: RejectReply;
}

declare module '../target.js' {
  interface TargetKinds {
    REJECT: RejectTarget;
  }
}
