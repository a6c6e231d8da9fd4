// TCPMSS: rewrite the MSS option of TCP SYN segments (xt_TCPMSS, struct xt_tcpmss_info).

export interface TcpmssTarget {
  readonly kind: 'TCPMSS';
  /**
   * 'pmtu': clamp the MSS to the path MTU minus the IP and TCP headers (XT_TCPMSS_CLAMP_PMTU);
   * otherwise the MSS value to set.
   */
  readonly mss: number | 'pmtu';
}

declare module '../target.js' {
  interface TargetKinds {
    TCPMSS: TcpmssTarget;
  }
}
