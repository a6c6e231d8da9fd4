// One generated conversation and where it stands. A flow is a script of packets in order
// (a TCP handshake, data and teardown; UDP or ICMP echo exchanges; a UDP probe answered by an
// ICMP port unreachable; one invalid packet); `step` is the next packet of the script.

import type { PacketPath } from './host-paths.js';

export type FlowScript = 'tcp' | 'udp' | 'echo' | 'unreachable' | 'invalid';

/** The kinds of invalid packet: each exercises a different check of the stack or conntrack. */
export const INVALID_VARIANTS = ['bad-ip-checksum', 'truncated', 'syn-fin', 'stray-rst', 'bad-ihl'] as const;
export type InvalidVariant = (typeof INVALID_VARIANTS)[number];

export interface FlowEnds {
  readonly protocol: number;
  /** The request as the client sends it. */
  readonly client: number;
  readonly clientPort: number;
  readonly server: number;
  readonly serverPort: number;
  /** The reply as the server sends it: from the NAT target, to the client as the server sees it. */
  readonly replySrc: number;
  readonly replySrcPort: number;
  readonly replyDst: number;
  readonly replyDstPort: number;
  /** Where requests arrive (the client's side) and where replies arrive (the server's side). */
  readonly out: PacketPath;
  readonly back: PacketPath;
}

export class Flow {
  step = 0;
  /** Next sequence numbers (TCP) or echo sequence (ICMP). */
  clientSeq: number;
  serverSeq: number;
  ipId: number;
  /** Packets in the whole script. */
  readonly length: number;

  constructor(
    readonly script: FlowScript,
    readonly ends: FlowEnds,
    /** Request/response exchanges (TCP data, UDP, echo). */
    readonly exchanges: number,
    readonly variant: InvalidVariant,
    seeds: { readonly clientSeq: number; readonly serverSeq: number; readonly ipId: number },
  ) {
    this.clientSeq = seeds.clientSeq;
    this.serverSeq = seeds.serverSeq;
    this.ipId = seeds.ipId;
    this.length = scriptLength(script, exchanges);
  }

  get done(): boolean {
    return this.step >= this.length;
  }
}

function scriptLength(script: FlowScript, exchanges: number): number {
  switch (script) {
    case 'tcp':
      return 6 + 2 * exchanges;
    case 'udp':
    case 'echo':
      return 2 * exchanges;
    case 'unreachable':
      return 2;
    case 'invalid':
      return 1;
  }
}
