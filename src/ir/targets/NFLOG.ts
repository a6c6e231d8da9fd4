// NFLOG: pass the packet to the nfnetlink_log subsystem (xt_NFLOG, struct xt_nflog_info); the
// packet continues with the next rule.

export interface NflogTarget {
  readonly kind: 'NFLOG';
  /** Netlink log group, 0-65535. */
  readonly group: number;
  /** Text attached to the log message (at most 63 bytes); absent when there is none. */
  readonly prefix?: string;
  /**
   * Bytes of the packet to copy to user space. 'size' (XT_NFLOG_F_COPY_LEN) is honoured;
   * 'range' is the legacy field the kernel stores but ignores. Absent: the whole packet.
   */
  readonly copy?: { readonly kind: 'size' | 'range'; readonly bytes: number };
  /** Packets queued in the kernel before sending them to user space (default 0). */
  readonly threshold: number;
}

declare module '../target.js' {
  interface TargetKinds {
    NFLOG: NflogTarget;
  }
}
