// The reference engine: the Linux kernel's IPv4/IPv6 packet path through netfilter, in readable
// TypeScript. One call per received frame; time comes only from the frames' timestamps.
//
// Received:   ip_rcv -> PREROUTING (raw, conntrack, mangle, nat) -> routing decision
//   local:    -> INPUT (mangle, filter, security, nat, confirm) -> socket, or the kernel's answer
//   forward:  -> TTL check and decrement (ip_forward) -> FORWARD (mangle, filter, security)
//             -> POSTROUTING (mangle, nat, confirm) -> out of the interface
// Generated:  route -> OUTPUT (raw, conntrack, mangle, nat, filter, security), re-routed when NAT
//             or a mark changed it -> POSTROUTING -> out of the interface
//
// Not modelled yet (recorded in the explanation where they would matter): fragment reassembly
// (each fragment is handled on its own), bridged traffic (br_netfilter), ICMP rate limits, the
// kernel's ICMP errors for unroutable forwarded packets, and the replies of declared sockets.

import {
  findSocket,
  type Host,
  addressType as hostAddressType,
  type RouteResult,
  routeLookup,
  selectSourceAddress,
} from '../../host/index.js';
import { type Family, formatAddress } from '../../ir/address.js';
import type { Chain, Hook, Rule, Ruleset } from '../../ir/ruleset.js';
import type { Target } from '../../ir/target.js';
import { get8 } from '../../wire/bytes.js';
import { Ipv4View } from '../../wire/ipv4.js';
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
import { ctPacketOf } from './ct-packet.js';
import { ctView } from './ct-view.js';
import { type HookPlan, planHooks } from './hook-plan.js';
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
type HookOutcome = { readonly verdict: Verdict; readonly decidedBy?: DecidedBy; readonly reason?: string };

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
}

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMPV6 = 58;

export class ReferenceEngine {
  readonly counters = new RuleCounters();
  readonly conntrack: ConntrackTable;
  private readonly plan: HookPlan;
  private readonly prng: Xoshiro128ss;
  private readonly ruleStates = new Map<Rule, Map<object, unknown>>();
  private readonly shared = new Map<string, unknown>();
  private readonly hostView: HostView;
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
    // A frame on a bridge port reaches IP as received by the bridge (br_handle_frame_finish
    // passing it up); the port is what physdev sees.
    const port = this.host.interface(frame.iif);
    const bridge = port?.master !== undefined ? this.host.interface(port.master) : undefined;
    const viaBridge = bridge?.kind === 'bridge';
    const packet: EnginePacket = {
      bytes,
      decoded: redecode(bytes, decoded.family),
      timestampNs: frame.timestampNs,
      iif: viaBridge ? bridge.name : frame.iif,
      oif: null,
      physIn: viaBridge ? frame.iif : null,
      physOut: null,
      bridged: false,
      macSrc: eth ? frame.bytes.slice(eth.srcOffset, eth.srcOffset + 6) : null,
      macDst: eth ? frame.bytes.slice(eth.dstOffset, eth.dstOffset + 6) : null,
      mark: 0,
      socket: null,
    };
    const j = this.journey(packet, trace);
    trace?.push({ kind: 'received', iif: frame.iif, summary: formatPacketSummary(packet.decoded) });
    const fate = this.receive(j);
    this.flushReplies(j);
    return this.result(j, fate);
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

    const route = routeLookup(this.host, p.decoded.dst[0]!, { iif: p.iif!, src: p.decoded.src[0]! });
    if (p.decoded.family === 'ipv6') return this.drop(j, 'IPv6 routing is not modelled yet');
    if (!route.ok) {
      j.trace?.push({ kind: 'route', decision: `no route (${route.errno}: ${route.reason})` });
      return this.drop(j, `routing: ${route.errno} (${route.reason})`);
    }
    j.trace?.push({ kind: 'route', decision: describeRoute(route) });
    if (route.type === 'local') return this.localIn(j);
    if (route.type === 'broadcast' || route.type === 'multicast') {
      return this.drop(j, `${route.type} to this host: no socket modelled`);
    }
    return this.forward(j, route);
  }

  private localIn(j: Journey): Fate {
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
    if ((d.protocol === ICMP && d.icmpType === 8) || (d.protocol === ICMPV6 && d.icmpType === 128)) {
      j.trace?.push({ kind: 'delivered', to: 'kernel (ICMP echo)' });
      return { kind: 'delivered', to: 'kernel (ICMP echo; the reply is not modelled yet)' };
    }
    j.trace?.push({ kind: 'delivered', to: `kernel (protocol ${d.protocol})` });
    return { kind: 'delivered', to: `kernel (protocol ${d.protocol})` };
  }

  /** The kernel's own answer to a closed port: TCP RST or ICMP port unreachable. */
  private answerClosedPort(j: Journey, proto: 'tcp' | 'udp'): void {
    const reject = TARGET_EXECUTORS.REJECT;
    const reply =
      proto === 'tcp' ? ({ kind: 'tcp-reset' } as const) : ({ kind: 'icmp', type: 3, code: 3 } as const);
    const target = { kind: 'REJECT', reply } as const;
    const ctx = this.targetContext(j, 'input', 'filter', null);
    reject.run(target, ctx, undefined as unknown as Rule);
  }

  private forward(j: Journey, route: Extract<RouteResult, { ok: true }>): Fate {
    const p = j.packet;
    if (this.host.sysctl.number('net.ipv4.ip_forward') === 0) {
      return this.drop(j, 'forwarding is off (net.ipv4.ip_forward = 0)');
    }
    // ip_forward: the TTL is checked and decremented before the FORWARD hook.
    if (p.decoded.ttl <= 1)
      return this.drop(j, 'TTL exceeded (the ICMP time-exceeded reply is not modelled yet)');
    const ip = new Ipv4View(p.bytes, 0, p.bytes.length);
    ip.decreaseTtl();
    this.packetChanged(j);
    p.oif = route.oif;
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
    j.emitted.push({ oif, bytes: p.bytes, cause, ...(decidedBy ? { decidedBy } : {}) });
    j.trace?.push({ kind: 'emitted', oif, summary: formatPacketSummary(p.decoded) });
    return { kind: 'forwarded', oif };
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
    let route = routeLookup(this.host, p.decoded.dst[0]!, { src: p.decoded.src[0]! });
    if (!route.ok) return this.drop(j, `output routing: ${route.errno} (${route.reason})`);
    p.oif = route.oif;
    const before = { dst: p.decoded.dst[0], mark: p.mark };
    const out = this.runHook(j, 'output');
    if (out.verdict !== 'ACCEPT') return this.verdictFate(j, out);
    // ip_route_me_harder: a new destination or mark means a new route.
    if (p.decoded.dst[0] !== before.dst || p.mark !== before.mark) {
      route = routeLookup(this.host, p.decoded.dst[0]!, { src: p.decoded.src[0]!, mark: p.mark });
      if (!route.ok) return this.drop(j, `re-routing after OUTPUT: ${route.errno}`);
      p.oif = route.oif;
      j.trace?.push({ kind: 'route', decision: `re-routed: ${describeRoute(route)}` });
    }
    if (route.type === 'local') {
      // Looped back through lo: it comes in again (without a second conntrack lookup).
      return this.drop(j, 'locally addressed reply (loopback delivery is not modelled yet)');
    }
    return this.postRouting(j, cause);
  }

  // --- hooks ----------------------------------------------------------------------------------

  private runHook(j: Journey, hook: Hook): HookOutcome {
    for (const step of this.plan[hook]) {
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
      count: (what, bytes) => this.counters.add(what, bytes),
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
      sendReply: (bytes: Uint8Array, cause: string) => {
        // nf_send_reset ties the RST to the original connection (nf_ct_attach); ICMP errors
        // find theirs through conntrack's ICMP error handling.
        const attach = (bytes[9] === TCP && j.track?.kind === 'tracked' ? replyTrack(j.track) : null) ?? null;
        j.replies.push({ bytes, cause, attach });
      },
      untrack: () => {
        j.untracked = true;
      },
      note: (text: string) => j.trace?.push({ kind: 'note', text }),
    });
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
    if (o.decidedBy && o.decidedBy.kind === 'rule' && o.decidedBy.rule.target?.kind === 'REJECT') {
      return { kind: 'rejected', decidedBy: o.decidedBy };
    }
    const reason = o.reason ?? (o.decidedBy ? describeDecision(o.decidedBy) : o.verdict);
    j.trace?.push({ kind: 'dropped', reason });
    return { kind: 'dropped', reason, ...(o.decidedBy ? { decidedBy: o.decidedBy } : {}) };
  }
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
