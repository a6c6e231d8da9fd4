// What a match (and a target) sees of the world besides the packet: its connection, the host,
// the clock, randomness, and state kept between packets. Evaluators depend on these interfaces
// only, so they can be tested with small fakes and the engine can change behind them.

import type { Family } from '../../ir/address.js';
import type { Hook, Rule, TableName } from '../../ir/ruleset.js';
import type { EnginePacket } from './packet.js';

/** One direction's tuple of a connection. */
export interface CtTupleView {
  readonly src: readonly number[];
  readonly dst: readonly number[];
  /** Ports, or for ICMP the echo id as source "port" (0 otherwise). */
  readonly srcPort: number;
  readonly dstPort: number;
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
}

/** The packet's relation to connection tracking (the kernel's ctinfo). */
export interface CtView {
  readonly state: 'new' | 'established' | 'related' | 'invalid' | 'untracked';
  readonly direction: 'original' | 'reply';
  /** Absent for invalid and untracked packets. */
  readonly entry: CtEntryView | null;
}

/** Route types (RTN_*) as addrtype and routing name them. */
export type AddressType =
  | 'UNSPEC'
  | 'UNICAST'
  | 'LOCAL'
  | 'BROADCAST'
  | 'ANYCAST'
  | 'MULTICAST'
  | 'BLACKHOLE'
  | 'UNREACHABLE'
  | 'PROHIBIT'
  | 'THROW'
  | 'NAT'
  | 'XRESOLVE';

/** The host facts matches need. */
export interface HostView {
  /** Route type of an address (addrtype); `dev` restricts the lookup to that interface. */
  addressType(family: Family, addr: readonly number[], dev?: string): AddressType;
  /** Whether a reverse-path lookup for the source would leave by `iif` (rpfilter). */
  reversePathOk(
    family: Family,
    src: readonly number[],
    dst: readonly number[],
    iif: string,
    opts: { readonly loose: boolean; readonly validMark: boolean; readonly mark: number },
  ): boolean;
  /** The interface's group number (devgroup); 0 when unknown. */
  interfaceGroup(name: string): number;
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
