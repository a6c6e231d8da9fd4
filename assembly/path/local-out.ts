// Packets the host generates (src/engine/reference/local-out.ts, ip-output.ts): ip_local_out →
// the output route → OUTPUT (raw, conntrack, mangle, nat, filter, security) → re-routing when
// NAT or a mark changed the destination (ip_route_me_harder) → POSTROUTING and out of the
// interface into the emitted area (generated.ts), or through lo back into PREROUTING, INPUT and
// local delivery (loopback_xmit). These are the replies a frame caused — run after it, depth
// first — and the host's own packets in a trace (`@local`: rawSend).

import { internetChecksum } from '../checksum';
import { HOOK_OUTPUT, HOOK_POSTROUTING, HOOK_PREROUTING } from '../conntrack/layout';
import { prngNextU32 } from '../conntrack/prng';
import { be16, be32 } from '../memory';
import { P_DST, P_MARK, P_SRC } from '../packet';
import { bridgeEgress } from './bridge-fdb';
import { finishOutput, OUT_FLOODED, OUT_FRAG_NEEDED, OUT_FRAGMENTED } from './fragment-output';
import {
  ATTACH_TRACKED,
  C_FRAG_NEEDED_OUTPUT,
  C_SENT_BY_HOST,
  dropRepliesTo,
  emit,
  endJourneyReplies,
  replyAttach,
  replyBytes,
  replyCause,
  replyCtinfo,
  replyDir,
  replyEntry,
  replyLength,
  waiting,
} from './generated';
import {
  ask,
  askAboutAddresses,
  NEXT_HOP_DESTINATION,
  Q_INTERFACE,
  Q_REROUTE_OUT,
  Q_ROUTE_OUT,
  RT_ERROR,
  RT_LOCAL,
  THE_DESTINATION,
} from './host-query';
import {
  attachJourney,
  beginJourney,
  D_FRAG_NEEDED_OUTPUT,
  D_OUTPUT_ROUTE,
  D_REROUTE,
  enterLoopback,
  FATE_DROPPED,
  FATE_FORWARDED,
  FATE_UNSUPPORTED,
  FORWARDED_GENERATED,
  frameIndex,
  journeyDecision,
  journeyField,
  journeyIcmpSend,
  journeyIp,
  journeyLength,
  journeyStopFate,
  journeyStopReason,
  localIn,
  releaseIfUnconfirmed,
  runHook,
  setOutputInterface,
  setOutputResult,
  stop,
  U_FRAGMENT_FLOOD,
  U_ROOM,
} from './receive';

function put16(p: usize, v: u32): void {
  store<u16>(p, bswap<u16>(<u16>v));
}

/**
 * raw_send_hdrinc for the host's own datagram at `p` (`len` bytes, its tot_len): a zero source
 * is filled in by the route, a zero IP id gets the kernel's choice, the header checksum is
 * computed afresh; then ip_local_out with no owning socket.
 */
export function rawSend(p: usize, len: u32): void {
  if (be32(p + 12) === 0) {
    const a = askAboutAddresses(Q_ROUTE_OUT, be32(p + 16), 0, 0);
    // A local destination's route gives the destination itself as the source.
    let prefsrc = load<u32>(a, 12);
    if (prefsrc === THE_DESTINATION) prefsrc = be32(p + 16);
    if (load<u32>(a) !== RT_ERROR && prefsrc !== 0) store<u32>(p, bswap<u32>(prefsrc), 12);
  }
  if (be16(p + 4) === 0) put16(p + 4, prngNextU32() & 0xffff);
  put16(p + 10, 0);
  put16(p + 10, internetChecksum(p, 20));
  beginJourney(p, len, 0);
  localOut(C_SENT_BY_HOST);
}

/** ip_route_output, OUTPUT, ip_route_me_harder, then POSTROUTING or the loop through lo. */
function localOut(cause: u32): void {
  const dst = journeyField(P_DST);
  let a = askAboutAddresses(Q_ROUTE_OUT, dst, journeyField(P_SRC), 0);
  if (load<u32>(a) === RT_ERROR) {
    releaseIfUnconfirmed();
    stop(FATE_DROPPED, D_OUTPUT_ROUTE);
    return;
  }
  let type = load<u32>(a);
  let oif = load<u32>(a, 4);
  let nextHop = load<u32>(a, 8);
  if (nextHop === NEXT_HOP_DESTINATION) nextHop = dst;
  setOutputInterface(oif);
  const mark = journeyField(P_MARK);
  if (runHook(HOOK_OUTPUT) === 0) return;
  if (journeyField(P_DST) !== dst || journeyField(P_MARK) !== mark) {
    a = askAboutAddresses(Q_REROUTE_OUT, journeyField(P_DST), journeyField(P_SRC), journeyField(P_MARK));
    if (load<u32>(a) === RT_ERROR) {
      releaseIfUnconfirmed();
      // The host spells the reason out from the mark the lookup used.
      setOutputResult(0, journeyField(P_MARK));
      stop(FATE_DROPPED, D_REROUTE);
      return;
    }
    type = load<u32>(a);
    oif = load<u32>(a, 4);
    nextHop = load<u32>(a, 8);
    if (nextHop === NEXT_HOP_DESTINATION) nextHop = journeyField(P_DST);
    setOutputInterface(oif);
  }
  if (type === RT_LOCAL) {
    // POSTROUTING by lo, then straight back in: PREROUTING keeps the connection it has.
    if (runHook(HOOK_POSTROUTING) === 0) return;
    enterLoopback();
    if (runHook(HOOK_PREROUTING) === 0) return;
    localIn();
    return;
  }
  postRouting(oif, nextHop, cause);
}

/** POSTROUTING, then ip_finish_output: out of `oif` whole, or fragmentation needed with DF. */
function postRouting(oif: u32, nextHop: u32, cause: u32): void {
  if (runHook(HOOK_POSTROUTING) === 0) return;
  const ip = journeyIp();
  const len = journeyLength();
  const mtu = load<u32>(ask(Q_INTERFACE, oif, 0, 0));
  if (len > mtu) {
    // ip_fragment: in MTU-sized pieces, or fragmentation needed with DF.
    const port = bridgeEgress(oif, nextHop);
    const r = finishOutput(ip, len, mtu, frameIndex, oif, nextHop, cause, journeyDecision(), port);
    if (r === OUT_FRAG_NEEDED) {
      if (journeyIcmpSend(3, 4, mtu, C_FRAG_NEEDED_OUTPUT) === 0) return;
      releaseIfUnconfirmed();
      setOutputResult(oif, nextHop);
      stop(FATE_DROPPED, D_FRAG_NEEDED_OUTPUT);
      return;
    }
    if (r !== OUT_FRAGMENTED) {
      stop(FATE_UNSUPPORTED, r === OUT_FLOODED ? U_FRAGMENT_FLOOD : U_ROOM);
      return;
    }
    setOutputResult(oif, nextHop);
    stop(FATE_FORWARDED, FORWARDED_GENERATED);
    return;
  }
  if (!emit(frameIndex, oif, nextHop, ip, len, cause, journeyDecision(), bridgeEgress(oif, nextHop))) {
    stop(FATE_UNSUPPORTED, U_ROOM);
    return;
  }
  setOutputResult(oif, nextHop);
  stop(FATE_FORWARDED, FORWARDED_GENERATED);
}

/**
 * flushReplies: the replies waiting above `base`, each down the output path and its own
 * replies after it. Returns 0, or why the frame is UNSUPPORTED.
 */
export function flushReplies(base: u32): u32 {
  while (waiting > base) {
    const t = waiting - 1;
    beginJourney(replyBytes(t), replyLength(t), 0);
    if (replyAttach(t) === ATTACH_TRACKED) attachJourney(replyEntry(t), replyCtinfo(t), replyDir(t));
    localOut(replyCause(t));
    if (journeyStopFate() === FATE_UNSUPPORTED) return journeyStopReason();
    endJourneyReplies(t + 1);
    const why = flushReplies(t + 1);
    if (why !== 0) return why;
    dropRepliesTo(t);
  }
  return 0;
}
