// The packet path of the WebAssembly engine for received IPv4 datagrams, as the reference
// engine walks it (src/engine/reference/ip-input.ts, ip-forward.ts, ip-output.ts,
// local-deliver.ts, hook-runner.ts, nat-step.ts): ip_rcv's checks, PREROUTING, the routing
// decision, then INPUT and local delivery or ip_forward, FORWARD and POSTROUTING — conntrack,
// NAT and the tables at each hook in the order the host's plan gives (hook-plan.ts). The
// replies a packet causes (REJECT's, the kernel's answers: answers.ts) and the host's own
// packets (`@local` frames) go down the output path (local-out.ts) after it.
//
// A frame received on a bridge port goes to its bridge first (bridge-input.ts): up to IP as if
// received on the bridge, or bridged to other ports through FORWARD and POSTROUTING.
//
// IPv4 fragments are held and reassembled where the reference engine does it (defrag.ts:
// nf_defrag_ipv4 before PREROUTING's tables when the plan has it, ip_local_deliver's before
// INPUT otherwise), and a reassembled or too long datagram leaves in fragments
// (fragment-output.ts); queues whose ipfrag_time ran out are expired before each frame.
//
// A packet whose handling is not here yet (IP options, fragments from the host itself or on a
// bridge port, ICMP redirects and errors about a packet the path does not know, matches and
// targets the walk leaves UNDECIDED) stops the batch as UNSUPPORTED, possibly after its connection or counters changed:
// the run's state is then not to be trusted, and the host runs the whole trace on the reference
// engine instead (src/engine/wasm/engine.ts).

import { internetChecksum } from '../checksum';
import { writeFactsFor } from '../conntrack/batch';
import {
  conntrackIn,
  DROP_DYING,
  DROP_NO_RECORD,
  DROP_REOPEN,
  dropReason,
  resultCtinfo,
  resultDir,
  resultEntry,
  setLookupHint,
} from '../conntrack/core';
import { natIcmpReplyTranslation } from '../conntrack/icmp-reply-translation';
import {
  CT_NONE,
  E_FLAGS,
  E_ID,
  EF_USED,
  ENTRY_BYTES,
  HOOK_FORWARD,
  HOOK_INPUT,
  HOOK_POSTROUTING,
  HOOK_PREROUTING,
  IP_CT_NEW,
  IP_CT_RELATED,
  IP_CT_RELATED_REPLY,
  K_DROP,
  K_TRACKED,
  K_UNTRACKED,
  MANIP_DST,
  MANIP_SRC,
  PKT_BYTES,
  REWRITE_BYTES,
  W_PRESENT,
} from '../conntrack/layout';
import {
  hookManip,
  NAT_DROP,
  natInitialized,
  natNullBinding,
  natPacket,
  natPortsIpv4,
  natToAddr,
  natToPort,
  nullBindingTupleFree,
  nullBound,
} from '../conntrack/nat';
import { prngBeginPacket } from '../conntrack/prng';
import {
  confirmEntry,
  confirmed,
  confirmedIdx,
  capacity as connectionRecords,
  entryAt,
  keepReleased,
  release as releaseEntry,
} from '../conntrack/table';
import { CT_BYTES, META_BYTES, NONE, R_POLICY, R_RULE, R_UNDECIDED_RULE, V_ACCEPT } from '../layout';
import { be16, be32, zeroQuads } from '../memory';
import { setCt } from '../ops';
import {
  decode,
  fields,
  P_DPORT,
  P_DST,
  P_ICMPTYPE,
  P_MARK,
  P_PROTO,
  P_SRC,
  P_TCPFLAGS,
  setGrowRoom,
  setOif,
  setPhysdev,
  takeGrowth,
} from '../packet';
import { setWalkTime, shareRandom } from '../state';
import { enableReject } from '../walk';
import {
  A_OK,
  A_RATE_TABLE,
  closedPortReply,
  echoIgnored,
  echoReply,
  icmpSend,
  initAnswers,
  ipErrorReply,
  rejectReply,
  synAckReply,
} from './answers';
import { PREFETCH_GROUP, prefetchFrames, prefetchOn } from './batch-prefetch';
import { bridgeEgress, fdbClock, fdbLearn, sawAddress } from './bridge-fdb';
import { bridgeInput } from './bridge-input';
import { bridgeOfPort, isOwnMac, macAt } from './bridge-topology';
import { ctPacketFromIpv4 } from './ct-packet';
import {
  beginCompleted,
  DEFRAG_COMPLETE,
  DEFRAG_FULL,
  DEFRAG_HELD,
  defragment,
  expiredDone,
  expiredHead,
  expiredHeadLength,
  expiredIif,
  expiredUser,
  fragMaxSize,
  fragPmtu,
  headMac,
  heldFragments,
  heldLastIn,
  heldLen,
  heldMeat,
  nextExpired,
  pieceCount,
  pieces,
  QUEUES,
  reassembled,
  reassembledLength,
  timersDue,
  USER_CONNTRACK_IN,
  USER_CONNTRACK_OUT,
  USER_LOCAL_DELIVER,
} from './defrag';
import {
  flowCacheEnabled,
  flowDecision,
  flowFate,
  flowHint,
  flowLookup,
  flowMtu,
  flowNextHop,
  flowNullBound,
  flowOif,
  flowOutcomeHolds,
  flowReason,
  flowRecordEnd,
  flowRecordingFirst,
  flowRecordNullBinding,
  flowRecordRoute,
  flowRecordSpoil,
  flowRecordStart,
  flowRecordStop,
  flowRecordWalk,
  flowReplayCounters,
  initFlowCache,
  NO_DECISION,
} from './flow-cache';
import {
  clearFragInfo,
  exceedsMtu,
  finishOutput,
  fragMaxSizeInFlight,
  OUT_FLOODED,
  OUT_FRAG_NEEDED,
  OUT_FRAGMENTED,
  OUT_WHOLE,
  setFragInfo,
} from './fragment-output';
import {
  beginEmitted,
  C_FORWARDED,
  C_FRAG_NEEDED_FORWARD,
  C_FRAG_NEEDED_OUTPUT,
  C_FRAG_TIME,
  C_IP_ERROR,
  C_PROT_UNREACH,
  C_TIME_EXCEEDED,
  emit,
  endJourneyReplies,
  waiting,
} from './generated';
import {
  ask,
  askAboutAddresses,
  enableHostQueries,
  initHostQueries,
  NEXT_HOP_DESTINATION,
  Q_ROUTE_IN,
  Q_SOCKET,
  RT_ERROR,
  RT_FORWARD,
  RT_LOCAL,
  SOCK_NONE,
  SOCK_PROXY,
  setPacketInterfaces,
} from './host-query';
import { initIcmpRate } from './icmp-rate';
import { flushReplies, rawSend } from './local-out';
import { beginNatWalk, endNatWalk } from './nat-target';
import { allowNotrack, notrackRequested } from './notrack-target';
import { setMacDestination } from './pkttype';
import { rejectParams } from './reject-target';
import { applyIcmpErrorRewrite4, applyRewriteRecord, ipDecreaseTtl, natManipIpv4 } from './rewrite';
import { FRAME_SLACK } from './tcpmss-target';
import {
  lastCounted,
  lastCounters,
  lastFlowSafe,
  lastGuard,
  lastReadsStatus,
  memoWalk,
} from './verdict-memo';
import { setWalkConnection } from './walk-connection';

// Frame records (FRAME_BYTES): byte offset in the packet area, captured length, iif registry
// index | link << 16 | FRAME_LOCAL, the packet's index in the trace (low word), timestamp
// (i64 ns), the index's high word, 0. Random draws derive from the index (conntrack/prng.ts).
export const FRAME_BYTES: u32 = 32;
export const LINK_RAW: u32 = 0;
export const LINK_ETHERNET: u32 = 1;
/** The host's own packet (trace interface `@local`): down the output path (local-out.ts). */
export const FRAME_LOCAL: u32 = 1 << 20;

// Result records (OUT_BYTES): fate | reason << 8, decision, oif, ct kind | ctinfo << 8 |
// dir << 16, ct entry, IP offset (from the packet area), IP length, next hop (for a forwarded
// packet: the bridge port it leaves by, bridge-fdb.ts bridgeEgress). The packets the
// frame caused the host to send are in the emitted area (generated.ts); a received packet that
// was forwarded is not among them (its bytes are the frame's).
export const OUT_BYTES: u32 = 32;
export const FATE_FORWARDED: u32 = 1;
export const FATE_DELIVERED: u32 = 2;
export const FATE_DROPPED: u32 = 3;
export const FATE_REJECTED: u32 = 4;
export const FATE_UNSUPPORTED: u32 = 6;
/** A fragment held for reassembly (NF_STOLEN); the reason word is the defrag user. */
export const FATE_QUEUED: u32 = 7;
/** FATE_FORWARDED's reason for a packet the host sent (it is among the emitted packets). */
export const FORWARDED_GENERATED: u32 = 1;
/** FATE_FORWARDED's reason for a frame bridged to another port (the result's word 7 names it). */
export const FORWARDED_BRIDGED: u32 = 2;
/** Decision word: a rule's global index, or a chain's index | POLICY_BIT for its policy. */
export const POLICY_BIT: u32 = 0x80000000;
/** ct kind word when the packet met no conntrack. */
export const CT_KIND_NONE: u32 = 0xff;

// Drop reasons (FATE_DROPPED), spelled out by the host.
const D_RULE: u32 = 0;
const D_BAD_IP_CHECKSUM: u32 = 1;
/** Conntrack dropped it: table full (conntrack/core.ts DROP_TABLE_FULL); 20 and 21 its other reasons. */
const D_CONNTRACK: u32 = 2;
const D_CONNTRACK_DYING: u32 = 20;
const D_CONNTRACK_REOPEN: u32 = 21;
const D_CONFIRM: u32 = 3;
const D_NULL_BINDING: u32 = 4;
const D_NAT_SHORT: u32 = 5;
const D_FORWARDING_OFF: u32 = 6;
const D_NO_ROUTE: u32 = 7;
const D_RST_CLOSED: u32 = 8;
const D_CAST_NO_SOCKET: u32 = 9;
const D_TTL: u32 = 10;
const D_FRAG_NEEDED_FORWARD: u32 = 11;
const D_BAD_ICMP_CHECKSUM: u32 = 12;
export const D_OUTPUT_ROUTE: u32 = 13;
export const D_REROUTE: u32 = 14;
export const D_FRAG_NEEDED_OUTPUT: u32 = 15;
const D_NAT_REDIRECT: u32 = 16;
export const D_BRIDGE_CHECKSUM: u32 = 17;
/** Word 2 names the bridge. */
export const D_BRIDGE_HAIRPIN: u32 = 18;
/** Word 7 is the next hop without a neighbour entry. */
export const D_BRIDGED_DNAT_NEIGHBOUR: u32 = 19;
/** Dropped by defrag: this bit | user << 4 | what (defrag.ts DROP_*); word 7 the datagram's length. */
const D_DEFRAG: u32 = 0x40;
// Delivered to (FATE_DELIVERED): the socket kind (host-query.ts SOCK_*), or the kernel.
const TO_KERNEL: u32 = 3;
const TO_CLOSED_TCP: u32 = 4;
const TO_CLOSED_UDP: u32 = 5;
const TO_ECHO_REPLY: u32 = 6;
const TO_ECHO_IGNORED: u32 = 7;
const TO_PROT_UNREACH: u32 = 8;
// Why a packet is UNSUPPORTED.
const U_LINK: u32 = 1;
const U_IP_HEADER: u32 = 2;
/** A fragment the host sends itself, or one on a bridge port. */
const U_FRAGMENT: u32 = 3;
const U_TRANSPORT: u32 = 4;
/** An ICMP redirect (5; 7, 8, 10, 11 and 15 are no longer used). */
const U_ICMP_REDIRECT: u32 = 5;
const U_WALK: u32 = 6;
/** A bridged copy too long for its port without DF (br_nf_ip_fragment would cut it). */
export const U_MTU: u32 = 9;
const U_CHAIN: u32 = 12;
/** The reply slots or the emitted-packet area are full. */
export const U_ROOM: u32 = 13;
/** ICMP's rate-limit peer table is full. */
const U_RATE_TABLE: u32 = 14;
/** A reply tied to a connection that was never confirmed would set up NAT on it. */
const U_RELEASED_NAT: u32 = 16;
/** The bridge forwarding database or its neighbour table is full. */
export const U_BRIDGE_TABLE: u32 = 18;
/** More fragment queues, fragments in one queue, or reassembled bytes in a batch than there is room for. */
const U_FRAGMENT_ROOM: u32 = 19;
/** Fragments of a datagram flooded to several bridge ports. */
export const U_FRAGMENT_FLOOD: u32 = 20;
/** A new connection found no connection record free below nf_conntrack_max (conntrack DROP_NO_RECORD). */
const U_CONNECTION_RECORDS: u32 = 21;

// Plan record (written by the host): flags, then per hook (HOOK_*: 5) a step count and up to
// MAX_STEPS steps, each kind << 24 | chain.
const PLAN_FLAGS_CONNTRACK_CHECKSUM: u32 = 1;
const PLAN_FLAGS_FORWARD: u32 = 2;
const MAX_STEPS: u32 = 15;
const STEP_TABLE: u32 = 1;
const STEP_FILTER: u32 = 2;
const STEP_NAT: u32 = 3;
const STEP_CONNTRACK: u32 = 4;
const STEP_CONFIRM: u32 = 5;
/** nf_defrag_ipv4's ipv4_conntrack_defrag. */
const STEP_DEFRAG: u32 = 6;
/** After the hooks: icmp_ratelimit, icmp_ratemask, ip_default_ttl, flags (PLAN_EXTRA_*), lo's index. */
const PLAN_EXTRA: u32 = 1 + 5 * (1 + MAX_STEPS);
const PLAN_EXTRA_ECHO_IGNORE_ALL: u32 = 1;
const PLAN_EXTRA_BRIDGE_NF_CALL_IPTABLES: u32 = 2;
let plan: usize = 0;
/** net.bridge.bridge-nf-call-iptables: br_netfilter passes bridged IPv4 to iptables. */
export let bridgeCallsIptables: bool = false;
/** Registry index of the loopback device. */
export let loopbackIndex: u32 = 0;
/** PREROUTING starts with nf_defrag_ipv4: no fragment gets past it whole-less. */
let defragIn: bool = false;
/**
 * Per frame of a batch, a copy of its connection's record as the frame left it (ENTRY_BYTES):
 * the host reads the tuples from there, since later frames of the batch may end the connection
 * and reuse its record. 0 when the host reads no packet's connection (no copies then).
 */
let ctSnapshots: usize = 0;

export function engineSnapshots(area: usize): void {
  ctSnapshots = area;
}

const meta: usize = memory.data(<i32>META_BYTES, 16);
const ctRec: usize = memory.data(<i32>CT_BYTES, 16);
const pktRec: usize = memory.data(<i32>PKT_BYTES, 16);
const rewrite: usize = memory.data(<i32>REWRITE_BYTES, 16);
const inner: usize = memory.data(<i32>REWRITE_BYTES, 16);

// The packet in flight (the reference engine's Journey).
let ip: usize = 0;
let ipLen: u32 = 0;
let ifacesAt: usize = 0;
/** The batch's packet area (result records give IP offsets from it). */
let batchBytes: usize = 0;
/** The received Ethernet frame's start (its addresses), 0 for a raw one. */
let frameMac: usize = 0;
let now: i64 = 0;
/**
 * Received on a bridge port for another MAC than the bridge's own: it may be bridged, which the
 * flow cache's key (no MACs) cannot tell, so the cache neither replays nor records it.
 */
let noFlow: bool = false;
/** The bridge ports physdev sees (registry indexes, 0: none). */
let physIn: u32 = 0;
let physOut: u32 = 0;

export function physInPort(): u32 {
  return physIn;
}

/** The bridge ports of the packet in flight: br_netfilter's input port, a bridged copy's output. */
export function setBridgePorts(inPort: u32, outPort: u32): void {
  physIn = inPort;
  physOut = outPort;
  setPhysdev(ifacesAt, inPort, outPort);
}
/** Registry index of the input interface (0: generated here, no input device). */
let iifIndex: u32 = 0;
/** Tied to a connection before conntrack runs (nf_ct_attach, or looped back): conntrack skips it. */
let attached: bool = false;
/** NOTRACK in raw took it out of connection tracking: conntrack skips it. */
let untracked: bool = false;
/** Its input route is broadcast or multicast: the kernel sends no RST or ICMP error about it. */
let castRoute: bool = false;
/** The frame being processed (emitted packets name it). */
export let frameIndex: u32 = 0;
let ctKind: u32 = CT_KIND_NONE;
let ctInfo: u32 = 0;
let ctDir: u32 = 0;
let ctEntry: u32 = CT_NONE;
let lastDecision: u32 = NONE;
let filterDecision: u32 = NONE;
/** The packet's result record, input interface, and output interface once routed. */
let curOut: usize = 0;
let curIif: u32 = 0;
let outOif: u32 = 0;
/** The plan step being run (runHook), so a flow replay knows where conntrack was. */
let stepIndex: u32 = 0;
/** Why the current hook did not accept the packet (FATE_* and reason). */
let stopFate: u32 = 0;
let stopReason: u32 = 0;

/** Installs the plan record at `p` (kept); the path asks the host model from now on. */
export function enginePlan(p: usize, rateTable: usize): void {
  plan = p;
  initHostQueries();
  initFlowCache(connectionRecords);
  enableHostQueries();
  shareRandom();
  enableReject();
  const extra = p + ((<usize>PLAN_EXTRA) << 2);
  initIcmpRate(rateTable, load<u32>(extra), load<u32>(extra, 4));
  initAnswers(load<u32>(extra, 8), (load<u32>(extra, 12) & PLAN_EXTRA_ECHO_IGNORE_ALL) !== 0);
  loopbackIndex = load<u32>(extra, 16);
  bridgeCallsIptables = (load<u32>(extra, 12) & PLAN_EXTRA_BRIDGE_NF_CALL_IPTABLES) !== 0;
  const pre = p + 4 + <usize>HOOK_PREROUTING * (1 + MAX_STEPS) * 4;
  defragIn = false;
  for (let i: u32 = 0; i < load<u32>(pre); i++)
    if (load<u32>(pre + 4 + ((<usize>i) << 2)) >> 24 === STEP_DEFRAG) defragIn = true;
}

function field(slot: u32): u32 {
  return load<u32>(fields + ((<usize>slot) << 2));
}

/** Re-reads the datagram after a rewrite, keeping what is not in its bytes (mark, interfaces). */
function redecode(): void {
  store<u32>(meta, field(P_MARK), 16);
  decode(ip, ipLen, meta, ifacesAt);
}

export function stop(fate: u32, reason: u32): u32 {
  stopFate = fate;
  stopReason = reason;
  return 0;
}

/** An answer's outcome: 1 when the path goes on, 0 (stopped UNSUPPORTED) when it cannot. */
function answered(a: u32): u32 {
  if (a === A_OK) return 1;
  return stop(FATE_UNSUPPORTED, a === A_RATE_TABLE ? U_RATE_TABLE : U_ROOM);
}

/** The connection a reply about the packet is tied to (attachedTrack): its entry, or CT_NONE. */
function attachEntry(): u32 {
  return ctKind === K_TRACKED ? ctEntry : CT_NONE;
}

/** __icmp_send about the packet in flight. */
function sendIcmp(type: u32, code: u32, info: u32, cause: u32): u32 {
  return answered(icmpSend(ip, ipLen, iifIndex, type, code, info, cause, attachEntry(), ctDir, now));
}

/**
 * A copy of a bridged frame (br_flood's clone) is in flight: dropping it does not free the
 * connection the frame's other copies share (the bridge frees it after the last).
 */
let clone: bool = false;
export function setClone(on: bool): void {
  clone = on;
}

/** releaseIfUnconfirmed: a new connection whose packet is dropped never enters the table. */
export function releaseIfUnconfirmed(): void {
  if (clone) return;
  if (ctKind === K_TRACKED && !confirmed(entryAt(ctEntry))) releaseEntry(ctEntry);
}

function facts(): void {
  if (ctKind === CT_KIND_NONE) zeroQuads(ctRec, CT_BYTES);
  else writeFactsFor(ctRec, ctKind, ctInfo, ctDir, ctEntry, now);
  setCt(ctRec);
  setWalkConnection(ctKind === K_TRACKED ? ctEntry : CT_NONE, ctInfo, ctKind);
  allowNotrack(!attached && (ctKind === CT_KIND_NONE || ctKind === K_UNTRACKED));
}

/** One table's walk; 1 accepted, 0 stopped (stopFate set). */
function tableStep(chain: u32, filter: bool): u32 {
  facts();
  const r = memoWalk(chain, ipLen);
  flowRecordWalk(lastFlowSafe, lastGuard, lastReadsStatus, lastCounters, lastCounted);
  if (notrackRequested()) {
    untracked = true;
    ctKind = K_UNTRACKED;
    ctEntry = CT_NONE;
  }
  const kind = (<u32>r >> 8) & 0xff;
  const what = <u32>(r >> 32);
  if (kind >= R_UNDECIDED_RULE) {
    lastDecision = what;
    return stop(FATE_UNSUPPORTED, U_WALK);
  }
  const decision = kind === R_POLICY ? what | POLICY_BIT : what;
  lastDecision = decision;
  if (filter) filterDecision = decision;
  if ((<u32>r & 0xff) === V_ACCEPT) return 1;
  // What drops the packet decides it, in whatever table (filter's earlier ACCEPT included).
  filterDecision = decision;
  // REJECT: its reply goes down the output path after the packet, which is dropped.
  const reject = kind === R_RULE ? rejectParams(what) : 0;
  if (reject !== 0) {
    const kindWord = load<u32>(reject);
    const code = load<u32>(reject, 8);
    const a = rejectReply(ip, ipLen, kindWord, code, iifIndex === 0, castRoute, attachEntry(), ctDir, now);
    if (answered(a) === 0) return 0;
    return stop(FATE_REJECTED, 0);
  }
  // DROP, and QUEUE without a listener (the reference engine's QUEUE is a drop).
  return stop(FATE_DROPPED, D_RULE);
}

/** nf_nat_ipv4_fn (nat-step.ts): bindings on a connection's first packet, then the rewrite. */
function natStep(hook: u32, chain: u32): u32 {
  if (ctKind !== K_TRACKED) return 1;
  const related = ctInfo === IP_CT_RELATED || ctInfo === IP_CT_RELATED_REPLY;
  const proto = field(P_PROTO);
  if (related && proto === 1) {
    // nf_nat_icmp_reply_translation: the connection's NAT undone inside the quoted datagram.
    if (natIcmpReplyTranslation(ctEntry, ctInfo, hook, field(P_ICMPTYPE), inner, rewrite) === NAT_DROP)
      return stop(FATE_DROPPED, D_NAT_REDIRECT);
    if (load<u32>(inner, W_PRESENT) !== 0) {
      if (!applyIcmpErrorRewrite4(ip, ip + ipLen, inner, rewrite)) return stop(FATE_DROPPED, D_NAT_SHORT);
      redecode();
    }
    return 1;
  }
  const manip = hookManip(hook);
  const e = entryAt(ctEntry);
  if ((ctInfo === IP_CT_NEW || related) && !natInitialized(e, manip)) {
    // A reply tied to a connection whose packet was dropped before confirmation: a source
    // binding puts the released entry into NAT's by-source index, where the reference engine
    // keeps it for good (the kernel drops it with the connection), so its record is kept too.
    if (attached && !confirmed(e) && manip === MANIP_SRC && (load<u8>(e, E_FLAGS) & EF_USED) === 0) {
      if (!keepReleased(ctEntry)) return stop(FATE_UNSUPPORTED, U_RELEASED_NAT);
    }
    // A binding made now is the connection's, not a way its later packets take again; a null
    // binding is every first packet's alike (a refused flow's, flowRecordStart).
    if (!flowRecordingFirst()) flowRecordSpoil();
    beginNatWalk(ctEntry, hook, now);
    const ok = tableStep(chain, false);
    endNatWalk();
    if (ok === 0) return 0;
    if (natInitialized(e, manip)) flowRecordSpoil();
    else {
      if (natNullBinding(ctEntry, manip, now) === NAT_DROP) return stop(FATE_DROPPED, D_NULL_BINDING);
      flowRecordNullBinding(manip);
    }
  }
  natPacket(ctEntry, ctDir, hook, proto === 1 ? <i32>field(P_ICMPTYPE) : -1, rewrite);
  if (load<u32>(rewrite, W_PRESENT) !== 0) {
    // A first packet rewritten: its null binding moved the tuple (it was taken).
    if (flowRecordingFirst()) flowRecordSpoil();
    if (!applyRewriteRecord(ip, ip + ipLen, rewrite)) return stop(FATE_DROPPED, D_NAT_SHORT);
    redecode();
  }
  return 1;
}

function conntrackStep(hook: u32, checksum: bool): u32 {
  ctPacketFromIpv4(ip, ipLen, hook, checksum, 0, now, pktRec);
  const proto = field(P_PROTO);
  // A received TCP or UDP datagram may belong to a flow seen before (flow-cache.ts).
  const flow = hook === HOOK_PREROUTING && !noFlow && (proto === 6 || proto === 17) && flowCacheEnabled();
  if (flow) {
    flowLookup(curIif, ip, field(P_MARK));
    setLookupHint(flowHint(now));
  }
  const kind = conntrackIn(pktRec, now);
  if (kind === K_DROP) {
    if (dropReason === DROP_NO_RECORD) {
      ctKind = CT_KIND_NONE;
      return stop(FATE_UNSUPPORTED, U_CONNECTION_RECORDS);
    }
    // No connection attached: the packet's state reads INVALID, as the reference engine reports it.
    ctKind = K_DROP;
    ctInfo = 0;
    ctDir = 0;
    ctEntry = CT_NONE;
    return stop(
      FATE_DROPPED,
      dropReason === DROP_DYING
        ? D_CONNTRACK_DYING
        : dropReason === DROP_REOPEN
          ? D_CONNTRACK_REOPEN
          : D_CONNTRACK,
    );
  }
  ctKind = kind;
  ctInfo = resultCtinfo;
  ctDir = resultDir;
  ctEntry = kind === K_TRACKED ? resultEntry : CT_NONE;
  if (flow && kind === K_TRACKED) {
    if (flowOutcomeHolds(ctEntry, ctDir, ctInfo, ipLen - 20) && replayFlow()) return 0;
    flowRecordStart(ctEntry, ctDir, ctInfo);
  }
  return 1;
}

/**
 * nf_nat_packet's rewrites of the plan's NAT steps for `hook` from step `from` on (a replayed
 * flow's: an IPv4 TCP or UDP datagram without options).
 */
function replayNat(hook: u32, from: u32): bool {
  const at = plan + 4 + <usize>hook * (1 + MAX_STEPS) * 4;
  const n = load<u32>(at);
  for (let i = from; i < n; i++) {
    if (load<u32>(at + 4 + ((<usize>i) << 2)) >> 24 !== STEP_NAT) continue;
    if (
      natPortsIpv4(ctEntry, ctDir, hook) &&
      !natManipIpv4(ip, ip + ipLen, hookManip(hook), natToAddr, natToPort)
    )
      return false;
  }
  return true;
}

/**
 * The rest of the packet's way as its flow recorded it: the NAT rewrites and (forwarded) the
 * TTL decrement on its bytes, the walks' counters, the route and the verdict. False, with
 * nothing done, when the way would differ for this packet: ip_forward would not pass it (TTL,
 * MTU), or a listener would answer it (a SYN): it then goes the ordinary way.
 */
function replayFlow(): bool {
  const fate = flowFate();
  if (fate === FATE_DROPPED) return replayRefusal();
  if (fate === FATE_DELIVERED) {
    if (field(P_PROTO) === 6 && (<u32>load<u8>(ip, 33) & 0x17) === 0x02) return false;
    if (!replayNat(HOOK_PREROUTING, stepIndex + 1) || !replayNat(HOOK_INPUT, 0)) return replayFailed();
  } else {
    if (<u32>load<u8>(ip, 8) <= 1 || ipLen > flowMtu()) return false;
    const ok = replayNat(HOOK_PREROUTING, stepIndex + 1);
    ipDecreaseTtl(ip);
    if (!ok || !replayNat(HOOK_FORWARD, 0) || !replayNat(HOOK_POSTROUTING, 0)) return replayFailed();
    outOif = flowOif();
    store<u32>(curOut, flowNextHop(), 28);
  }
  flowReplayCounters(ipLen);
  const decision = flowDecision();
  if (decision !== NO_DECISION) filterDecision = decision;
  stop(fate, flowReason());
  return true;
}

/**
 * A refused flow's packet: its connection's first, dropped where the flow's first was — in
 * PREROUTING, INPUT, or FORWARD and later after ip_forward's TTL decrement — with the same
 * counters and decision, its entry then released (runHook). NAT made only null bindings on that
 * way: they are made again, here without the walks before them, when they keep the tuple (a
 * SRC binding moves a tuple another connection holds: the ordinary way then rewrites the
 * packet). Not for a fragment. Everything that may refuse comes before what changes anything.
 */
function replayRefusal(): bool {
  if ((be16(ip + 6) & 0x3fff) !== 0) return false;
  // A way through ip_forward: the route is recorded with its MTU, never 0.
  const mtu = flowMtu();
  if (mtu !== 0 && (<u32>load<u8>(ip, 8) <= 1 || ipLen > mtu)) return false;
  const nullDst = flowNullBound(MANIP_DST);
  const nullSrc = flowNullBound(MANIP_SRC);
  if (nullDst || nullSrc) {
    // The bindings' question, asked as the first binding asks it; a TCP or UDP flow's DNAT null
    // binding keeps the tuple whatever the answer.
    const free = nullBindingTupleFree(ctEntry, now);
    if (nullSrc && !free) return false;
  }
  if (nullDst) nullBound(ctEntry, MANIP_DST);
  if (nullSrc) nullBound(ctEntry, MANIP_SRC);
  if (mtu !== 0) {
    ipDecreaseTtl(ip);
    outOif = flowOif();
    store<u32>(curOut, flowNextHop(), 28);
  }
  flowReplayCounters(ipLen);
  filterDecision = flowDecision();
  lastDecision = filterDecision;
  stop(FATE_DROPPED, flowReason());
  return true;
}

/** A rewrite failed on the way (not expected for a datagram admit() passed): never guess. */
function replayFailed(): bool {
  stop(FATE_UNSUPPORTED, U_CHAIN);
  return true;
}

/** nf_hook_slow over the plan's steps for `hook`; 1 accepted, 0 stopped. */
export function runHook(hook: u32): u32 {
  const flags = load<u32>(plan);
  const at = plan + 4 + <usize>hook * (1 + MAX_STEPS) * 4;
  const n = load<u32>(at);
  for (let i: u32 = 0; i < n; i++) {
    const step = load<u32>(at + 4 + ((<usize>i) << 2));
    const kind = step >> 24;
    const chain = step & 0xffffff;
    stepIndex = i;
    let ok: u32 = 1;
    if (kind === STEP_CONNTRACK) {
      if (!attached && !untracked) ok = conntrackStep(hook, (flags & PLAN_FLAGS_CONNTRACK_CHECKSUM) !== 0);
    } else if (kind === STEP_CONFIRM) {
      if (ctKind === K_TRACKED) {
        if (!confirmEntry(ctEntry, ctDir, now)) ok = stop(FATE_DROPPED, D_CONFIRM);
        else ctEntry = confirmedIdx;
      }
    } else if (kind === STEP_DEFRAG) {
      if (!attached && !untracked)
        ok = defragStep(hook === HOOK_PREROUTING ? USER_CONNTRACK_IN : USER_CONNTRACK_OUT);
    } else if (kind === STEP_NAT) ok = natStep(hook, chain);
    else if (kind === STEP_TABLE || kind === STEP_FILTER) {
      ok = tableStep(chain, kind === STEP_FILTER);
      takeUpGrowth();
    } else ok = stop(FATE_UNSUPPORTED, U_CHAIN);
    if (ok === 0) {
      if (stopFate === FATE_DROPPED || stopFate === FATE_REJECTED) releaseIfUnconfirmed();
      return 0;
    }
  }
  return 1;
}

/** A walk grew the packet in place (TCPMSS added an option): the datagram and its result are longer. */
function takeUpGrowth(): void {
  const g = takeGrowth();
  if (g === 0) return;
  ipLen += g;
  store<u32>(curOut, ipLen, 24);
}

/**
 * Admits what this path handles: IPv4 without options, with its whole transport header — or a
 * fragment that nf_defrag_ipv4 takes before anything reads past its IP header, a later fragment
 * (no transport header: the walks' guards see its offset), a first fragment with the header.
 */
function admit(p: usize, avail: u32): u32 {
  if (avail < 20 || load<u8>(p) !== 0x45) return U_IP_HEADER;
  const total = be16(p + 2);
  if (total < 20 || total > avail) return U_IP_HEADER;
  const frag = be16(p + 6) & 0x3fff;
  if (frag !== 0 && (defragIn || (frag & 0x1fff) !== 0)) return 0;
  const proto = <u32>load<u8>(p, 9);
  const l4 = total - 20;
  const t = p + 20;
  if (proto === 6) {
    if (l4 < 20) return U_TRANSPORT;
    const doff = (<u32>load<u8>(t, 12) >> 4) << 2;
    if (doff < 20 || doff > l4) return U_TRANSPORT;
  } else if (proto === 17) {
    if (l4 < 8) return U_TRANSPORT;
    // A first fragment's UDP length is the datagram's.
    const ulen = be16(t + 4);
    if (ulen < 8 || (ulen > l4 && frag === 0)) return U_TRANSPORT;
  } else if (proto === 1) {
    if (l4 < 8) return U_TRANSPORT;
    // Redirects are left to the reference engine (nf_nat_icmp_reply_translation may drop them).
    if (<u32>load<u8>(t) === 5) return U_ICMP_REDIRECT;
  }
  return 0;
}

/** ICMP's checksum over the message (icmp_rcv's checksum test; transportChecksumValid). */
function icmpChecksumOk(): bool {
  return internetChecksum(ip + 20, <i32>ipLen - 20) === 0;
}

/** ip_local_deliver_finish: a socket takes it, or the kernel answers (kernel-answers.ts). */
function localDeliverFinish(): u32 {
  const proto = field(P_PROTO);
  const trusted = iifIndex === 0;
  if (proto === 6 || proto === 17) {
    const port = field(P_DPORT);
    const sock = load<u32>(ask(Q_SOCKET, proto, field(P_DST), port));
    if (sock !== SOCK_NONE) {
      // A listener answers a SYN with its SYN-ACK.
      if (proto === 6 && (field(P_TCPFLAGS) & 0x17) === 0x02) {
        if (answered(synAckReply(ip, iifIndex, port, sock === SOCK_PROXY)) === 0) return 0;
      }
      return stop(FATE_DELIVERED, sock);
    }
    // The host's answer about a closed port may be held back (icmp_ratelimit) now and sent for
    // a later packet of the flow: such a way is not the flow's to replay.
    flowRecordSpoil();
    if (proto === 6) {
      // tcp_v4_send_reset: nothing listens; no RST answers a RST.
      if ((field(P_TCPFLAGS) & 0x04) !== 0) {
        releaseIfUnconfirmed();
        return stop(FATE_DROPPED, D_RST_CLOSED);
      }
      if (answered(closedPortReply(ip, ipLen, true, trusted, attachEntry(), ctDir, now)) === 0) return 0;
      return stop(FATE_DELIVERED, TO_CLOSED_TCP);
    }
    if (answered(closedPortReply(ip, ipLen, false, trusted, attachEntry(), ctDir, now)) === 0) return 0;
    return stop(FATE_DELIVERED, TO_CLOSED_UDP);
  }
  if (proto === 1 && field(P_ICMPTYPE) === 8) {
    // icmp_rcv → icmp_echo: a bad checksum drops it; icmp_echo_ignore_all keeps the host quiet.
    if (!icmpChecksumOk()) {
      releaseIfUnconfirmed();
      return stop(FATE_DROPPED, D_BAD_ICMP_CHECKSUM);
    }
    if (echoIgnored()) return stop(FATE_DELIVERED, TO_ECHO_IGNORED);
    if (answered(echoReply(ip, ipLen)) === 0) return 0;
    return stop(FATE_DELIVERED, TO_ECHO_REPLY);
  }
  // inet_protos: ICMP, IGMP, TCP, UDP, UDP-Lite are the kernel's; others get protocol unreachable.
  if (proto !== 1 && proto !== 2 && proto !== 136) {
    if (sendIcmp(3, 2, 0, C_PROT_UNREACH) === 0) return 0;
    return stop(FATE_DELIVERED, TO_PROT_UNREACH);
  }
  return stop(FATE_DELIVERED, TO_KERNEL);
}

/** ip_local_deliver: a fragment reassembled (or held), INPUT, then the socket or the kernel's answer. */
export function localIn(): void {
  if (defragStep(USER_LOCAL_DELIVER) === 0) return;
  if (runHook(HOOK_INPUT) !== 0) localDeliverFinish();
}

// What the last defrag step found, for the result record (end()).
let heldWord1: u32 = 0;
let heldWord2: u32 = 0;
let heldWord7: u32 = 0;

/**
 * ip_defrag for the packet in flight as `user` (reassembly.ts gatherFragments): a whole datagram
 * goes on; a fragment is held or dropped (NF_STOLEN, 0); the one that completes its datagram
 * goes on as the datagram, with the first fragment's frame addresses and what ip_fragment
 * needs to cut it again.
 */
function defragStep(user: u32): u32 {
  if ((be16(ip + 6) & 0x3fff) === 0) return 1;
  const r = defragment(ip, ipLen, user, iifIndex, frameMac, now);
  if (r === DEFRAG_FULL) return stop(FATE_UNSUPPORTED, U_FRAGMENT_ROOM);
  if (r === DEFRAG_HELD) {
    releaseIfUnconfirmed();
    heldWord1 = heldFragments;
    heldWord2 = heldMeat;
    heldWord7 = heldLen | (heldLastIn ? 0x80000000 : 0);
    return stop(FATE_QUEUED, user);
  }
  if (r !== DEFRAG_COMPLETE) {
    releaseIfUnconfirmed();
    heldWord7 = reassembledLength;
    return stop(FATE_DROPPED, D_DEFRAG | (user << 4) | r);
  }
  ip = reassembled;
  ipLen = reassembledLength;
  store<u32>(curOut, <u32>(ip - batchBytes), 20);
  store<u32>(curOut, ipLen, 24);
  if (headMac !== 0) {
    store<u32>(meta, bswap<u32>(load<u32>(headMac, 6)), 24);
    store<u32>(meta, ((<u32>load<u8>(headMac, 10)) << 8) | <u32>load<u8>(headMac, 11) | 0x10000, 28);
    setMacDestination(headMac);
  } else {
    store<u32>(meta, 0, 24);
    store<u32>(meta, 0, 28);
  }
  redecode();
  setFragInfo(fragMaxSize, fragPmtu, user !== USER_LOCAL_DELIVER, pieces, pieceCount);
  // The flow cache's ways are those of whole datagrams, which leave whole.
  noFlow = true;
  const why = admit(ip, ipLen);
  if (why !== 0) return stop(FATE_UNSUPPORTED, why);
  return 1;
}

/**
 * ip_expire for the queues whose ipfrag_time ran out by now, oldest first: an end host sends
 * ICMP time exceeded (fragment reassembly) about a first fragment that came — conntrack's
 * queues only when it was addressed to the host (frag_expire_skip_icmp). Returns 0, or why
 * the frame is UNSUPPORTED.
 */
function runFragmentTimers(): u32 {
  for (let q = nextExpired(now); q !== QUEUES; q = nextExpired(now)) {
    const head = expiredHead(q);
    if (head === 0) {
      expiredDone(q);
      continue;
    }
    const iif = expiredIif(q);
    const type = load<u32>(inputRoute(be32(head + 16), be32(head + 12), iif));
    const quiet =
      type === RT_ERROR ||
      (type !== RT_LOCAL && type !== RT_FORWARD) ||
      (expiredUser(q) !== USER_LOCAL_DELIVER && type !== RT_LOCAL);
    if (quiet) {
      expiredDone(q);
      continue;
    }
    const a = icmpSend(head, expiredHeadLength(q), iif, 11, 1, 0, C_FRAG_TIME, CT_NONE, 0, now);
    expiredDone(q);
    if (a !== A_OK) return a === A_RATE_TABLE ? U_RATE_TABLE : U_ROOM;
    endJourneyReplies(0);
    const why = flushReplies(0);
    if (why !== 0) return why;
  }
  return 0;
}

/** Resets the packet in flight for the datagram at `p` (`len` bytes) from `iif` (0: generated). */
export function beginJourney(p: usize, len: u32, iif: u32, mac: usize = 0): void {
  ip = p;
  ipLen = len;
  iifIndex = iif;
  ctKind = CT_KIND_NONE;
  ctInfo = 0;
  ctDir = 0;
  ctEntry = CT_NONE;
  attached = false;
  untracked = false;
  castRoute = false;
  lastDecision = NONE;
  filterDecision = NONE;
  stopFate = 0;
  stopReason = 0;
  clearFragInfo();
  zeroQuads(meta, META_BYTES);
  store<u32>(meta, iif, 12);
  setBridgePorts(0, 0);
  // A received frame's source MAC (the mac match) and destination MAC (pkttype).
  if (mac !== 0) {
    store<u32>(meta, bswap<u32>(load<u32>(mac, 6)), 24);
    store<u32>(meta, ((<u32>load<u8>(mac, 10)) << 8) | <u32>load<u8>(mac, 11) | 0x10000, 28);
    setMacDestination(mac);
  }
  if (p !== 0) {
    decode(ip, ipLen, meta, ifacesAt);
    setPacketInterfaces(iif, 0);
  }
}

/** nf_ct_attach: the generated packet is tied to `entry` (RELATED one way or the other). */
export function attachJourney(entry: u32, info: u32, dir: u32): void {
  ctKind = K_TRACKED;
  ctEntry = entry;
  ctInfo = info;
  ctDir = dir;
  attached = true;
}

/** The routed packet leaves by `oif` (its registry index): -o and the output interface matches. */
export function setOutputInterface(oif: u32): void {
  store<u32>(meta, (load<u32>(meta, 12) & 0xffff) | (oif << 16), 12);
  setOif(ifacesAt, oif);
  setPacketInterfaces(load<u32>(meta, 12) & 0xffff, oif);
}

/**
 * loopback_xmit → ip_rcv: the packet comes back in on lo with the connection it has
 * (conntrack skips it), no output device, and nothing decided yet.
 */
export function enterLoopback(): void {
  iifIndex = loopbackIndex;
  attached = ctKind !== CT_KIND_NONE;
  lastDecision = NONE;
  filterDecision = NONE;
  store<u32>(meta, loopbackIndex, 12);
  redecode();
  setOif(ifacesAt, 0);
  setPacketInterfaces(loopbackIndex, 0);
}

export function journeyField(slot: u32): u32 {
  return field(slot);
}
export function journeyIp(): usize {
  return ip;
}
export function journeyLength(): u32 {
  return ipLen;
}
export function journeyStopFate(): u32 {
  return stopFate;
}
export function journeyStopReason(): u32 {
  return stopReason;
}
/** What let the packet out: the filter table's decision when it met one, else the last table's. */
export function journeyDecision(): u32 {
  return filterDecision !== NONE ? filterDecision : lastDecision;
}
/** __icmp_send about the packet in flight (ip_fragment's fragmentation needed). */
export function journeyIcmpSend(type: u32, code: u32, info: u32, cause: u32): u32 {
  return sendIcmp(type, code, info, cause);
}

/** One received frame; false when it is UNSUPPORTED. */
function receive(f: usize, bytes: usize, out: usize): bool {
  const at = bytes + <usize>load<u32>(f);
  const caplen = load<u32>(f, 4);
  // The frame may grow into the slack the batch leaves after it (src/engine/wasm/engine.ts).
  setGrowRoom(at, at + <usize>caplen + FRAME_SLACK);
  const io = load<u32>(f, 8);
  const iif = io & 0xffff;
  const link = (io >> 16) & 0xf;
  now = load<i64>(f, 16);
  setWalkTime(now);
  prngBeginPacket(load<u32>(f, 12), load<u32>(f, 24));
  curOut = out;
  clone = false;
  flowRecordStop();
  fdbClock(now);
  // Timers that fired since the last frame: fragment queues that waited too long.
  if (timersDue(now)) {
    const why = runFragmentTimers();
    if (why !== 0) return unsupported(out, why);
  }
  // The journey is begun below (beginJourney, rawSend); the ways out before it write only `out`.
  zeroQuads(out, OUT_BYTES);
  store<u32>(out, NONE, 4);
  curOut = out;
  curIif = iif;
  outOif = 0;
  flowRecordStop();
  noFlow = false;
  clone = false;
  fdbClock(now);
  // br_handle_frame: the bridge learns where the sender is, whatever the frame carries.
  const bridge = bridgeOfPort(iif);
  if (bridge !== 0 && link === LINK_ETHERNET && caplen >= 14 && !fdbLearn(bridge, iif, macAt(at + 6)))
    return unsupported(out, U_BRIDGE_TABLE);
  let p = at;
  let avail = caplen;
  if (link === LINK_ETHERNET) {
    if (caplen < 14 || be16(at + 12) !== 0x0800) return unsupported(out, U_LINK);
    p = at + 14;
    avail = caplen - 14;
  } else if (link !== LINK_RAW) return unsupported(out, U_LINK);
  const why = admit(p, avail);
  if (why !== 0) return unsupported(out, why);
  // The host's own fragments (OUTPUT's defrag) and fragments on bridge ports are not taken yet.
  if ((be16(p + 6) & 0x3fff) !== 0 && ((io & FRAME_LOCAL) !== 0 || bridge !== 0))
    return unsupported(out, U_FRAGMENT);
  frameMac = link === LINK_ETHERNET ? at : 0;
  ipLen = be16(p + 2);
  store<u32>(out, <u32>(p - bytes), 20);
  store<u32>(out, ipLen, 24);
  if ((io & FRAME_LOCAL) !== 0) {
    // The host's own packet, as a raw socket sends it (local-out.ts).
    rawSend(p, ipLen);
    store<u32>(out, nextHopOut, 28);
    return end(out);
  }
  // Through a bridge, iptables sees the bridge as the input interface.
  beginJourney(p, ipLen, bridge !== 0 ? bridge : iif, link === LINK_ETHERNET ? at : 0);
  if (bridge !== 0) {
    if (bridgeCallsIptables) setBridgePorts(iif, 0);
    if (link === LINK_ETHERNET) {
      if (!sawAddress(bridge, field(P_SRC), macAt(at + 6))) return unsupported(out, U_BRIDGE_TABLE);
      const macDst = macAt(at);
      const own = isOwnMac(bridge, macDst);
      noFlow = !own;
      bridgeInput(iif, bridge, macDst, own);
      return end(out);
    }
  }
  ipRcv();
  return end(out);
}

/** ip_rcv: ip_rcv_core's header checksum, PREROUTING, then the routing decision. */
export function ipRcv(): void {
  if (internetChecksum(ip, 20) !== 0) {
    stop(FATE_DROPPED, D_BAD_IP_CHECKSUM);
    return;
  }
  if (runHook(HOOK_PREROUTING) !== 0) ipRcvFinish();
}

/** ip_rcv_finish: the routing decision after PREROUTING — local, forward, broadcast, or ip_error. */
export function ipRcvFinish(): void {
  const a = inputRoute(field(P_DST), field(P_SRC), iifIndex);
  const type = load<u32>(a);
  if (type === RT_ERROR) {
    // ip_error: destination unreachable when forwarding is on, then the drop.
    const code = load<u32>(a, 4);
    if (
      code === NONE ||
      answered(
        ipErrorReply(ip, ipLen, iifIndex, code, C_IP_ERROR | (code << 8), attachEntry(), ctDir, now),
      ) !== 0
    ) {
      releaseIfUnconfirmed();
      stop(FATE_DROPPED, D_NO_ROUTE);
    }
  } else if (type === RT_LOCAL) {
    flowRecordRoute(true, 0, 0, 0);
    localIn();
  } else if (type === RT_FORWARD) {
    outOif = load<u32>(a, 4);
    let nextHop = load<u32>(a, 8);
    if (nextHop === NEXT_HOP_DESTINATION) nextHop = field(P_DST);
    const mtu = load<u32>(a, 12);
    flowRecordRoute(false, outOif, nextHop, mtu);
    forward(outOif, nextHop, mtu, curOut);
  } else {
    // Broadcast or multicast to this host: INPUT sees it; no socket here takes it.
    castRoute = true;
    if (defragStep(USER_LOCAL_DELIVER) === 0) return;
    if (runHook(HOOK_INPUT) !== 0) {
      releaseIfUnconfirmed();
      stop(FATE_DROPPED, D_CAST_NO_SOCKET);
    }
  }
}

/**
 * A bridged frame leaves the bridge by `port` (FORWARDED_BRIDGED), or is dropped on the way
 * out (`fate`, `reason`): the result names the bridge and the port.
 */
export function bridgedOutput(bridge: u32, port: u32, fate: u32, reason: u32): void {
  outOif = bridge;
  store<u32>(curOut, port, 28);
  stop(fate, reason);
}

// The datagram as PREROUTING left it, for each copy a bridge floods (br_flood clones the skb)
// and for the frame itself when it goes up too: bytes, meta (mark, interfaces), decisions and
// connection.
const savedBytes: usize = memory.data(65536, 16);
const savedMeta: usize = memory.data(<i32>META_BYTES, 16);
let savedLast: u32 = NONE;
let savedFilter: u32 = NONE;
let savedEntry: u32 = CT_NONE;
let savedPhysIn: u32 = 0;
let savedPhysOut: u32 = 0;

export function saveJourney(): void {
  // The skb mark lives in the decoded fields (MARK writes it there); the meta copy needs it.
  store<u32>(meta, field(P_MARK), 16);
  savedPhysIn = physIn;
  savedPhysOut = physOut;
  memory.copy(savedBytes, ip, ipLen);
  memory.copy(savedMeta, meta, META_BYTES);
  savedLast = lastDecision;
  savedFilter = filterDecision;
  savedEntry = ctEntry;
}

/** The datagram back as saveJourney() found it, nothing decided about it since. */
export function restoreJourney(): void {
  memory.copy(ip, savedBytes, ipLen);
  memory.copy(meta, savedMeta, META_BYTES);
  decode(ip, ipLen, meta, ifacesAt);
  const io = load<u32>(meta, 12);
  setPacketInterfaces(io & 0xffff, io >> 16);
  setBridgePorts(savedPhysIn, savedPhysOut);
  lastDecision = savedLast;
  filterDecision = savedFilter;
  restoreConnection();
  stopFate = 0;
  stopReason = 0;
  outOif = 0;
  store<u32>(curOut, 0, 28);
}

/**
 * The connection as saveJourney() found it: a copy's confirmation may merge it into another
 * one, which the frame itself (the reference engine's journey, not its clones) does not see.
 */
export function restoreConnection(): void {
  ctEntry = savedEntry;
}

/**
 * The routed packet in flight (FATE_FORWARDED) into the emitted area, after the copies a bridge
 * sent before it; false when the area is full.
 */
export function emitForwarded(): bool {
  const nextHop = load<u32>(curOut, 28);
  if (
    !emit(
      frameIndex,
      outOif,
      nextHop,
      ip,
      ipLen,
      C_FORWARDED,
      journeyDecision(),
      bridgeEgress(outOif, nextHop),
    )
  )
    return false;
  stop(FATE_FORWARDED, FORWARDED_GENERATED);
  return true;
}

/** The frame was bridged (some copy left): forwarded onto the bridge, its copies emitted. */
export function bridgedCopiesOut(bridge: u32): void {
  outOif = bridge;
  stop(FATE_FORWARDED, FORWARDED_GENERATED);
}

/** A next hop the result reports (word 7): bridged DNAT without a neighbour entry. */
export function reportNextHop(hop: u32): void {
  store<u32>(curOut, hop, 28);
}

/** The frame's result, then the replies it caused down the output path. */
function end(out: usize): bool {
  if (stopFate === FATE_UNSUPPORTED) return unsupported(out, stopReason);
  // The way of a packet the host answered is not one its flow's later packets may replay.
  if (waiting > 0) flowRecordSpoil();
  // A routed packet leaves a bridge by the port the forwarding database knows (or floods).
  if (stopFate === FATE_FORWARDED && stopReason === 0)
    store<u32>(out, bridgeEgress(outOif, load<u32>(out, 28)), 28);
  finish(out, stopFate, stopReason, outOif);
  if (stopFate === FATE_QUEUED) {
    store<u32>(out, heldWord1, 4);
    store<u32>(out, heldWord2, 8);
    store<u32>(out, heldWord7, 28);
  } else if (stopFate === FATE_DROPPED && (stopReason & D_DEFRAG) !== 0) store<u32>(out, heldWord7, 28);
  const entry = ctKind === K_TRACKED && ctSnapshots !== 0 ? ctEntry : CT_NONE;
  const snapshot = ctSnapshots + <usize>frameIndex * ENTRY_BYTES;
  if (entry !== CT_NONE) memory.copy(snapshot, entryAt(entry), ENTRY_BYTES);
  endJourneyReplies(0);
  const why = flushReplies(0);
  if (why !== 0) return unsupported(out, why);
  // The connection as the replies left it (a RST may have ended it, NAT bound it), unless its
  // record now holds another one.
  if (entry !== CT_NONE) {
    const e = entryAt(entry);
    if (load<u32>(e, E_ID) === load<u32>(snapshot, E_ID)) memory.copy(snapshot, e, ENTRY_BYTES);
  }
  return true;
}

/**
 * ip_route_input_noref's answer for (dst, src, iif): asked per class of the two addresses
 * (address-class.ts) — the host model answers alike within a class — except for multicast
 * destinations (the groups joined count) or when there are no classes.
 */
function inputRoute(dst: u32, src: u32, iif: u32): usize {
  return askAboutAddresses(Q_ROUTE_IN, dst, src, iif);
}

/** ip_forward, FORWARD, POSTROUTING and the way out. */
function forward(oif: u32, nextHop: u32, mtu: u32, out: usize): void {
  if ((load<u32>(plan) & PLAN_FLAGS_FORWARD) === 0) {
    releaseIfUnconfirmed();
    stop(FATE_DROPPED, D_FORWARDING_OFF);
    return;
  }
  // ip_forward: the TTL is checked before the FORWARD hook (time exceeded).
  if (<u32>load<u8>(ip, 8) <= 1) {
    if (sendIcmp(11, 0, 0, C_TIME_EXCEEDED) === 0) return;
    releaseIfUnconfirmed();
    stop(FATE_DROPPED, D_TTL);
    return;
  }
  if (exceedsMtu(ip, ipLen, mtu)) {
    // ip_exceeds_mtu: DF forbids fragmenting it (fragmentation needed); else it leaves in
    // fragments (finishForward).
    if (sendIcmp(3, 4, mtu, C_FRAG_NEEDED_FORWARD) === 0) return;
    releaseIfUnconfirmed();
    store<u32>(out, mtu, 28);
    stop(FATE_DROPPED, D_FRAG_NEEDED_FORWARD);
    return;
  }
  ipDecreaseTtl(ip);
  redecode();
  setOutputInterface(oif);
  store<u32>(out, nextHop, 28);
  if (runHook(HOOK_FORWARD) === 0) return;
  if (runHook(HOOK_POSTROUTING) === 0) return;
  finishForward(oif, nextHop, mtu);
}

/** ip_finish_output for a forwarded datagram: whole (the frame's bytes), or in fragments (ip_fragment). */
function finishForward(oif: u32, nextHop: u32, mtu: u32): void {
  if (ipLen <= mtu && fragMaxSizeInFlight() === 0) {
    stop(FATE_FORWARDED, 0);
    return;
  }
  const port = bridgeEgress(oif, nextHop);
  const r = finishOutput(ip, ipLen, mtu, frameIndex, oif, nextHop, C_FORWARDED, journeyDecision(), port);
  if (r === OUT_WHOLE) {
    stop(FATE_FORWARDED, 0);
  } else if (r === OUT_FRAGMENTED) {
    // Its fragments are among the emitted packets, which a flow's replay would not send.
    flowRecordSpoil();
    stop(FATE_FORWARDED, FORWARDED_GENERATED);
  } else if (r === OUT_FRAG_NEEDED) {
    if (sendIcmp(3, 4, mtu, C_FRAG_NEEDED_OUTPUT) === 0) return;
    releaseIfUnconfirmed();
    stop(FATE_DROPPED, D_FRAG_NEEDED_OUTPUT);
  } else stop(FATE_UNSUPPORTED, r === OUT_FLOODED ? U_FRAGMENT_FLOOD : U_ROOM);
}

/** The next hop of the host's own packet (its out record's word 7). */
let nextHopOut: u32 = 0;

/** The output interface and next hop the result of the host's own packet names. */
export function setOutputResult(oif: u32, nextHop: u32): void {
  outOif = oif;
  nextHopOut = nextHop;
}

function finish(out: usize, fate: u32, reason: u32, oif: u32): void {
  store<u32>(out, fate | (reason << 8));
  // A REJECT's fate names its rule, whichever table it is in.
  const decision = fate !== FATE_REJECTED && filterDecision !== NONE ? filterDecision : lastDecision;
  flowRecordEnd(fate, reason, decision, FATE_FORWARDED, FATE_DELIVERED, FATE_DROPPED | (D_RULE << 8));
  store<u32>(out, decision, 4);
  store<u32>(out, oif, 8);
  store<u32>(out, ctKind === CT_KIND_NONE ? CT_KIND_NONE : ctKind | (ctInfo << 8) | (ctDir << 16), 12);
  store<u32>(out, ctEntry, 16);
}

/** UNSUPPORTED, with the rule the walk could not decide (U_WALK) in the decision word. */
function unsupported(out: usize, why: u32): bool {
  store<u32>(out, FATE_UNSUPPORTED | (why << 8));
  store<u32>(out, why === U_WALK ? lastDecision : NONE, 4);
  return false;
}

/**
 * Runs frames `first` .. `n` - 1 (FRAME_BYTES records at `frames`, bytes in the area at
 * `bytes`, interface registry at `ifaces`) through the path, results at `out`, the packets the
 * host sent in the emitted area (generated.ts; a batch starts at frame 0, a later `first`
 * carries on after a frame the host took over). Returns the index of the first UNSUPPORTED
 * frame, or `n`.
 */
export function receiveBatch(
  n: u32,
  frames: usize,
  bytes: usize,
  ifaces: usize,
  out: usize,
  first: u32,
): u32 {
  ifacesAt = ifaces;
  batchBytes = bytes;
  if (first === 0) {
    beginEmitted();
    beginCompleted();
  }
  for (let k: u32 = first; k < n; k++) {
    if ((k - first) % PREFETCH_GROUP === 0 && prefetchOn())
      prefetchFrames(frames, FRAME_BYTES, bytes, k, min<u32>(k + PREFETCH_GROUP, n));
    frameIndex = k;
    outOif = 0;
    nextHopOut = 0;
    if (!receive(frames + <usize>k * FRAME_BYTES, bytes, out + <usize>k * OUT_BYTES)) return k;
  }
  return n;
}
