// A packet on its way through the host: the kernel's sk_buff as far as netfilter can see it.
// The bytes are the IP datagram (link header stripped); `decoded` is kept in step with them
// after every rewrite.

import type { DecodedPacket } from '../../wire/packet.js';

/** The socket a locally generated packet belongs to (the owner match reads it). */
export interface SocketOwner {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups, for --suppl-groups. */
  readonly groups: readonly number[];
}

export interface EnginePacket {
  /** The IP datagram, from the IP header on. NAT and mangle targets rewrite it in place. */
  bytes: Uint8Array;
  /** Fields of `bytes` (l3Offset is 0). */
  decoded: DecodedPacket;
  /** Packet time from the trace, in nanoseconds: the engine's only clock. */
  readonly timestampNs: bigint;
  /** Ingress interface; null for a locally generated packet. */
  iif: string | null;
  /** Egress interface once routed. */
  oif: string | null;
  /** Bridge ports when the packet is bridged (br_netfilter): physdev's in/out. */
  physIn: string | null;
  physOut: string | null;
  /** Whether the packet is being bridged rather than routed. */
  bridged: boolean;
  /**
   * Source and destination MAC of the frame it arrived in (6 bytes each), if any; a reassembled
   * datagram has its first fragment's.
   */
  macSrc: Uint8Array | null;
  macDst: Uint8Array | null;
  /** skb->mark (nfmark). */
  mark: number;
  /** Owner of the sending socket, for locally generated packets. */
  readonly socket: SocketOwner | null;
}
