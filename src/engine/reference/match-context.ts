// What a match (and a target) sees of the world besides the packet: its connection, the host,
// the clock, randomness, and state kept between packets. Evaluators depend on these interfaces
// only, so they can be tested with small fakes and the engine can change behind them.

import type { Family } from '../../ir/address.js';
import type { AddressType } from '../../ir/matches/addrtype.js';
import type { Hook, Rule, TableName } from '../../ir/ruleset.js';
import type { EnginePacket } from './packet.js';

/**
 * One direction's tuple of a connection (struct nf_conntrack_tuple), its layer-4 part as the
 * conntrack match reads it: ntohs(src.u.all) and ntohs(dst.u.all).
 */
export interface CtTupleView {
  readonly src: readonly number[];
  readonly dst: readonly number[];
  /** src.u.all: the source port, the ICMP/ICMPv6 echo id, 0 for protocols without ports. */
  readonly srcPort: number;
  /** dst.u.all: the destination port; for ICMP/ICMPv6 `type << 8 | code`; 0 without ports. */
  readonly dstPort: number;
}

/** A whole tuple, as connlimit keeps them (nf_ct_tuple_equal compares all of it). */
export interface CtTupleKey extends CtTupleView {
  readonly protocol: number;
}

/** A conntrack entry as matches see it. */
export interface CtEntryView {
  readonly protocol: number;
  readonly original: CtTupleView;
  readonly reply: CtTupleView;
  readonly seenReply: boolean;
  readonly assured: boolean;
  readonly confirmed: boolean;
  readonly expected: boolean;
  readonly srcNat: boolean;
  readonly dstNat: boolean;
  /** ct mark. */
  readonly mark: number;
  /** Seconds until the entry expires (the conntrack match's --ctexpire). */
  readonly expiresSeconds: number;
  /** Name of the assigned helper, if any. */
  readonly helper: string | null;
  /** Packets and bytes counted per direction (connbytes). */
  readonly packets: { readonly original: bigint; readonly reply: bigint };
  readonly bytes: { readonly original: bigint; readonly reply: bigint };
  /** Conntrack zone id (nf_ct_zone(ct)->id); absent means the default zone 0. */
  readonly zone?: number;
  /**
   * TCP connection in TIME_WAIT or CLOSE (nf_conncount's already_closed): connlimit stops
   * counting it. Absent means false.
   */
  readonly tcpClosed?: boolean;
  /**
   * Name of the helper of the connection's master (ct->master's nfct_help), which is what the
   * helper match tests: set only on expected (RELATED) connections whose master has a helper.
   * Absent or null: no master, or a master without a helper.
   */
  readonly masterHelper?: string | null;
}

/** The packet's relation to connection tracking (the kernel's ctinfo). */
export interface CtView {
  readonly state: 'new' | 'established' | 'related' | 'invalid' | 'untracked';
  readonly direction: 'original' | 'reply';
  /** Absent for invalid and untracked packets. */
  readonly entry: CtEntryView | null;
  /**
   * nf_ct_get_tuplepr on the packet itself (its own direction's tuple), or null when the kernel
   * cannot build one (a non-first fragment, a truncated header). connlimit needs it only for
   * packets without an entry.
   */
  packetTuple?(): CtTupleKey | null;
  /**
   * nf_conntrack_find_get: the confirmed, unexpired connection having `tuple` as its original
   * or reply tuple in `zone`, or null. connlimit uses it to drop connections that are gone.
   */
  find?(tuple: CtTupleKey, zone: number): CtEntryView | null;
}

/** Route types (RTN_*) as addrtype and routing name them: the IR's, which the host model answers in. */
export type { AddressType };

/** A local socket as the socket match sees it (nf_sk_lookup_slow_v4/v6 or skb->sk). */
export interface SocketView {
  /** sk_fullsock: false for request (SYN_RECV) and TIME_WAIT mini-sockets. */
  readonly fullSock: boolean;
  /** Bound to the wildcard address (inet_rcv_saddr 0.0.0.0 / sk_v6_rcv_saddr ::). */
  readonly wildcardBound: boolean;
  /** inet_sk_transparent: IP_TRANSPARENT (for request sockets, the listener's no_srccheck). */
  readonly transparent: boolean;
  /** sk_mark (SO_MARK). */
  readonly mark: number;
}

/** The host facts matches need. */
export interface HostView {
  /** Route type of an address (addrtype, IPv4: inet_dev_addr_type); `dev` restricts the lookup to that interface. */
  addressType(family: Family, addr: readonly number[], dev?: string): AddressType;
  /**
   * IPv6 addrtype's route lookup (match_lookup_rt6): the subset of LOCAL, ANYCAST and
   * UNREACHABLE it reports for `addr` (with `dev`: flowi6_oif = dev, and LOCAL only when the
   * address is configured on dev). Absent: derived from addressType('ipv6', ...).
   */
  addressTypes6?(addr: readonly number[], dev?: string): readonly AddressType[];
  /**
   * Whether the reverse-path lookup for the source succeeds (rpfilter_lookup_reverse /
   * rpfilter_lookup_reverse6): a route to `src` (from `dst`, with the mark when validMark)
   * that is unicast (or local with acceptLocal) and leaves by `iif` (any device when loose).
   * The match itself handles loopback input and the 0.0.0.0 / :: source special cases.
   */
  reversePathOk(
    family: Family,
    src: readonly number[],
    dst: readonly number[],
    iif: string,
    opts: {
      readonly loose: boolean;
      readonly validMark: boolean;
      readonly mark: number;
      readonly acceptLocal: boolean;
      /** IPv4 TOS byte / IPv6 traffic class of the packet (flowi4_dscp takes its DSCP bits). */
      readonly tos: number;
    },
  ): boolean;
  /** The interface's group number (devgroup); 0 when unknown. */
  interfaceGroup(name: string): number;
  /** dst->tclassid of the packet's route (realm, IPv4). Absent: 0, no realms configured. */
  routeRealm?(dst: readonly number[], oif: string | null): number;
  /**
   * The local socket the packet belongs to (socket match): an established socket for its
   * 4-tuple, else a listener; ICMP errors look up the quoted packet's socket. Absent: the host
   * has no sockets, and the socket match never matches.
   */
  lookupSocket?(family: Family, packetBytes: Uint8Array, iif: string | null): SocketView | null;
}

export interface MatchContext {
  readonly family: Family;
  readonly hook: Hook;
  readonly table: TableName;
  readonly packet: EnginePacket;
  readonly ct: CtView;
  readonly host: HostView;
  /** Packet time, in nanoseconds. */
  readonly now: bigint;
  /** A uniformly distributed 32-bit unsigned integer from the run's seeded generator. */
  random(): number;
  /** State kept between packets for one match of one rule (limit's bucket, statistic's counter). */
  ruleState<T>(rule: Rule, key: object, init: () => T): T;
  /** State shared by name across rules (recent's lists, hashlimit's tables). */
  sharedState<T>(namespace: string, name: string, init: () => T): T;
}
