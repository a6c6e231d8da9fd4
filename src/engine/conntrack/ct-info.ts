// How a packet relates to its connection (enum ip_conntrack_info) and the state the
// `state`/`conntrack` matches and `ct state` see.

import type { ConnEntry } from './entry.js';
import type { Direction } from './tuple.js';

/** enum ip_conntrack_info, without IP_CT_UNTRACKED (a TrackResult kind of its own). */
export type CtInfo = 'ESTABLISHED' | 'RELATED' | 'NEW' | 'ESTABLISHED_REPLY' | 'RELATED_REPLY';

/** The result of nf_conntrack_in for one packet. */
export type TrackResult =
  | {
      readonly kind: 'tracked';
      readonly entry: ConnEntry;
      readonly ctinfo: CtInfo;
      /** The direction of the packet within the connection (CTINFO2DIR). */
      readonly direction: Direction;
    }
  /** No conntrack attached: the state matches see INVALID. */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** IP_CT_UNTRACKED (NOTRACK, or ICMPv6 neighbour discovery / MLD). */
  | { readonly kind: 'untracked' }
  /** NF_DROP from conntrack itself: table full, or a reopen that could not kill the old entry. */
  | { readonly kind: 'drop'; readonly reason: string };

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

/** XT_STATE_BIT(ctinfo) as the state match uses it: replies count as their base state. */
export function ctState(r: TrackResult): CtState {
  switch (r.kind) {
    case 'tracked':
      if (r.ctinfo === 'ESTABLISHED_REPLY') return 'ESTABLISHED';
      if (r.ctinfo === 'RELATED_REPLY') return 'RELATED';
      return r.ctinfo;
    case 'untracked':
      return 'UNTRACKED';
    default:
      return 'INVALID';
  }
}
