// The reference engine: the Linux kernel's IPv4/IPv6 packet path through netfilter, in readable
// TypeScript. One call per received frame; time comes only from the frames' timestamps.
//
// Received:   ip_rcv -> PREROUTING (raw, conntrack, mangle, nat) -> routing decision
//   local:    -> INPUT (mangle, filter, security, nat, confirm) -> socket, or the kernel's answer
//             (RST, port/protocol unreachable, echo reply)
//   forward:  -> TTL check (time exceeded) and decrement (ip_forward) -> FORWARD (mangle, filter,
//             security) -> POSTROUTING (mangle, nat, confirm) -> out of the interface
//   no route: -> ip_error (destination unreachable when forwarding is on)
// Bridged:    a frame between two ports of a bridge (br_handle_frame): the bridge learns its
//             source MAC; with bridge-nf-call-iptables, PREROUTING (br_nf_pre_routing), then per
//             egress port FORWARD (br_nf_forward_ip) and POSTROUTING (br_nf_post_routing), with
//             -i/-o the bridge and physdev the ports; frames to the bridge's MAC go up to IP.
// Generated:  route -> OUTPUT (raw, conntrack, mangle, nat, filter, security), re-routed when NAT
//             or a mark changed it -> POSTROUTING -> out of the interface, or through lo back in
//             (PREROUTING without a second conntrack lookup, INPUT).
// Trace packets on the interface `@local` (LOCAL_INTERFACE) are the host's own: they take the
// generated path, as if sent by a raw socket.
//
// Fragments: conntrack's defragmentation (defrag.ts) holds them in PREROUTING and OUTPUT until
// their datagram is complete, when the ruleset makes the kernel register it (hook-plan.ts);
// otherwise ip_local_deliver reassembles what is addressed to the host and forwarded fragments
// pass one by one. On output a reassembled datagram leaves as fragments again (fragment-output.ts).
//
// Not modelled yet (recorded in the explanation where they would matter): ICMP redirects, the
// global ICMP rate limit (icmp_msgs_per_sec), DNAT of a bridged frame to a station on the same
// bridge, the replies of declared sockets beyond SYN-ACKs, and the fragment queues' memory limit
// (ipfrag_high_thresh) and ipfrag_max_dist.

import {
  findSocket,
  type Host,
  addressType as hostAddressType,
  type RouteErrno,
  type RouteResult,
  routeLookup,
  selectSourceAddress,
} from '../../host/index.js';
import { type Family, formatAddress } from '../../ir/address.js';
import type { Chain, Hook, Rule, Ruleset } from '../../ir/ruleset.js';
import type { Target } from '../../ir/target.js';
import { get8, get16, put16 } from '../../wire/bytes.js';
import { IP_DF, Ipv4View } from '../../wire/ipv4.js';
import {
  type DecodedPacket,
  decodePacket,
  formatPacketSummary,
  isDecodeError,
  type LinkType,
} from '../../wire/packet.js';
import {
  CONNTRACK_SYSCTLS,
  type ConnEntry,
  type ConnSnapshot,
  ConntrackTable,
  confirm,
  conntrackIn,
  ctState,
  formatTuple,
  type NatContext,
  natHook,
  settingsFromSysctls,
  snapshot,
  type TrackResult,
  Xoshiro128ss,
} from '../conntrack/index.js';
import { RuleCounters } from '../counters.js';
import type { DecidedBy, Verdict } from '../verdict.js';
import { BridgeFdb, macText } from './bridge.js';
import { ctPacketOf, transportChecksumValid } from './ct-packet.js';
import { ctView } from './ct-view.js';
import { type DefragUser, FragmentQueues, isIpv4Fragment } from './defrag.js';
import { ipFinishOutput, type OutputFragInfo, WHOLE } from './fragment-output.js';
import { type HookPlan, planHooks } from './hook-plan.js';
import { IcmpRateLimiter, icmpEchoReply4, icmpError4 } from './kernel-icmp.js';
import type { AddressType, CtView, HostView, MatchContext } from './match-context.js';
import { MATCH_EVALUATORS } from './matches/index.js';
import type { EnginePacket } from './packet.js';
import type { EmittedPacket, Fate, PacketResult } from './result.js';
import { applyIcmpErrorRewrite, applyRewrite } from './rewrite.js';
import { synAck } from './socket-replies.js';
import { walkTable } from './table-walk.js';
import type { TargetContext } from './target-executor.js';
import { TARGET_EXECUTORS } from './targets/index.js';
import type { TraceEvent } from './trace.js';

/**
 * The trace interface name of packets the host itself sends: the engine runs them down the
 * OUTPUT path (routed by their destination, no owning socket), as a raw socket's packets.
 */
export const LOCAL_INTERFACE = '@local';

export interface ReferenceEngineOptions {
  /** Seed of the run's random choices (statistic, NAT ports, ICMP ids): same seed, same run. */
  readonly seed?: number;
}

/** A frame as it arrives on an interface. */
export interface Frame {
  readonly bytes: Uint8Array;
  readonly linkType: LinkType;
  /** The interface it arrived on (the capture's if_name). */
  readonly iif: string;
  readonly timestampNs: bigint;
}

/** How a packet stands in one hook's processing. */
type HookOutcome = {
  readonly verdict: Verdict;
  readonly decidedBy?: DecidedBy;
  readonly reason?: string;
  /** NF_STOLEN: what became of the packet (a fragment held for reassembly, or dropped by it). */
  readonly fate?: Fate;
};

/** One packet's journey: its state, and what it caused. */
interface Journey {
  readonly packet: EnginePacket;
  track: TrackResult | null;
  /** NOTRACK/CT --notrack in raw: conntrack leaves it alone. */
  untracked: boolean;
  /** Already tied to a connection before conntrack runs (REJECT's RST: nf_ct_attach). */
  attached: boolean;
  /**
   * What let the packet through, for emitted packets' comments: the filter table's decision when
   * it met one, otherwise the last table's.
   */
  lastDecision: DecidedBy | undefined;
  filterDecision: DecidedBy | undefined;
  readonly trace: TraceEvent[] | null;
  readonly emitted: EmittedPacket[];
  /** Packets generated while processing this one (REJECT replies), sent after it. */
  readonly replies: { bytes: Uint8Array; cause: string; attach: TrackResult | null }[];
  /** The next hop of a routed packet (the gateway, else the destination): picks a bridge port. */
  nextHop: number | null;
  /**
   * One of several copies of a bridged frame (br_flood's clones) sharing its connection: a copy
   * dropped does not free a connection the others may still confirm.
   */
  clone: boolean;
  /** Its input route is broadcast or multicast: the kernel sends no RST or ICMP error about it. */
  castRoute: boolean;
  /** What ip_fragment needs to know: reassembled from fragments, and how (IPCB frag_max_size...). */
  frag: OutputFragInfo;
}

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const IGMP = 2;
const UDPLITE = 136;
/** Protocols the kernel delivers itself (inet_protos): others get protocol unreachable. */
const KERNEL_PROTOCOLS = new Set([ICMP, IGMP, TCP, UDP, UDPLITE]);
const ICMP_ECHO = 8;
const ICMP_DEST_UNREACH = 3;
const ICMP_TIME_EXCEEDED = 11;
const ICMP_FRAG_NEEDED = 4;
const ICMP_EXC_FRAGTIME = 1;

export class ReferenceEngine {
  readonly counters = new RuleCounters();
  readonly conntrack: ConntrackTable;
  private readonly plan: HookPlan;
  private readonly prng: Xoshiro128ss;
  private readonly ruleStates = new Map<Rule, Map<object, unknown>>();
  private readonly shared = new Map<string, unknown>();
  private readonly hostView: HostView;
  private readonly fdb = new BridgeFdb();
  private readonly icmpLimiter: IcmpRateLimiter;
  /** The namespace's fragment queues (net->ipv4.fqdir), shared by all defrag users. */
  private readonly fragments: FragmentQueues;
  private now = 0n;

  constructor(
    readonly ruleset: Ruleset,
    readonly host: Host,
    options: ReferenceEngineOptions = {},
  ) {
    this.plan = planHooks(ruleset);
    this.prng = new Xoshiro128ss(options.seed ?? 1);
    const sysctls: Record<string, number> = {};
    for (const name of Object.keys(CONNTRACK_SYSCTLS)) {
      const v = host.sysctl.get(`net.netfilter.${name}`);
      if (typeof v === 'number') sysctls[name] = v;
    }
    this.conntrack = new ConntrackTable({
      settings: settingsFromSysctls(sysctls),
      hashSeed: options.seed ?? 1,
    });
    this.icmpLimiter = new IcmpRateLimiter(
      host.sysctl.number('net.ipv4.icmp_ratelimit', 1000),
      host.sysctl.number('net.ipv4.icmp_ratemask', 6168),
    );
    // net.ipv4.ipfrag_time: seconds a fragment queue may wait for the rest of its datagram.
    this.fragments = new FragmentQueues(
      BigInt(host.sysctl.number('net.ipv4.ipfrag_time', 30)) * 1_000_000_000n,
    );
    this.hostView = {
      addressType: (family, addr, dev) =>
        hostAddressType(
          host,
          { family, words: addr },
          dev === undefined ? {} : { dev },
        ).toUpperCase() as AddressType,
      reversePathOk: () => true,
      interfaceGroup: () => 0,
    };
  }

  /** Processes one received frame. */
  process(frame: Frame, options: { readonly trace?: boolean } = {}): PacketResult {
    this.now = frame.timestampNs;
    const trace: TraceEvent[] | null = options.trace ? [] : null;
    // Timers that fired since the last packet: fragment queues that waited too long.
    const expired = this.runFragmentTimers(trace);
    const r = this.processFrame(frame, trace);
    return expired.length > 0 ? { ...r, emitted: [...expired, ...r.emitted] } : r;
  }

  private processFrame(frame: Frame, trace: TraceEvent[] | null): PacketResult {
    // A frame on a bridge port reaches the bridge first (br_handle_frame), which learns where
    // its sender is whatever it carries.
    const port = this.host.interface(frame.iif);
    const bridgeIf = port?.master !== undefined ? this.host.interface(port.master) : undefined;
    const bridge = bridgeIf?.kind === 'bridge' ? bridgeIf : undefined;
    const ethernet = frame.linkType === 'ethernet' && frame.bytes.length >= 14;
    if (bridge && ethernet) this.fdb.learn(bridge.name, frame.iif, frame.bytes.subarray(6, 12), this.now);
    const decoded = decodePacket(frame.bytes, frame.linkType);
    if (isDecodeError(decoded)) {
      trace?.push({ kind: 'malformed', reason: `${decoded.layer}: ${decoded.error}` });
      return {
        fate: { kind: 'malformed', reason: `${decoded.layer}: ${decoded.error}` },
        emitted: [],
        conntrack: null,
        ...(trace ? { trace } : {}),
      };
    }
    const start = decoded.l3Offset;
    const available = frame.bytes.length - start;
    if (decoded.ipLength > available) {
      const reason = `truncated: IP length ${decoded.ipLength}, ${available} bytes captured`;
      trace?.push({ kind: 'malformed', reason });
      return {
        fate: { kind: 'malformed', reason },
        emitted: [],
        conntrack: null,
        ...(trace ? { trace } : {}),
      };
    }
    // The datagram is copied: NAT and mangling rewrite it in place.
    const bytes = frame.bytes.slice(start, start + decoded.ipLength);
    const eth = decoded.ethernet;
    if (frame.iif === LOCAL_INTERFACE) return this.processLocal(bytes, decoded.family, trace);
    // Through a bridge, iptables sees the bridge as the interface and, when br_netfilter passes
    // the frame to it (bridge-nf-call-iptables), the port as physdev's.
    const callIptables = bridge !== undefined && this.bridgeCallsIptables();
    const packet: EnginePacket = {
      bytes,
      decoded: redecode(bytes, decoded.family),
      timestampNs: frame.timestampNs,
      iif: bridge ? bridge.name : frame.iif,
      oif: null,
      physIn: callIptables ? frame.iif : null,
      physOut: null,
      bridged: false,
      macSrc: eth ? frame.bytes.slice(eth.srcOffset, eth.srcOffset + 6) : null,
      macDst: eth ? frame.bytes.slice(eth.dstOffset, eth.dstOffset + 6) : null,
      mark: 0,
      socket: null,
    };
    const j = this.journey(packet, trace);
    trace?.push({ kind: 'received', iif: frame.iif, summary: formatPacketSummary(packet.decoded) });
    let fate: Fate;
    if (bridge && eth && packet.macDst && packet.macSrc) {
      if (packet.decoded.family === 'ipv4')
        this.fdb.sawAddress(bridge.name, packet.decoded.src[0]!, packet.macSrc);
      fate = this.bridgeInput(j, frame.iif, bridge.name, packet.macDst);
    } else fate = this.receive(j);
    this.flushReplies(j);
    return this.result(j, fate);
  }

  /**
   * A packet the host sends itself (trace interface `@local`), as a raw socket with
   * IP_HDRINCL sends it (raw_send_hdrinc): a zero source is filled in by the route, tot_len is
   * the datagram's length, a zero IP id gets the kernel's choice, and the header checksum is
   * computed afresh. It has no owning socket (the owner match sees none).
   */
  private processLocal(bytes: Uint8Array, family: Family, trace: TraceEvent[] | null): PacketResult {
    if (family === 'ipv6') {
      const reason = 'IPv6 output routing is not modelled yet';
      trace?.push({ kind: 'dropped', reason });
      return { fate: { kind: 'dropped', reason }, emitted: [], conntrack: null, ...(trace ? { trace } : {}) };
    }
    const ip = new Ipv4View(bytes, 0, bytes.length);
    if (ip.src === 0) {
      const r = routeLookup(this.host, ip.dst, {});
      if (r.ok && r.prefsrc) ip.src = r.prefsrc.words[0]!;
    }
    put16(bytes, 2, bytes.length);
    if (get16(bytes, 4) === 0) put16(bytes, 4, this.prng.nextU32() & 0xffff);
    ip.updateChecksum();
    return this.localOut(bytes, 'sent by the host', null, trace);
  }

  private bridgeCallsIptables(): boolean {
    return this.host.sysctl.number('net.bridge.bridge-nf-call-iptables') !== 0;
  }

  /** The ruleset with every rule's and policy's counters as this run counted them. */
  rulesetWithCounters(): Ruleset {
    return this.counters.apply(this.ruleset);
  }

  /** The connection table, `conntrack -L` style, at the last packet's time. */
  connections(): ConnSnapshot[] {
    return snapshot(this.conntrack, this.now);
  }

  private journey(packet: EnginePacket, trace: TraceEvent[] | null): Journey {
    return {
      packet,
      track: null,
      untracked: false,
      attached: false,
      lastDecision: undefined,
      filterDecision: undefined,
      trace,
      emitted: [],
      replies: [],
      nextHop: null,
      clone: false,
      castRoute: false,
      frag: WHOLE,
    };
  }

  private result(j: Journey, fate: Fate): PacketResult {
    const t = j.track;
    const conntrack = t
      ? {
          state: ctState(t),
          entry:
            t.kind === 'tracked'
              ? `${formatTuple(t.entry.tuple.original)} -> ${formatTuple(t.entry.tuple.reply)}`
              : null,
        }
      : j.untracked
        ? { state: 'UNTRACKED', entry: null }
        : null;
    return { fate, emitted: j.emitted, conntrack, ...(j.trace ? { trace: j.trace } : {}) };
  }

  // --- received packets -------------------------------------------------------------------------

  private receive(j: Journey): Fate {
    const p = j.packet;
    const d = p.decoded;
    if (d.family === 'ipv4' && d.ipChecksumValid === false) {
      return this.drop(j, 'bad IPv4 header checksum (ip_rcv_core drops it before netfilter)');
    }
    const pre = this.runHook(j, 'prerouting');
    if (pre.verdict !== 'ACCEPT') return this.verdictFate(j, pre);
    return this.routeInput(j);
  }

  /** ip_rcv_finish: the routing decision for a received packet, after PREROUTING. */
  private routeInput(j: Journey): Fate {
    const p = j.packet;
    if (p.decoded.family === 'ipv6') return this.drop(j, 'IPv6 routing is not modelled yet');
    const route = routeLookup(this.host, p.decoded.dst[0]!, { iif: p.iif!, src: p.decoded.src[0]! });
    if (!route.ok) {
      j.trace?.push({ kind: 'route', decision: `no route (${route.errno}: ${route.reason})` });
      this.routeError(j, route.errno);
      return this.drop(j, `routing: ${route.errno} (${route.reason})`);
    }
    j.trace?.push({ kind: 'route', decision: describeRoute(route) });
    if (route.type === 'local') return this.localIn(j);
    if (route.type === 'broadcast' || route.type === 'multicast') {
      // ip_local_deliver: INPUT sees it; no socket of nfwasm's takes it, and the kernel never
      // answers a broadcast or multicast (nf_send_reset, icmp_send: RTCF_BROADCAST|MULTICAST).
      j.castRoute = true;
      const held = this.localDeliverDefrag(j);
      if (held) return this.verdictFate(j, held);
      const input = this.runHook(j, 'input');
      if (input.verdict !== 'ACCEPT') return this.verdictFate(j, input);
      return this.drop(j, `${route.type} to this host: no socket modelled`);
    }
    return this.forward(j, route);
  }

  /**
   * ip_error: a received packet without a route. With forwarding on, the kernel answers
   * destination unreachable (no route: net unreachable; an unreachable route: host
   * unreachable; prohibit: communication prohibited), limited by its own token bucket per
   * sender (ip_rt_error_cost, ip_rt_error_burst) on top of ICMP's.
   */
  private routeError(j: Journey, errno: RouteErrno): void {
    if (this.host.sysctl.number('net.ipv4.ip_forward') === 0) return;
    const code = errno === 'ENETUNREACH' ? 0 : errno === 'EHOSTUNREACH' ? 1 : errno === 'EACCES' ? 13 : -1;
    if (code < 0) return;
    if (!this.icmpLimiter.allowRouteError(j.packet.decoded.src[0]!, this.now)) {
      j.trace?.push({ kind: 'note', text: 'ip_error: destination unreachable not sent (rate limit)' });
      return;
    }
    this.icmpSend(j, ICMP_DEST_UNREACH, code, `ip_error: destination unreachable code ${code}`);
  }

  /**
   * __icmp_send for an error the stack itself raises about the packet. The source is the
   * packet's destination when that was a local address; otherwise the route back picks it
   * (or, with icmp_errors_use_inbound_ifaddr, the incoming interface's address).
   */
  private icmpSend(j: Journey, type: number, code: number, cause: string, info = 0): void {
    const p = j.packet;
    const dst = p.decoded.dst[0]!;
    const src = p.decoded.src[0]!;
    const localDst = hostAddressType(this.host, { family: 'ipv4', words: [dst] }) === 'local';
    let saddr: number | undefined = localDst ? dst : undefined;
    if (!localDst && p.iif && this.host.sysctl.number('net.ipv4.icmp_errors_use_inbound_ifaddr') !== 0)
      saddr = selectSourceAddress(this.host, p.iif, src)?.words[0];
    const back = routeLookup(this.host, src, saddr !== undefined ? { src: saddr } : {});
    if (!back.ok) {
      j.trace?.push({ kind: 'note', text: `${cause}: not sent (no route back: ${back.errno})` });
      return;
    }
    saddr ??= back.prefsrc?.words[0];
    if (saddr === undefined) return;
    const viaLoopback = this.host.interface(back.oif)?.kind === 'loopback';
    if (!this.icmpLimiter.allow(src, type, code, viaLoopback, this.now)) {
      j.trace?.push({ kind: 'note', text: `${cause}: not sent (icmp_ratelimit)` });
      return;
    }
    const r = icmpError4(p.bytes, type, code, {
      src: saddr,
      id: this.prng.nextU32() & 0xffff,
      mtu: this.host.interface(back.oif)?.mtu ?? 1500,
      ttl: this.host.sysctl.number('net.ipv4.ip_default_ttl', 64),
      info,
    });
    // icmp_glue_bits: an error is tied to the offending packet's connection (nf_ct_attach).
    const attach = j.track?.kind === 'tracked' ? replyTrack(j.track) : null;
    if ('none' in r) j.trace?.push({ kind: 'note', text: `${cause}: not sent (${r.none})` });
    else j.replies.push({ bytes: r.packet, cause, attach });
  }

  private localIn(j: Journey): Fate {
    const held = this.localDeliverDefrag(j);
    if (held) return this.verdictFate(j, held);
    const input = this.runHook(j, 'input');
    if (input.verdict !== 'ACCEPT') return this.verdictFate(j, input);
    return this.deliver(j);
  }

  /** ip_local_deliver_finish: a socket takes it, or the kernel answers for a closed port. */
  private deliver(j: Journey): Fate {
    const d = j.packet.decoded;
    const addr = { family: d.family, words: d.dst };
    if (d.protocol === TCP || d.protocol === UDP) {
      const port = d.dstPort ?? 0;
      const proto = d.protocol === TCP ? 'tcp' : 'udp';
      const proxy = findSocket(this.host.proxies, proto, addr, port);
      const listener = findSocket(this.host.listeners, proto, addr, port);
      const sock = listener ?? proxy;
      if (sock) {
        const to = proxy && sock === proxy ? `proxy ${proto}/${port}` : `listener ${proto}/${port}`;
        j.trace?.push({ kind: 'delivered', to });
        // A listening socket answers a SYN with its SYN-ACK (the handshake goes on in the trace).
        if (d.protocol === TCP && d.family === 'ipv4' && ((d.tcpFlags ?? 0) & 0x17) === 0x02) {
          const mtu = this.host.interface(j.packet.iif ?? '')?.mtu ?? 1500;
          j.replies.push({
            bytes: synAck(j.packet.bytes, d, mtu, () => this.prng.nextU32()),
            cause: `${to} SYN-ACK`,
            attach: null,
          });
        }
        return { kind: 'delivered', to };
      }
      if (d.protocol === TCP) {
        // tcp_v4_send_reset: nothing listens; no RST answers a RST.
        if ((d.tcpFlags ?? 0) & 0x04) return this.drop(j, 'RST to a closed TCP port');
        this.answerClosedPort(j, 'tcp');
        return { kind: 'delivered', to: 'kernel (closed TCP port: RST)' };
      }
      this.answerClosedPort(j, 'udp');
      return { kind: 'delivered', to: 'kernel (closed UDP port: port unreachable)' };
    }
    if (d.family === 'ipv4' && d.protocol === ICMP && d.icmpType === ICMP_ECHO) return this.echo(j);
    if (d.family === 'ipv4' && !KERNEL_PROTOCOLS.has(d.protocol)) {
      // ip_protocol_deliver_rcu: no handler and no raw socket for the protocol.
      j.trace?.push({ kind: 'delivered', to: `kernel (protocol ${d.protocol}: protocol unreachable)` });
      this.icmpSend(j, ICMP_DEST_UNREACH, 2, 'protocol unreachable');
      return { kind: 'delivered', to: `kernel (protocol ${d.protocol}: protocol unreachable)` };
    }
    j.trace?.push({ kind: 'delivered', to: `kernel (protocol ${d.protocol})` });
    return { kind: 'delivered', to: `kernel (protocol ${d.protocol})` };
  }

  /**
   * icmp_rcv → icmp_echo: a ping to a local address is answered (icmp_reply) unless
   * icmp_echo_ignore_all; a bad ICMP checksum drops it first. The reply goes down the output
   * path from the address the request was sent to.
   */
  private echo(j: Journey): Fate {
    const p = j.packet;
    if (!transportChecksumValid(p.bytes, p.decoded)) return this.drop(j, 'bad ICMP checksum (icmp_rcv)');
    if (this.host.sysctl.number('net.ipv4.icmp_echo_ignore_all') !== 0) {
      j.trace?.push({ kind: 'delivered', to: 'kernel (ICMP echo ignored: icmp_echo_ignore_all)' });
      return { kind: 'delivered', to: 'kernel (ICMP echo ignored)' };
    }
    j.trace?.push({ kind: 'delivered', to: 'kernel (ICMP echo: reply)' });
    j.replies.push({
      bytes: icmpEchoReply4(p.bytes, {
        id: this.prng.nextU32() & 0xffff,
        ttl: this.host.sysctl.number('net.ipv4.ip_default_ttl', 64),
      }),
      cause: 'ICMP echo reply',
      attach: null,
    });
    return { kind: 'delivered', to: 'kernel (ICMP echo: reply)' };
  }

  /** The kernel's own answer to a closed port: TCP RST or ICMP port unreachable. */
  private answerClosedPort(j: Journey, proto: 'tcp' | 'udp'): void {
    const reject = TARGET_EXECUTORS.REJECT;
    const reply =
      proto === 'tcp' ? ({ kind: 'tcp-reset' } as const) : ({ kind: 'icmp', type: 3, code: 3 } as const);
    const target = { kind: 'REJECT', reply } as const;
    const ctx = this.targetContext(j, 'input', 'filter', null);
    const before = j.replies.length;
    // The kernel's own answer is built like REJECT's; no rule is involved (the executor reads none).
    reject.run(target, ctx, undefined as unknown as Rule);
    for (let i = before; i < j.replies.length; i++) {
      const r = j.replies[i]!;
      // tcp_v4_send_reset's RST is not tied to the connection (unlike nf_send_reset's): conntrack
      // looks it up in OUTPUT, and a RST before any reply ends the connection.
      j.replies[i] =
        proto === 'tcp'
          ? { ...r, attach: null, cause: 'kernel RST: nothing listens on the port' }
          : { ...r, cause: 'kernel: port unreachable, nothing listens' };
    }
  }

  private forward(j: Journey, route: Extract<RouteResult, { ok: true }>): Fate {
    const p = j.packet;
    if (this.host.sysctl.number('net.ipv4.ip_forward') === 0) {
      return this.drop(j, 'forwarding is off (net.ipv4.ip_forward = 0)');
    }
    // ip_forward: the TTL is checked and decremented before the FORWARD hook.
    if (p.decoded.ttl <= 1) {
      this.icmpSend(j, ICMP_TIME_EXCEEDED, 0, 'ip_forward: time exceeded');
      return this.drop(j, 'TTL exceeded (ip_forward)');
    }
    // ip_exceeds_mtu: DF and too big for the way out (a reassembled datagram: when a fragment was).
    const mtu = this.host.interface(route.oif)?.mtu ?? 1500;
    if (exceedsMtu(p.bytes, mtu, j.frag)) {
      this.icmpSend(j, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 'ip_forward: fragmentation needed', mtu);
      return this.drop(
        j,
        `fragmentation needed: ${p.bytes.length} bytes with DF, ${route.oif}'s MTU is ${mtu} (ip_forward)`,
      );
    }
    const ip = new Ipv4View(p.bytes, 0, p.bytes.length);
    ip.decreaseTtl();
    this.packetChanged(j);
    p.oif = route.oif;
    j.nextHop = route.gateway?.words[0] ?? p.decoded.dst[0]!;
    const fwd = this.runHook(j, 'forward');
    if (fwd.verdict !== 'ACCEPT') return this.verdictFate(j, fwd);
    return this.postRouting(j, 'forwarded');
  }

  private postRouting(j: Journey, cause: string): Fate {
    const p = j.packet;
    const post = this.runHook(j, 'postrouting');
    if (post.verdict !== 'ACCEPT') return this.verdictFate(j, post);
    const oif = p.oif!;
    const decidedBy = j.filterDecision ?? j.lastDecision;
    // A bridged packet leaves by its port; a routed one onto a bridge by the port the bridge's
    // forwarding database knows for the next hop's MAC, or by every port (br_dev_xmit → br_flood).
    const ports = p.bridged ? [p.physOut!] : this.bridgeEgress(oif, j.nextHop ?? p.decoded.dst[0]!);
    const pieces = this.finishOutput(j, p.bridged ? p.physOut! : oif);
    if (!pieces) return this.drop(j, `fragmentation needed: ${p.bytes.length} bytes with DF (ip_fragment)`);
    for (const port of ports ?? [undefined])
      for (const bytes of pieces)
        j.emitted.push({
          oif,
          ...(port ? { port } : {}),
          bytes,
          cause,
          ...(decidedBy ? { decidedBy } : {}),
        });
    j.trace?.push({
      kind: 'emitted',
      oif:
        ports && ports.length === 1
          ? `${oif} (port ${ports[0]})`
          : ports
            ? `${oif} (flooded to ${ports.join(', ')})`
            : oif,
      summary: formatPacketSummary(p.decoded),
    });
    return { kind: 'forwarded', oif };
  }

  // --- bridges --------------------------------------------------------------------------------

  /** A bridge's ports in the order br_flood visits them: br_add_if puts each new port first. */
  private bridgePorts(bridge: string): string[] {
    return this.host.interfaces
      .filter((i) => i.master === bridge)
      .map((i) => i.name)
      .reverse();
  }

  /** The ports a routed packet out of `oif` leaves by, or undefined when `oif` is no bridge. */
  private bridgeEgress(oif: string, nextHop: number): string[] | undefined {
    if (this.host.interface(oif)?.kind !== 'bridge') return undefined;
    const mac = this.neighbourMac(oif, nextHop);
    const port = mac ? this.fdb.port(oif, mac, this.now) : undefined;
    return port ? [port] : this.bridgePorts(oif);
  }

  /**
   * br_handle_frame_finish with br_netfilter: a frame for the bridge itself (its MAC or a
   * port's) goes up to IP; a unicast frame to a known station is forwarded to its port (and
   * dropped when that is the port it came from); unknown unicast, broadcast and multicast are
   * flooded to every other port, broadcast and multicast also going up. With
   * bridge-nf-call-iptables, PREROUTING runs once for the frame (br_nf_pre_routing, -i the
   * bridge, physdev-in the port) and FORWARD and POSTROUTING once per copy (br_nf_forward_ip,
   * br_nf_post_routing: -i/-o the bridge, physdev-out the copy's port); without it iptables sees
   * only what goes up to IP.
   */
  private bridgeInput(j: Journey, port: string, bridge: string, macDst: Uint8Array): Fate {
    const dst = macText(macDst);
    const own = [bridge, ...this.bridgePorts(bridge)].some(
      (n) => this.host.interface(n)?.mac?.toLowerCase() === dst,
    );
    if (!this.bridgeCallsIptables())
      return own ? this.receive(j) : this.bridgeFrame(j, port, bridge, dst, false);
    const p = j.packet;
    if (p.decoded.family === 'ipv4' && p.decoded.ipChecksumValid === false)
      return this.drop(j, 'bad IPv4 header checksum (br_validate_ipv4)');
    const before = p.decoded.dst[0];
    const pre = this.runHook(j, 'prerouting');
    if (pre.verdict !== 'ACCEPT') return this.verdictFate(j, pre);
    if (p.decoded.family === 'ipv4' && p.decoded.dst[0] !== before) {
      // br_nf_pre_routing_finish: after DNAT the frame is routed, unless the new destination is
      // reached through this same bridge: then it is bridged on (bridged_dnat) to the
      // neighbour's MAC (br_nf_pre_routing_finish_bridge), never routed.
      const route = routeLookup(this.host, p.decoded.dst[0]!, { iif: bridge, src: p.decoded.src[0]! });
      if (route.ok && route.oif === bridge && route.type === 'unicast') {
        const hop = route.gateway?.words[0] ?? p.decoded.dst[0]!;
        const mac = this.neighbourMac(bridge, hop);
        if (!mac) return this.drop(j, `bridged DNAT: no neighbour entry for ${formatAddress('ipv4', [hop])}`);
        j.trace?.push({ kind: 'note', text: `bridged DNAT: the frame stays on ${bridge}, to ${mac}` });
        return this.bridgeFrame(j, port, bridge, mac, true);
      }
      return this.routeInput(j);
    }
    // Up to IP: PREROUTING has run (ip_sabotage_in skips the second pass in ip_rcv).
    if (own) return this.routeInput(j);
    return this.bridgeFrame(j, port, bridge, dst, true);
  }

  /** The MAC the host would send to for `ipv4` on the bridge (as heard from it, else `ip neigh`). */
  private neighbourMac(bridge: string, ipv4: number): string | undefined {
    return (
      this.fdb.macOf(bridge, ipv4) ??
      this.host.neighbours.find((n) => n.dev === bridge && n.address.words[0] === ipv4)?.mac?.toLowerCase() ??
      undefined
    );
  }

  /** br_handle_frame_finish's forwarding part for a frame to `dst` (a MAC) that came in on `port`. */
  private bridgeFrame(j: Journey, port: string, bridge: string, dst: string, callIptables: boolean): Fate {
    const group = (Number.parseInt(dst.slice(0, 2), 16) & 1) !== 0;
    const known = group ? undefined : this.fdb.port(bridge, dst, this.now);
    const egress = known
      ? known === port
        ? []
        : [known]
      : this.bridgePorts(bridge).filter((n) => n !== port);
    if (egress.length === 0 && !group)
      return this.drop(j, `bridge ${bridge}: the destination is on the ingress port (no hairpin mode)`);
    j.trace?.push({
      kind: 'route',
      decision: `bridged by ${bridge} to ${egress.join(', ')}${known ? '' : ' (flooded)'}`,
    });
    let fate: Fate = { kind: 'dropped', reason: 'no copy left the bridge' };
    let forwarded = false;
    for (const out of egress) {
      const copy = this.bridgedCopy(j, bridge, out);
      const f = callIptables ? this.bridgeForward(copy) : this.bridgeOut(copy);
      if (f.kind === 'forwarded') forwarded = true;
      if (!forwarded) fate = f;
    }
    if (forwarded) fate = { kind: 'forwarded', oif: bridge };
    // Broadcast and multicast frames also go up to the host (br_pass_frame_up).
    if (group) {
      const up = callIptables ? this.routeInput(j) : this.receive(j);
      if (!forwarded) fate = up;
    } else this.releaseIfUnconfirmed(j); // the last clone gone, an unconfirmed connection is too
    return fate;
  }

  /** One copy of a bridged frame for one egress port (br_flood clones the skb). */
  private bridgedCopy(j: Journey, bridge: string, port: string): Journey {
    const bytes = j.packet.bytes.slice();
    const packet: EnginePacket = {
      ...j.packet,
      bytes,
      decoded: redecode(bytes, j.packet.decoded.family),
      oif: bridge,
      physOut: port,
      bridged: true,
    };
    return { ...j, packet, clone: true };
  }

  /** br_nf_forward_ip → FORWARD, then br_nf_post_routing → POSTROUTING; no TTL change. */
  private bridgeForward(j: Journey): Fate {
    const fwd = this.runHook(j, 'forward');
    if (fwd.verdict !== 'ACCEPT') return this.verdictFate(j, fwd);
    return this.postRouting(j, 'bridged');
  }

  /** Without bridge-nf-call-iptables the copy just leaves by its port. */
  private bridgeOut(j: Journey): Fate {
    const p = j.packet;
    j.emitted.push({ oif: p.oif!, port: p.physOut!, bytes: p.bytes, cause: 'bridged' });
    j.trace?.push({
      kind: 'emitted',
      oif: `${p.oif} (port ${p.physOut})`,
      summary: formatPacketSummary(p.decoded),
    });
    return { kind: 'forwarded', oif: p.oif! };
  }

  // --- locally generated packets ------------------------------------------------------------------

  /** Sends the replies generated while processing a packet, each down the local output path. */
  private flushReplies(j: Journey): void {
    while (j.replies.length > 0) {
      const r = j.replies.shift()!;
      const out = this.localOut(r.bytes, r.cause, r.attach, j.trace);
      j.emitted.push(...out.emitted);
    }
  }

  private localOut(
    bytes: Uint8Array,
    cause: string,
    attach: TrackResult | null,
    trace: TraceEvent[] | null,
  ): PacketResult {
    const family: Family = get8(bytes, 0) >>> 4 === 6 ? 'ipv6' : 'ipv4';
    const packet: EnginePacket = {
      bytes,
      decoded: redecode(bytes, family),
      timestampNs: this.now,
      iif: null,
      oif: null,
      physIn: null,
      physOut: null,
      bridged: false,
      macSrc: null,
      macDst: null,
      mark: 0,
      socket: null,
    };
    const j = this.journey(packet, trace);
    if (attach) {
      j.track = attach;
      j.attached = true;
    }
    trace?.push({ kind: 'generated', why: cause, summary: formatPacketSummary(packet.decoded) });
    const fate = this.sendLocal(j, cause);
    this.flushReplies(j);
    return this.result(j, fate);
  }

  private sendLocal(j: Journey, cause: string): Fate {
    const p = j.packet;
    if (p.decoded.family === 'ipv6') return this.drop(j, 'IPv6 output routing is not modelled yet');
    // The source steers the lookup only when it is the host's (a raw socket's spoofed source
    // does not: its flow has no source address).
    const src = p.decoded.src[0]!;
    const ownSource = hostAddressType(this.host, { family: 'ipv4', words: [src] }) === 'local';
    let route = routeLookup(this.host, p.decoded.dst[0]!, ownSource ? { src } : {});
    if (!route.ok) return this.drop(j, `output routing: ${route.errno} (${route.reason})`);
    p.oif = route.oif;
    j.nextHop = route.gateway?.words[0] ?? p.decoded.dst[0]!;
    const before = { dst: p.decoded.dst[0], mark: p.mark };
    const out = this.runHook(j, 'output');
    if (out.verdict !== 'ACCEPT') return this.verdictFate(j, out);
    // ip_route_me_harder: a new destination or mark means a new route.
    if (p.decoded.dst[0] !== before.dst || p.mark !== before.mark) {
      const own = hostAddressType(this.host, { family: 'ipv4', words: [p.decoded.src[0]!] }) === 'local';
      route = routeLookup(
        this.host,
        p.decoded.dst[0]!,
        own ? { src: p.decoded.src[0]!, mark: p.mark } : { mark: p.mark },
      );
      if (!route.ok) return this.drop(j, `re-routing after OUTPUT: ${route.errno}`);
      p.oif = route.oif;
      j.nextHop = route.gateway?.words[0] ?? p.decoded.dst[0]!;
      j.trace?.push({ kind: 'route', decision: `re-routed: ${describeRoute(route)}` });
    }
    if (route.type === 'local') return this.loopback(j);
    return this.postRouting(j, cause);
  }

  /**
   * A packet for a local address leaves by lo (POSTROUTING, confirmation) and comes straight
   * back in (loopback_xmit → netif_rx → ip_rcv): PREROUTING's tables run, but conntrack keeps
   * the connection the packet already has (nf_conntrack_in skips it) and NAT applies the
   * bindings OUTPUT and POSTROUTING set up; then routing, INPUT and local delivery.
   */
  private loopback(j: Journey): Fate {
    const p = j.packet;
    const post = this.runHook(j, 'postrouting');
    if (post.verdict !== 'ACCEPT') return this.verdictFate(j, post);
    j.trace?.push({ kind: 'route', decision: 'looped back through lo' });
    p.iif = 'lo';
    p.oif = null;
    j.attached = j.track !== null;
    j.lastDecision = undefined;
    j.filterDecision = undefined;
    // The packet keeps its output route (ip_rcv_finish looks up no input route for it). A
    // reassembled datagram would leave lo in fragments and be reassembled again by PREROUTING's
    // defrag before any table: the tables see it whole either way.
    const pre = this.runHook(j, 'prerouting');
    if (pre.verdict !== 'ACCEPT') return this.verdictFate(j, pre);
    return this.localIn(j);
  }

  // --- hooks ----------------------------------------------------------------------------------

  private runHook(j: Journey, hook: Hook): HookOutcome {
    for (const step of this.plan[hook]) {
      if (step.kind === 'defrag') {
        const held = this.conntrackDefrag(j, hook);
        if (held) return held;
        continue;
      }
      if (step.kind === 'conntrack') {
        this.conntrackIn(j, hook);
        if (j.track?.kind === 'drop') return { verdict: 'DROP', reason: `conntrack: ${j.track.reason}` };
        continue;
      }
      if (step.kind === 'confirm') {
        const t = j.track;
        if (t?.kind === 'tracked') {
          const r = confirm(this.conntrack, t, this.now);
          if (r && r.verdict === 'DROP') return { verdict: 'DROP', reason: `conntrack confirm: ${r.reason}` };
          if (r && r.entry !== t.entry) j.track = { ...t, entry: r.entry };
        }
        continue;
      }
      j.trace?.push({ kind: 'hook', hook, table: step.table.name });
      const outcome =
        step.table.name === 'nat'
          ? this.natStep(j, hook, step.chain)
          : this.tableStep(j, hook, step.chain, null);
      if (outcome.verdict !== 'ACCEPT') {
        this.releaseIfUnconfirmed(j);
        return outcome;
      }
    }
    return { verdict: 'ACCEPT' };
  }

  private conntrackIn(j: Journey, hook: Hook): void {
    if (j.attached) return;
    if (j.untracked) {
      j.track = { kind: 'untracked' };
      j.trace?.push({
        kind: 'conntrack',
        hook,
        state: 'UNTRACKED',
        direction: 'original',
        entry: null,
        note: 'NOTRACK in raw',
      });
      return;
    }
    const p = j.packet;
    const pkt = ctPacketOf(p.bytes, p.decoded, hook, this.conntrack.settings.checksum);
    const track = conntrackIn(this.conntrack, pkt, this.now, hook);
    j.track = track;
    if (j.trace) {
      const entry = track.kind === 'tracked' ? formatTuple(track.entry.tuple.original) : null;
      const note = track.kind === 'invalid' || track.kind === 'drop' ? track.reason : undefined;
      j.trace.push({
        kind: 'conntrack',
        hook,
        state: track.kind === 'drop' ? 'DROP' : ctState(track),
        direction: track.kind === 'tracked' ? track.direction : 'original',
        entry,
        ...(note ? { note } : {}),
      });
    }
  }

  /** A new connection whose first packet is dropped never enters the table. */
  private releaseIfUnconfirmed(j: Journey): void {
    if (j.clone) return;
    const t = j.track;
    if (t?.kind === 'tracked' && !t.entry.confirmed) this.conntrack.release(t.entry);
  }

  private tableStep(j: Journey, hook: Hook, chain: Chain, nat: NatContext | null): HookOutcome {
    const p = j.packet;
    const table = this.ruleset.tables.find((t) => t.chains.includes(chain))!;
    const mctx = this.matchContext(j, hook, table.name);
    const tctx = this.targetContext(j, hook, table.name, nat);
    const r = walkTable(table, chain, p.decoded.ipLength, {
      match: (m, rule) => {
        const evaluator = MATCH_EVALUATORS[m.kind] as {
          test(m: unknown, c: MatchContext, r: Rule): boolean | 'hotdrop';
        };
        return evaluator.test(m, mctx, rule);
      },
      target: (t, rule) => {
        const ex = TARGET_EXECUTORS[t.kind as keyof typeof TARGET_EXECUTORS] as {
          run(t: Target, c: TargetContext, r: Rule): ReturnType<(typeof TARGET_EXECUTORS)['MARK']['run']>;
        };
        return ex.run(t, tctx, rule);
      },
      // ipt_do_table counts skb->len as it is when the rule matches: after a TCPMSS earlier in
      // the walk, the longer packet.
      count: (what) => this.counters.add(what, p.decoded.ipLength),
      ...(j.trace
        ? { trace: (event) => j.trace!.push({ kind: 'walk', hook, table: table.name, event }) }
        : {}),
    });
    j.lastDecision = r.decidedBy;
    if (table.name === 'filter') j.filterDecision = r.decidedBy;
    return { verdict: r.verdict === 'QUEUE' ? 'DROP' : r.verdict, decidedBy: r.decidedBy };
  }

  /** nf_nat_ipv4_fn: the nat table for a connection's first packet, then its bindings for every packet. */
  private natStep(j: Journey, hook: Hook, chain: Chain): HookOutcome {
    const p = j.packet;
    const track = j.track;
    if (track?.kind !== 'tracked') {
      j.trace?.push({
        kind: 'nat-skipped',
        hook,
        why: track?.kind === 'untracked' ? 'untracked' : 'no connection (INVALID)',
      });
      return { verdict: 'ACCEPT' };
    }
    let walked: HookOutcome | null = null;
    const before = formatPacketSummary(p.decoded);
    const r = natHook(
      this.conntrack,
      track,
      {
        family: p.decoded.family,
        protocol: p.decoded.protocol,
        ...(p.decoded.icmpType !== null ? { icmpType: p.decoded.icmpType } : {}),
      },
      hook,
      this.now,
      this.prng,
      (ctx) => {
        walked = this.tableStep(j, hook, chain, ctx);
        return walked.verdict === 'DROP' ? 'DROP' : 'ACCEPT';
      },
    );
    if (!walked)
      j.trace?.push({
        kind: 'nat-skipped',
        hook,
        why: "not the first packet: the connection's NAT bindings apply",
      });
    if (r.verdict === 'DROP') {
      const w = walked as HookOutcome | null;
      return w?.verdict === 'DROP' ? w : { verdict: 'DROP', reason: `nat: ${r.reason}` };
    }
    let ok = true;
    if (r.rewrite) ok = applyRewrite(p.bytes, 0, p.bytes.length, p.decoded, r.rewrite);
    else if (r.icmpError) ok = applyIcmpErrorRewrite(p.bytes, p.decoded, r.icmpError);
    if (!ok) return { verdict: 'DROP', reason: 'nat: the packet is too short to rewrite' };
    if (r.rewrite || r.icmpError) {
      this.packetChanged(j);
      const after = formatPacketSummary(p.decoded);
      if (after !== before) j.trace?.push({ kind: 'rewrite', what: `NAT (${hook})`, before, after });
    }
    return { verdict: 'ACCEPT' };
  }

  // --- contexts for matches and targets --------------------------------------------------------

  private matchContext(j: Journey, hook: Hook, table: Ruleset['tables'][number]['name']): MatchContext {
    const engine = this;
    return {
      family: j.packet.decoded.family,
      hook,
      table,
      packet: j.packet,
      get ct(): CtView {
        return engine.ctViewOf(j, hook);
      },
      host: this.hostView,
      now: this.now,
      random: () => this.prng.nextU32(),
      ruleState: <T>(rule: Rule, key: object, init: () => T): T => {
        let m = this.ruleStates.get(rule);
        if (!m) {
          m = new Map();
          this.ruleStates.set(rule, m);
        }
        if (!m.has(key)) m.set(key, init());
        return m.get(key) as T;
      },
      sharedState: <T>(ns: string, name: string, init: () => T): T => {
        const k = `${ns}\0${name}`;
        if (!this.shared.has(k)) this.shared.set(k, init());
        return this.shared.get(k) as T;
      },
    };
  }

  private targetContext(
    j: Journey,
    hook: Hook,
    table: Ruleset['tables'][number]['name'],
    nat: NatContext | null,
  ): TargetContext {
    const base = this.matchContext(j, hook, table);
    const p = j.packet;
    const engine = this;
    return Object.assign(Object.create(Object.getPrototypeOf(base) as object) as TargetContext, base, {
      get ct(): CtView {
        return engine.ctViewOf(j, hook);
      },
      get connection(): ConnEntry | null {
        return j.track?.kind === 'tracked' ? j.track.entry : null;
      },
      nat,
      packetChanged: () => this.packetChanged(j),
      masqueradeSource: () => {
        if (!p.oif) return null;
        const a = selectSourceAddress(this.host, p.oif, p.decoded.dst[0]);
        return a ? a.words : null;
      },
      incomingAddress: () => {
        if (!p.iif) return null;
        const a = selectSourceAddress(this.host, p.iif, p.decoded.src[0]);
        return a ? a.words : null;
      },
      icmpErrorSource: () => {
        const dst = p.decoded.dst;
        if (hostAddressType(this.host, { family: p.decoded.family, words: dst }) === 'local')
          return undefined;
        const back = routeLookup(this.host, p.decoded.src[0]!, {});
        return back.ok && back.prefsrc ? back.prefsrc.words : undefined;
      },
      pathMtu: () => {
        const mtuOf = (dev: string | null | undefined) => (dev ? (this.host.interface(dev)?.mtu ?? 0) : 0);
        const back = routeLookup(this.host, p.decoded.src[0]!, {});
        const out = mtuOf(p.oif);
        const rev = back.ok ? mtuOf(back.oif) : 0xffffffff;
        return Math.min(out || 0xffffffff, rev || 0xffffffff);
      },
      sendReply: (bytes: Uint8Array, cause: string) => {
        if (j.castRoute) {
          j.trace?.push({ kind: 'note', text: `${cause}: not sent (broadcast or multicast route)` });
          return;
        }
        // REJECT's ICMP errors go through icmp_send, and its rate limit (icmpv4_xrlim_allow).
        if (bytes[0]! >>> 4 === 4 && bytes[9] === ICMP) {
          const dst = ((bytes[16]! << 24) | (bytes[17]! << 16) | (bytes[18]! << 8) | bytes[19]!) >>> 0;
          const back = routeLookup(this.host, dst, {});
          const viaLoopback = back.ok && this.host.interface(back.oif)?.kind === 'loopback';
          if (!this.icmpLimiter.allow(dst, bytes[20]!, bytes[21]!, viaLoopback, this.now)) {
            j.trace?.push({ kind: 'note', text: `${cause}: not sent (icmp_ratelimit)` });
            return;
          }
        }
        // nf_send_reset ties the RST to the original connection (nf_ct_attach), and so does
        // icmp_send an ICMP error (icmp_glue_bits).
        const attach = j.track?.kind === 'tracked' ? replyTrack(j.track) : null;
        j.replies.push({ bytes, cause, attach });
      },
      untrack: () => {
        j.untracked = true;
      },
      note: (text: string) => j.trace?.push({ kind: 'note', text }),
    });
  }

  // --- fragments -----------------------------------------------------------------------------

  /**
   * ipv4_conntrack_defrag (nf_defrag_ipv4): a fragment is stolen into its queue
   * (nf_ct_ipv4_gather_frags → ip_defrag, user IP_DEFRAG_CONNTRACK_IN or _OUT); the fragment that
   * completes its datagram goes on as the whole datagram, with skb->ignore_df set.
   */
  private conntrackDefrag(j: Journey, hook: Hook): HookOutcome | null {
    if (j.untracked || j.attached) return null;
    return this.gatherFragments(j, hook === 'output' ? 'conntrack-out' : 'conntrack-in', true);
  }

  /** ip_local_deliver: what conntrack did not reassemble is reassembled before INPUT (IP_DEFRAG_LOCAL_DELIVER). */
  private localDeliverDefrag(j: Journey): HookOutcome | null {
    return this.gatherFragments(j, 'local-deliver', false);
  }

  private gatherFragments(j: Journey, user: DefragUser, ignoreDf: boolean): HookOutcome | null {
    const p = j.packet;
    if (p.decoded.family !== 'ipv4' || !isIpv4Fragment(p.bytes)) return null;
    const where =
      user === 'local-deliver'
        ? 'ip_local_deliver (before INPUT)'
        : `nf_defrag_ipv4 (${user === 'conntrack-out' ? 'OUTPUT' : 'PREROUTING'}, before raw)`;
    const r = this.fragments.defrag(
      p.bytes,
      user,
      { iif: p.iif ?? 'lo', macSrc: p.macSrc, macDst: p.macDst },
      this.now,
    );
    if (r.kind === 'held') {
      j.trace?.push({ kind: 'note', text: `${where}: ${r.reason}` });
      return { verdict: 'STOLEN', fate: { kind: 'queued', reason: r.reason } };
    }
    if (r.kind === 'dropped') {
      const reason = `${where}: ${r.reason}`;
      j.trace?.push({ kind: 'dropped', reason });
      return { verdict: 'STOLEN', fate: { kind: 'dropped', reason } };
    }
    const before = formatPacketSummary(p.decoded);
    p.bytes = r.bytes;
    p.macSrc = r.macSrc;
    p.macDst = r.macDst;
    this.packetChanged(j);
    j.frag = { fragMaxSize: r.fragMaxSize, pmtu: r.pmtu, ignoreDf, pieces: r.pieces };
    j.trace?.push({
      kind: 'rewrite',
      what: `${where}: reassembled from ${r.pieces.length} fragments (this one completed it)`,
      before,
      after: formatPacketSummary(p.decoded),
    });
    return null;
  }

  /**
   * ip_expire for the queues whose ipfrag_time ran out: their fragments are freed; when the first
   * fragment had come, an end host sends ICMP time exceeded (fragment reassembly) about it —
   * conntrack's queues only when it was addressed to the host (frag_expire_skip_icmp).
   */
  private runFragmentTimers(trace: TraceEvent[] | null): EmittedPacket[] {
    const emitted: EmittedPacket[] = [];
    for (const q of this.fragments.expire(this.now)) {
      const waited = this.host.sysctl.number('net.ipv4.ipfrag_time', 30);
      const gone = `ip_expire: the fragments of ${q.description} waited ipfrag_time (${waited} s) and were dropped`;
      if (!q.head) {
        trace?.push({ kind: 'note', text: `${gone} (the first fragment never came: no ICMP)` });
        continue;
      }
      const head = q.head.bytes.slice();
      const packet: EnginePacket = {
        bytes: head,
        decoded: redecode(head, 'ipv4'),
        timestampNs: q.expiredAtNs,
        iif: q.iif,
        oif: null,
        physIn: null,
        physOut: null,
        bridged: false,
        macSrc: q.head.macSrc,
        macDst: q.head.macDst,
        mark: 0,
        socket: null,
      };
      const j = this.journey(packet, trace);
      const route = routeLookup(this.host, packet.decoded.dst[0]!, {
        iif: q.iif,
        src: packet.decoded.src[0]!,
      });
      if (!route.ok) {
        trace?.push({ kind: 'note', text: `${gone} (no route for the first fragment: no ICMP)` });
        continue;
      }
      if (route.type === 'broadcast' || route.type === 'multicast') {
        trace?.push({ kind: 'note', text: `${gone} (${route.type} destination: no ICMP)` });
        continue;
      }
      if (q.user !== 'local-deliver' && route.type !== 'local') {
        trace?.push({
          kind: 'note',
          text: `${gone} (not addressed to this host: no ICMP from conntrack's queue)`,
        });
        continue;
      }
      trace?.push({ kind: 'note', text: gone });
      this.icmpSend(j, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 'ip_expire: fragment reassembly time exceeded');
      this.flushReplies(j);
      emitted.push(...j.emitted);
    }
    return emitted;
  }

  /**
   * ip_finish_output: the datagram as it leaves by `dev`, whole or in fragments (ip_fragment);
   * null when DF forbids fragmenting it (icmp_send(ICMP_FRAG_NEEDED) for a routed packet).
   */
  private finishOutput(j: Journey, dev: string): readonly Uint8Array[] | null {
    const p = j.packet;
    if (p.decoded.family !== 'ipv4') return [p.bytes];
    const mtu = this.host.interface(dev)?.mtu ?? 1500;
    const r = ipFinishOutput(p.bytes, mtu, j.frag);
    if (r.kind === 'whole') return [p.bytes];
    if (r.kind === 'frag-needed') {
      // br_nf_ip_fragment drops it silently; ip_fragment answers.
      if (!p.bridged)
        this.icmpSend(j, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 'ip_fragment: fragmentation needed', mtu);
      return null;
    }
    j.trace?.push({
      kind: 'note',
      text: `ip_fragment: sent as ${r.fragments.length} fragments ${r.how} (MTU ${mtu}${j.frag.fragMaxSize ? `, largest fragment received ${j.frag.fragMaxSize}` : ''})`,
    });
    return r.fragments;
  }

  // --- helpers -------------------------------------------------------------------------------

  private ctViewOf(j: Journey, hook: Hook): CtView {
    const p = j.packet;
    return ctView(j.track, j.untracked, this.conntrack, this.now, () =>
      ctPacketOf(p.bytes, p.decoded, hook, false),
    );
  }

  private packetChanged(j: Journey): void {
    j.packet.decoded = redecode(j.packet.bytes, j.packet.decoded.family);
  }

  private drop(j: Journey, reason: string): Fate {
    this.releaseIfUnconfirmed(j);
    j.trace?.push({ kind: 'dropped', reason });
    return { kind: 'dropped', reason };
  }

  private verdictFate(j: Journey, o: HookOutcome): Fate {
    if (o.fate) {
      // NF_STOLEN by defragmentation: the fragment's own (unconfirmed) connection goes with it.
      this.releaseIfUnconfirmed(j);
      return o.fate;
    }
    if (o.decidedBy && o.decidedBy.kind === 'rule' && o.decidedBy.rule.target?.kind === 'REJECT') {
      return { kind: 'rejected', decidedBy: o.decidedBy };
    }
    const reason = o.reason ?? (o.decidedBy ? describeDecision(o.decidedBy) : o.verdict);
    j.trace?.push({ kind: 'dropped', reason });
    return { kind: 'dropped', reason, ...(o.decidedBy ? { decidedBy: o.decidedBy } : {}) };
  }
}

/**
 * ip_exceeds_mtu: a datagram longer than the MTU with DF may not be forwarded — unless it was
 * reassembled here (ignore_df) from fragments that each fit.
 */
function exceedsMtu(bytes: Uint8Array, mtu: number, frag: OutputFragInfo): boolean {
  if (bytes.length <= mtu) return false;
  if ((get16(bytes, 6) & IP_DF) === 0) return false;
  if (frag.fragMaxSize > mtu) return true;
  return !frag.ignoreDf;
}

/** nf_conntrack_attach: a reply the host generates about a packet is RELATED in the other direction. */
function replyTrack(t: Extract<TrackResult, { kind: 'tracked' }>): TrackResult {
  const original = t.direction === 'original';
  return {
    kind: 'tracked',
    entry: t.entry,
    ctinfo: original ? 'RELATED_REPLY' : 'RELATED',
    direction: original ? 'reply' : 'original',
  };
}

function redecode(bytes: Uint8Array, family: Family): DecodedPacket {
  const d = decodePacket(bytes, family === 'ipv4' ? 'raw-ipv4' : 'raw-ipv6');
  if (isDecodeError(d)) throw new Error(`internal: a rewritten packet no longer decodes: ${d.error}`);
  return d;
}

function describeRoute(r: Extract<RouteResult, { ok: true }>): string {
  if (r.type === 'local') return 'local delivery (INPUT)';
  const via = r.gateway ? ` via ${formatAddress(r.gateway.family, r.gateway.words)}` : '';
  return `${r.type}: forward out of ${r.oif}${via} (FORWARD)`;
}

export function describeDecision(d: DecidedBy): string {
  if (d.kind === 'policy')
    return `${d.table.name} ${d.chain.name} policy ${d.chain.base?.policy ?? 'ACCEPT'}`;
  const r = d.rule;
  return `${d.table.name} ${d.chain.name} #${d.index + 1} ${r.target?.kind ?? ''} ${r.source.file}:${r.source.line}`;
}
