// conntrack: tests on the connection-tracking entry of the packet (kernel xt_conntrack,
// struct xt_conntrack_mtinfo3). The state match (xt_state) is the same test on states only.

import type { IpNet } from '../address.js';
import type { Negated, PortRange } from '../common.js';

/**
 * A connection state as xt_conntrack computes it for a packet: invalid (no conntrack entry),
 * new/established/related (ctinfo), untracked (the untracked template), and the virtual states
 * snat/dnat (the entry has IPS_SRC_NAT / IPS_DST_NAT set).
 */
export type ConntrackState = 'invalid' | 'new' | 'related' | 'established' | 'untracked' | 'snat' | 'dnat';

/** The order of the state bits in the kernel's state mask (and iptables' printing order). */
export const CONNTRACK_STATE_ORDER: readonly ConntrackState[] = [
  'invalid',
  'new',
  'related',
  'established',
  'untracked',
  'snat',
  'dnat',
];

/**
 * A set of states, no duplicates, in CONNTRACK_STATE_ORDER. The test matches when the packet's
 * state is one of them.
 */
export type ConntrackStateSet = readonly ConntrackState[];

/** Status bits of the conntrack entry that --ctstatus can test (IPS_*). */
export type ConntrackStatus = 'expected' | 'seen-reply' | 'assured' | 'confirmed';

/** An address the kernel compares under a mask: ((tuple ^ given) & mask) == 0. */
export interface ConntrackAddress {
  /** The network that matches (address masked). */
  readonly net: IpNet;
  /** The address words as the rule holds them, host bits included (they do not affect matching). */
  readonly given: readonly number[];
}

/** An inclusive range of seconds. */
export interface ExpiryRange {
  readonly from: number;
  readonly to: number;
}

export interface ConntrackMatch {
  readonly kind: 'conntrack';
  /** The packet's connection state is one of these. */
  readonly state?: Negated<ConntrackStateSet>;
  /** Layer-4 protocol number of the original tuple (0 never matches a real entry). */
  readonly protocol?: Negated<number>;
  /** Original-direction source / destination, reply-direction source / destination address. */
  readonly origSrc?: Negated<ConntrackAddress>;
  readonly origDst?: Negated<ConntrackAddress>;
  readonly replSrc?: Negated<ConntrackAddress>;
  readonly replDst?: Negated<ConntrackAddress>;
  /** Ports of the tuples (kept even when 0-65535: the kernel holds the test). */
  readonly origSrcPort?: Negated<PortRange>;
  readonly origDstPort?: Negated<PortRange>;
  readonly replSrcPort?: Negated<PortRange>;
  readonly replDstPort?: Negated<PortRange>;
  /**
   * Matches when the entry has any of these status bits. Empty (iptables' NONE) is a mask of 0,
   * which never matches (and always matches when negated).
   */
  readonly status?: Negated<readonly ConntrackStatus[]>;
  /** Remaining lifetime of the entry in seconds. */
  readonly expires?: Negated<ExpiryRange>;
  /** Direction of the packet within its connection. */
  readonly direction?: 'original' | 'reply';
}

declare module '../match.js' {
  interface MatchKinds {
    conntrack: ConntrackMatch;
  }
}
