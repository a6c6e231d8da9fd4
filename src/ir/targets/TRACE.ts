// TRACE: mark the packet so every rule it traverses is logged (xt_TRACE, sets skb->nf_trace).
// Raw table only.

export interface TraceTarget {
  readonly kind: 'TRACE';
}

declare module '../target.js' {
  interface TargetKinds {
    TRACE: TraceTarget;
  }
}
