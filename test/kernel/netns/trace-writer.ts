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
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly sport?: number;
  readonly dport?: number;
  /** scapy TCP flags: "S", "SA", "A", "PA", "R", "F"... */
  readonly flags?: string;
  readonly seq?: number;
  readonly ack?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly payload?: string;
  readonly ttl?: number;
}

const SCRIPT = join(import.meta.dirname, 'write_trace.py');

export function writeTrace(path: string, packets: readonly PacketSpec[]): void {
  run(['/usr/bin/python3', SCRIPT], JSON.stringify({ path, packets }));
}
