// NOTRACK: exempt the packet from connection tracking (the kernel's CT target with
// XT_CT_NOTRACK|XT_CT_NOTRACK_ALIAS). Raw table only.

export interface NotrackTarget {
  readonly kind: 'NOTRACK';
}

declare module '../target.js' {
  interface TargetKinds {
    NOTRACK: NotrackTarget;
  }
}
