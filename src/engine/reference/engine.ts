// The reference engine: the Linux kernel's IPv4/IPv6 packet path through netfilter, in readable
// TypeScript. One call per received frame; time comes only from the frames' timestamps.
//
// Received:   ip_rcv -> PREROUTING (raw, conntrack, mangle, nat) -> routing decision  (ip-input.ts)
//   local:    -> INPUT (mangle, filter, security, nat, confirm) -> socket, or the kernel's answer
//             (RST, port/protocol unreachable, echo reply)         (local-deliver.ts, kernel-answers.ts)
//   forward:  -> TTL check (time exceeded) and decrement (ip_forward) -> FORWARD (mangle, filter,
//             security) -> POSTROUTING (mangle, nat, confirm) -> out of the interface
//                                                                  (ip-forward.ts, ip-output.ts)
//   no route: -> ip_error (destination unreachable when forwarding is on)  (ip-input.ts)
// Bridged:    a frame between two ports of a bridge (br_handle_frame): the bridge learns its
//             source MAC; with bridge-nf-call-iptables, PREROUTING (br_nf_pre_routing), then per
//             egress port FORWARD (br_nf_forward_ip) and POSTROUTING (br_nf_post_routing), with
//             -i/-o the bridge and physdev the ports; frames to the bridge's MAC go up to IP.
//                                                                  (bridge-path.ts, bridge.ts)
// Generated:  route -> OUTPUT (raw, conntrack, mangle, nat, filter, security), re-routed when NAT
//             or a mark changed it -> POSTROUTING -> out of the interface, or through lo back in
//             (PREROUTING without a second conntrack lookup, INPUT).  (local-out.ts)
// Trace packets on the interface `@local` (LOCAL_INTERFACE) are the host's own: they take the
// generated path, as if sent by a raw socket.
// Each hook's steps run in hook-runner.ts (tables: table-step.ts, NAT: nat-step.ts, with the
// contexts of contexts.ts); a packet's state on the way is its Journey (journey.ts).
//
// Fragments: conntrack's defragmentation (defrag.ts) holds them in PREROUTING and OUTPUT until
// their datagram is complete, when the ruleset makes the kernel register it (hook-plan.ts);
// otherwise ip_local_deliver reassembles what is addressed to the host and forwarded fragments
// pass one by one (reassembly.ts). On output a reassembled datagram leaves as fragments again
// (fragment-output.ts).
//
// Not modelled yet (recorded in the explanation where they would matter): ICMP redirects, the
// global ICMP rate limit (icmp_msgs_per_sec), DNAT of a bridged frame to a station on the same
// bridge, the replies of declared sockets beyond SYN-ACKs, and the fragment queues' memory limit
// (ipfrag_high_thresh) and ipfrag_max_dist.

import type { Host } from '../../host/index.js';
import type { Ruleset } from '../../ir/ruleset.js';
import { type ConnSnapshot, type ConntrackTable, snapshot } from '../conntrack/index.js';
import type { RuleCounters } from '../counters.js';
import { checkPacketTime } from '../packet-time.js';
import { createEngineState, type EngineState } from './engine-state.js';
import type { Frame } from './frame.js';
import { receiveFrame } from './ip-input.js';
import { runFragmentTimers } from './reassembly.js';
import type { PacketResult } from './result.js';
import type { TraceEvent } from './trace.js';

export { type Frame, LOCAL_INTERFACE } from './frame.js';
export { describeDecision } from './journey.js';

export interface ReferenceEngineOptions {
  /** Seed of the run's random choices (statistic, NAT ports, ICMP ids): same seed, same run. */
  readonly seed?: number;
}

export class ReferenceEngine {
  readonly counters: RuleCounters;
  readonly conntrack: ConntrackTable;
  private readonly state: EngineState;
  private processed = 0;

  constructor(
    readonly ruleset: Ruleset,
    readonly host: Host,
    options: ReferenceEngineOptions = {},
  ) {
    this.state = createEngineState(ruleset, host, options.seed ?? 1);
    this.counters = this.state.counters;
    this.conntrack = this.state.conntrack;
  }

  /**
   * Processes one received frame. `index` is its 1-based number in the trace, which its random
   * draws derive from (default: one more than the previous frame's).
   */
  process(frame: Frame, options: { readonly trace?: boolean; readonly index?: number } = {}): PacketResult {
    checkPacketTime(frame.timestampNs);
    this.processed = options.index ?? this.processed + 1;
    this.state.prng.beginPacket(this.processed);
    this.state.now = frame.timestampNs;
    const trace: TraceEvent[] | null = options.trace ? [] : null;
    // Timers that fired since the last packet: fragment queues that waited too long.
    const expired = runFragmentTimers(this.state, trace);
    const r = receiveFrame(this.state, frame, trace);
    return expired.length > 0 ? { ...r, emitted: [...expired, ...r.emitted] } : r;
  }

  /** The ruleset with every rule's and policy's counters as this run counted them. */
  rulesetWithCounters(): Ruleset {
    return this.counters.apply(this.ruleset);
  }

  /** The connection table, `conntrack -L` style, at the last packet's time. */
  connections(): ConnSnapshot[] {
    return snapshot(this.conntrack, this.state.now);
  }
}
