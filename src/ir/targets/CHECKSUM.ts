// CHECKSUM: compute and fill in a missing layer-4 checksum (xt_CHECKSUM, XT_CHECKSUM_OP_FILL).
// Mangle table only.

export interface ChecksumTarget {
  readonly kind: 'CHECKSUM';
}

declare module '../target.js' {
  interface TargetKinds {
    CHECKSUM: ChecksumTarget;
  }
}
