// What conntrack needs to know about a packet: the small, decoded view the packet layer hands
// in (no bytes). Fields mirror the header fields the kernel's trackers read.

import type { Family } from '../../ir/address.js';

/** TCP flag bits as in the header's flag byte (TCPHDR_*): the wire module's. */
export { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../wire/tcp.js';

export interface TcpOptions {
  /** Window scale option (kind 3), the shift count as sent (clamped to 14 by conntrack). */
  readonly wscale?: number;
  /** SACK-permitted option (kind 4). */
  readonly sackPerm?: boolean;
  /** Right edges of the blocks of the first SACK option (kind 5), as sent. */
  readonly sackRightEdges?: readonly number[];
}

export interface TcpSegment {
  /** The flag byte (FIN 0x01 … CWR 0x80). */
  readonly flags: number;
  readonly seq: number;
  readonly ack: number;
  /** The raw (unscaled) window field. */
  readonly window: number;
  /** Bytes of payload after the TCP header. */
  readonly payloadLength: number;
  /** doff * 4; default 20 (no options). Options are only looked at when it exceeds 20. */
  readonly headerLength?: number;
  readonly options?: TcpOptions;
}

export interface IcmpHeader {
  readonly type: number;
  readonly code: number;
  /** Echo identifier (un.echo.id / icmp6_identifier); 0 for types without one. */
  readonly id: number;
}

/** The header quoted inside an ICMP error: enough to build its tuple (nf_ct_get_tuplepr). */
export interface QuotedPacket {
  readonly protocol: number;
  readonly src: readonly number[];
  readonly dst: readonly number[];
  readonly sport?: number;
  readonly dport?: number;
  readonly icmp?: IcmpHeader;
  /** The quoted IPv4 header is a non-first fragment, or IPv6 extension headers could not be walked. */
  readonly unparsable?: boolean;
}

export interface CtPacket {
  readonly family: Family;
  /** IPv4 protocol / IPv6 upper-layer header after extension headers. */
  readonly protocol: number;
  readonly src: readonly number[];
  readonly dst: readonly number[];
  /** skb->len at the layer-3 header: bytes for accounting. */
  readonly length: number;
  /** Layer-4 header could not be read (ipv4_get_l4proto/ipv6_get_l4proto failed, or short header). */
  readonly unparsable?: boolean;
  /** The layer-4 checksum is wrong (only checked in PREROUTING with nf_conntrack_checksum=1). */
  readonly badChecksum?: boolean;
  /** The UDP length field disagrees with the packet (udp_error). */
  readonly badUdpLength?: boolean;
  readonly sport?: number;
  readonly dport?: number;
  readonly tcp?: TcpSegment;
  readonly icmp?: IcmpHeader;
  /** For ICMP/ICMPv6 errors: the quoted packet. Absent: the error quotes nothing parsable. */
  readonly quoted?: QuotedPacket;
}
