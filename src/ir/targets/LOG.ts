// LOG: write a line about the packet to the kernel log (xt_LOG, struct xt_log_info); the
// packet continues with the next rule.

export interface LogTarget {
  readonly kind: 'LOG';
  /** syslog severity 0 (emerg) to 7 (debug); 4 (warning) unless told otherwise. */
  readonly level: number;
  /** Text put before the log line (at most 29 bytes); absent when there is none. */
  readonly prefix?: string;
  /** Log TCP sequence numbers (XT_LOG_TCPSEQ). */
  readonly tcpSequence: boolean;
  /** Log TCP options (XT_LOG_TCPOPT). */
  readonly tcpOptions: boolean;
  /** Log IP / IPv6 extension-header options (XT_LOG_IPOPT). */
  readonly ipOptions: boolean;
  /** Log the UID owning the local socket (XT_LOG_UID). */
  readonly uid: boolean;
  /** Decode the MAC header instead of dumping it (XT_LOG_MACDECODE). */
  readonly macDecode: boolean;
}

declare module '../target.js' {
  interface TargetKinds {
    LOG: LogTarget;
  }
}
