// SECMARK: set the packet's security mark from an SELinux context (xt_SECMARK).

export interface SecmarkTarget {
  readonly kind: 'SECMARK';
  /** The security context, e.g. 'system_u:object_r:http_packet_t:s0'. */
  readonly context: string;
}

declare module '../target.js' {
  interface TargetKinds {
    SECMARK: SecmarkTarget;
  }
}
