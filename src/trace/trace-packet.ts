// One packet with everything about it materialised: the convenient (allocating) form of a
// PacketBatch element.

export interface TracePacket {
  /** 1-based position among the packets of the file (tshark's frame.number, other records excluded). */
  readonly number: number;
  /** Index into the reader's `interfaces`. */
  readonly interfaceIndex: number;
  /** pcapng `if_name` of the interface, else undefined. */
  readonly interfaceName: string | undefined;
  readonly linkType: number;
  /** Nanoseconds since the epoch; undefined for pcapng Simple Packet Blocks, which carry none. */
  readonly timestampNs: bigint | undefined;
  readonly capturedLength: number;
  readonly originalLength: number;
  /** The captured bytes: a view into the chunk read from the file, not a copy. */
  readonly data: Uint8Array;
  /** Byte offset of the packet's record or block in the file. */
  readonly fileOffset: number;
  /** pcapng `opt_comment`s of the packet. */
  readonly comments: readonly string[];
  /** pcapng `epb_flags` (direction in bits 0–1: 1 inbound, 2 outbound), when present. */
  readonly epbFlags: number | undefined;
}
