// CONNSECMARK: copy the security mark between packet and connection (xt_CONNSECMARK).

export interface ConnsecmarkTarget {
  readonly kind: 'CONNSECMARK';
  /** 'save': packet's secmark to the connection; 'restore': connection's to the packet. */
  readonly mode: 'save' | 'restore';
}

declare module '../target.js' {
  interface TargetKinds {
    CONNSECMARK: ConnsecmarkTarget;
  }
}
