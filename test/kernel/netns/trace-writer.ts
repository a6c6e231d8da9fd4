// Writes fixture traces: packets described compactly, built by scapy (write_trace.py) into
// pcapng with interface names. Fixture-generation glue; switches to src/trace/ when it lands.

import { join } from 'node:path';
import { run } from './sh.js';

export interface PacketSpec {
  /** Ingress interface (pcapng if_name). */
  readonly if: string;
  /** Seconds after the trace's first packet. */
  readonly t: number;
  readonly srcMac: string;
  readonly dstMac: string;
  readonly src: string;
  readonly dst: string;
  /** A number: that IP protocol, with `payload` as its only content. */
  readonly proto: 'tcp' | 'udp' | 'icmp' | number;
  readonly sport?: number;
  readonly dport?: number;
  /** scapy TCP flags: "S", "SA", "A", "PA", "R", "F"... */
  readonly flags?: string;
  readonly seq?: number;
  readonly ack?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly payload?: string;
  /** Payload bytes as hex, instead of `payload` (e.g. a slice of a datagram, for a fragment). */
  readonly payloadHex?: string;
  /** IPv4 don't-fragment flag. */
  readonly dontFragment?: boolean;
  readonly ttl?: number;
  /** ICMP echo identifier and sequence number (default 1, 1). */
  readonly id?: number;
  readonly icmpSeq?: number;
  /** A layer-4 checksum to write instead of the right one (e.g. 0xdead: a corrupt packet). */
  readonly l4Checksum?: number;
  /** IPv4 identification, fragment offset (8-byte units) and the MF flag. */
  readonly ipId?: number;
  readonly fragOffset?: number;
  readonly moreFragments?: boolean;
  /** ICMP errors: the offending datagram quoted (its IP header and `quoteBytes` after it, default all). */
  readonly quote?: Omit<PacketSpec, 'if' | 't' | 'srcMac' | 'dstMac' | 'quote'> & {
    readonly quoteBytes?: number;
  };
}

const SCRIPT = join(import.meta.dirname, 'write_trace.py');

export function writeTrace(path: string, packets: readonly PacketSpec[]): void {
  run(['/usr/bin/python3', SCRIPT], JSON.stringify({ path, packets }));
}
