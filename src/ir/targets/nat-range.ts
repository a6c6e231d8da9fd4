// The mapping a NAT target applies (the kernel's struct nf_nat_range2), shared by DNAT, SNAT,
// MASQUERADE and REDIRECT so the engine can treat them alike.

import type { IpRange } from '../address.js';
import type { PortRange } from '../common.js';

export interface NatRange {
  /**
   * Addresses to map to, inclusive (NF_NAT_RANGE_MAP_IPS). Absent: the address is not chosen
   * by the rule (DNAT/SNAT keep it; MASQUERADE takes the outgoing interface's address,
   * REDIRECT the receiving interface's primary address or loopback).
   * `from` may exceed `to`: the kernel accepts it as given.
   */
  readonly addresses?: IpRange;
  /**
   * Ports (TCP/UDP/SCTP/DCCP) or ICMP ids to map to (NF_NAT_RANGE_PROTO_SPECIFIED). Absent: the
   * original port is kept unless it clashes with another connection.
   */
  readonly ports?: PortRange;
  /**
   * NF_NAT_RANGE_PROTO_OFFSET ("shifted portmap"): the new port is ports.from + (original - base)
   * modulo the range size. Present only together with `ports`; 0 when the target's kernel
   * structure has no room for a base (SNAT, MASQUERADE), so the original port itself is the offset.
   */
  readonly portOffsetBase?: number;
  /** NF_NAT_RANGE_PROTO_RANDOM: pick the port by a keyed hash instead of trying the original first. */
  readonly random: boolean;
  /** NF_NAT_RANGE_PROTO_RANDOM_FULLY: pick the port with a fully random (prandom) choice. */
  readonly randomFully: boolean;
  /** NF_NAT_RANGE_PERSISTENT: map a client to the same address for all its connections. */
  readonly persistent: boolean;
}
