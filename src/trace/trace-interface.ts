// A capture interface: a pcapng Interface Description Block, or the single implicit interface of
// a classic pcap file.

import type { TimestampResolution } from './timestamp.js';

export interface TraceInterface {
  /** Position among all interfaces of the file, sections included (what packets refer to). */
  readonly index: number;
  /** 0-based pcapng section (always 0 for classic pcap). */
  readonly section: number;
  /** Interface ID within its section, as blocks and `tshark -e frame.interface_id` number it. */
  readonly sectionIndex: number;
  readonly linkType: number;
  /** Snap length; 0 means unlimited. */
  readonly snapLength: number;
  /** pcapng `if_name`; undefined for classic pcap or when absent. */
  readonly name: string | undefined;
  /** pcapng `if_description`. */
  readonly description: string | undefined;
  /** Timestamp units (pcapng `if_tsresol`; micro- or nanoseconds for classic pcap). */
  readonly resolution: TimestampResolution;
  /** pcapng `if_tsoffset`, in seconds. */
  readonly offsetSeconds: bigint;
  /** Length of the frame check sequence at the end of each packet, when known. */
  readonly fcsLength: number | undefined;
  /** Byte order of the section, which the packets' options are in. */
  readonly littleEndian: boolean;
}
