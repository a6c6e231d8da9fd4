// CT: set up the conntrack template for the packet's connection before it is tracked
// (xt_CT revision 1/2, struct xt_ct_target_info_v1). Raw table only.

/** Conntrack events (enum ip_conntrack_events) the connection reports to ctnetlink. */
export type CtEvent =
  | 'new'
  | 'related'
  | 'destroy'
  | 'reply'
  | 'assured'
  | 'protoinfo'
  | 'helper'
  | 'mark'
  | 'natseqinfo'
  | 'secmark';

/** The conntrack events in enum ip_conntrack_events order (ct_event_tbl). */
export const CT_EVENTS: readonly CtEvent[] = [
  'new',
  'related',
  'destroy',
  'reply',
  'assured',
  'protoinfo',
  'helper',
  'mark',
  'natseqinfo',
  'secmark',
];

/** Expectation events (enum ip_conntrack_expect_events). */
export type ExpEvent = 'new';

export interface CtZone {
  /** Zone number; ignored when fromMark is set. */
  readonly id: number;
  /** Take the zone from the packet's mark instead (XT_CT_ZONE_MARK). */
  readonly fromMark: boolean;
  /** Which direction's tuple the zone applies to (XT_CT_ZONE_DIR_ORIG / _REPL). */
  readonly direction: 'both' | 'original' | 'reply';
}

export interface CtTarget {
  readonly kind: 'CT';
  /** Do not track the packet's connection at all (XT_CT_NOTRACK). */
  readonly notrack: boolean;
  /** Name of the conntrack helper to attach (e.g. 'ftp'). */
  readonly helper?: string;
  /** Name of the cttimeout policy to apply. */
  readonly timeout?: string;
  /** Events to report; absent: the default set. */
  readonly ctEvents?: readonly CtEvent[];
  readonly expEvents?: readonly ExpEvent[];
  /** Conntrack zone; absent: zone 0 in both directions. */
  readonly zone?: CtZone;
}

declare module '../target.js' {
  interface TargetKinds {
    CT: CtTarget;
  }
}
