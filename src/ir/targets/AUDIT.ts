// AUDIT: emit an audit record for the packet (xt_AUDIT); the packet continues.

export interface AuditTarget {
  readonly kind: 'AUDIT';
  /** The action the record reports (XT_AUDIT_TYPE_*). */
  readonly type: 'accept' | 'drop' | 'reject';
}

declare module '../target.js' {
  interface TargetKinds {
    AUDIT: AuditTarget;
  }
}
