// IDLETIMER: (re)start a named timer that notifies user space when no packet has hit the rule
// for a while (xt_IDLETIMER revision 1).

export interface IdletimerTarget {
  readonly kind: 'IDLETIMER';
  /** Seconds of inactivity before the notification. */
  readonly timeout: number;
  /** The timer's name (sysfs file name), shared by rules using the same label. */
  readonly label: string;
  /** Use an alarm timer, which also wakes the system from suspend (XT_IDLETIMER_ALARM). */
  readonly alarm: boolean;
}

declare module '../target.js' {
  interface TargetKinds {
    IDLETIMER: IdletimerTarget;
  }
}
