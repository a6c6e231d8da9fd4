// SYNPROXY: answer TCP SYNs with SYN cookies and open the connection to the server only once
// the client completes the handshake (xt_SYNPROXY, struct xt_synproxy_info).

export interface SynproxyTarget {
  readonly kind: 'SYNPROXY';
  /** Advertise SACK-permitted to the client (XT_SYNPROXY_OPT_SACK_PERM). */
  readonly sackPerm: boolean;
  /** Use TCP timestamps (XT_SYNPROXY_OPT_TIMESTAMP). */
  readonly timestamp: boolean;
  /** Window-scale shift to advertise (XT_SYNPROXY_OPT_WSCALE); absent: none. */
  readonly wscale?: number;
  /** MSS to advertise (XT_SYNPROXY_OPT_MSS); absent: none. */
  readonly mss?: number;
  /** Explicit congestion notification (XT_SYNPROXY_OPT_ECN). */
  readonly ecn: boolean;
}

declare module '../target.js' {
  interface TargetKinds {
    SYNPROXY: SynproxyTarget;
  }
}
