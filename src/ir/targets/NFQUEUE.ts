// NFQUEUE: hand the packet to a user-space program through nfnetlink_queue (xt_NFQUEUE
// revision 3, struct xt_NFQ_info_v3). A terminating verdict.

export interface NfqueueTarget {
  readonly kind: 'NFQUEUE';
  /** First queue number. */
  readonly queue: number;
  /** Number of queues (queue .. queue+count-1) flows are balanced over; 1 for a single queue. */
  readonly count: number;
  /** Accept the packet instead of dropping it when no program listens (NFQ_FLAG_BYPASS). */
  readonly bypass: boolean;
  /** Pick the queue by the current CPU instead of a flow hash (NFQ_FLAG_CPU_FANOUT). */
  readonly cpuFanout: boolean;
}

declare module '../target.js' {
  interface TargetKinds {
    NFQUEUE: NfqueueTarget;
  }
}
