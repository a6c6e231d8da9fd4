// LED: blink an LED through the "netfilter-<id>" LED trigger (xt_LED).

export interface LedTarget {
  readonly kind: 'LED';
  /** Trigger name without the "netfilter-" prefix. */
  readonly triggerId: string;
  /** Milliseconds the LED stays on; 'infinite' keeps it on; 0 = blink. */
  readonly delay: number | 'infinite';
  /** Blink even when the LED is already on. */
  readonly alwaysBlink: boolean;
}

declare module '../target.js' {
  interface TargetKinds {
    LED: LedTarget;
  }
}
