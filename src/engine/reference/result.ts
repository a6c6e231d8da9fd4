// What happened to one packet: its fate, the packets the host emitted because of it, and the
// connection it belonged to.

import type { DecidedBy } from '../verdict.js';
import type { TraceEvent } from './trace.js';

export type Fate =
  /** Handed to a local socket: a declared listener, a userland proxy, or the kernel itself (ICMP echo). */
  | { readonly kind: 'delivered'; readonly to: string }
  /** Sent out of an interface after the host's processing. */
  | { readonly kind: 'forwarded'; readonly oif: string }
  /** Dropped by a rule or policy (decidedBy), or by the stack itself (reason only). */
  | { readonly kind: 'dropped'; readonly reason: string; readonly decidedBy?: DecidedBy }
  /** Refused by a REJECT rule; the reply is among the emitted packets. */
  | { readonly kind: 'rejected'; readonly decidedBy: DecidedBy }
  /**
   * A fragment held for reassembly: its datagram is not complete yet (the fragment that completes
   * it carries the datagram's fate).
   */
  | { readonly kind: 'queued'; readonly reason: string }
  /** The bytes did not decode as an IP packet. */
  | { readonly kind: 'malformed'; readonly reason: string };

export interface EmittedPacket {
  readonly oif: string;
  /** The bridge port it left by, when `oif` is a bridge (from the bridge's forwarding database). */
  readonly port?: string;
  /** The IP datagram as it leaves (after NAT and mangling). */
  readonly bytes: Uint8Array;
  /** Why it left: 'forwarded', 'reject', 'local-reply', 'proxy', ... */
  readonly cause: string;
  /** The rule or policy that let it out of the last table that decided, when one did. */
  readonly decidedBy?: DecidedBy;
}

export interface PacketResult {
  readonly fate: Fate;
  readonly emitted: readonly EmittedPacket[];
  /** The packet's conntrack state as PREROUTING/OUTPUT saw it, and its entry (conntrack -L style). */
  readonly conntrack: { readonly state: string; readonly entry: string | null } | null;
  /** Present when tracing was asked for. */
  readonly trace?: readonly TraceEvent[];
}
