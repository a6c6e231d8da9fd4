// The contract for running one IR target kind on a packet. Targets may change the packet, its
// mark, its connection, set up NAT, or emit a reply; they answer CONTINUE or a verdict.

import type { Rule } from '../../ir/ruleset.js';
import type { Target } from '../../ir/target.js';
import type { ConnEntry, NatContext } from '../conntrack/index.js';
import type { TargetResult } from '../verdict.js';
import type { MatchContext } from './match-context.js';

export interface TargetContext extends MatchContext {
  /** The packet's connection entry, when it has one (CONNMARK, NAT, CT). */
  readonly connection: ConnEntry | null;
  /** Set during a nat-table walk for a connection's first packet: NAT targets set up here. */
  readonly nat: NatContext | null;
  /** Call after changing `packet.bytes` so `packet.decoded` follows. */
  packetChanged(): void;
  /** The source address MASQUERADE takes for the packet's output interface, if any. */
  masqueradeSource(): readonly number[] | null;
  /** The primary address of the input interface (REDIRECT), if any. */
  incomingAddress(): readonly number[] | null;
  /**
   * The source address of an ICMP error about this packet: undefined when the packet was
   * addressed to this host (the error comes from that address), else the address routing picks.
   */
  icmpErrorSource(): readonly number[] | undefined;
  /**
   * The path MTU TCPMSS --clamp-mss-to-pmtu uses: the smaller of the output route's MTU and the
   * MTU of the route back to the source (tcpmss_reverse_mtu).
   */
  pathMtu(): number;
  /** The TTL of what the host sends (ip4_dst_hoplimit: sysctl net.ipv4.ip_default_ttl). */
  readonly replyTtl: number;
  /** Sends a packet the host generates in answer (REJECT) down the local output path. */
  sendReply(bytes: Uint8Array, cause: string): void;
  /** Takes the packet out of connection tracking (NOTRACK, CT --notrack). */
  untrack(): void;
  /** Records a LOG/NFLOG/TRACE line for the explanation. */
  note(text: string): void;
}

export interface TargetExecutor<T extends Target = Target> {
  readonly kind: T['kind'];
  run(target: T, ctx: TargetContext, rule: Rule): TargetResult;
}

type ExtensionTarget = Exclude<Target, { kind: 'ACCEPT' | 'DROP' | 'RETURN' | 'QUEUE' | 'jump' | 'goto' }>;

export type TargetOfKind<
  K extends ExtensionTarget['kind'],
  T extends Target = ExtensionTarget,
> = T extends Target ? (K extends T['kind'] ? T : never) : never;

/** Every extension target kind must have an executor (standard verdicts live in the table walk). */
export type TargetExecutors = { readonly [K in ExtensionTarget['kind']]: TargetExecutor<TargetOfKind<K>> };
