// A frame received on a bridge port (src/engine/reference/bridge-path.ts, br_handle_frame_finish
// with br_netfilter): up to IP when it is for the bridge itself (its MAC or a port's), else
// bridged to the port the forwarding database knows (bridge-fdb.ts) or flooded. With
// bridge-nf-call-iptables, PREROUTING runs once for the frame (br_nf_pre_routing: -i the
// bridge), a DNAT to a station on the same bridge keeps the frame on it (bridged DNAT), and a
// bridged copy passes FORWARD and POSTROUTING (br_nf_forward_ip, br_nf_post_routing: -i/-o the
// bridge); without it iptables sees only what goes up to IP.
//

import { internetChecksum } from '../checksum';
import { HOOK_FORWARD, HOOK_POSTROUTING, HOOK_PREROUTING } from '../conntrack/layout';
import { be16 } from '../memory';
import { P_DST, P_SRC } from '../packet';
import { fdbPort, installFdb, neighbourMac } from './bridge-fdb';
import {
  installTopology,
  isGroupMac,
  NO_MAC,
  otherPorts,
  portAt,
  portBridgeAt,
  portsTotal,
} from './bridge-topology';
import { flowRecordStop } from './flow-cache';
import { C_BRIDGED, emit } from './generated';
import {
  ask,
  askAboutAddresses,
  NEXT_HOP_DESTINATION,
  Q_INTERFACE,
  Q_ROUTE_IN,
  RT_FORWARD,
} from './host-query';
import {
  bridgeCallsIptables,
  bridgedCopiesOut,
  bridgedOutput,
  D_BRIDGE_CHECKSUM,
  D_BRIDGE_HAIRPIN,
  D_BRIDGED_DNAT_NEIGHBOUR,
  D_FRAG_NEEDED_OUTPUT,
  emitForwarded,
  FATE_DROPPED,
  FATE_FORWARDED,
  FATE_UNSUPPORTED,
  FORWARDED_BRIDGED,
  frameIndex,
  ipRcv,
  ipRcvFinish,
  journeyDecision,
  journeyField,
  journeyIp,
  journeyLength,
  journeyStopFate,
  journeyStopReason,
  physInPort,
  releaseIfUnconfirmed,
  reportNextHop,
  restoreConnection,
  restoreJourney,
  runHook,
  saveJourney,
  setBridgePorts,
  setClone,
  setOutputInterface,
  stop,
  U_MTU,
  U_ROOM,
} from './receive';

/** Installs the host's bridges (bridge-topology.ts record at `p`, kept). */
export function engineBridges(p: usize): void {
  installFdb(installTopology(p));
}

/**
 * br_handle_frame_finish for the datagram in flight, received on `port` of `bridge`, to `macDst`
 * (`own`: the bridge's MAC or a port's).
 */
export function bridgeInput(port: u32, bridge: u32, macDst: u64, own: bool): void {
  if (!bridgeCallsIptables) {
    if (own) ipRcv();
    else bridgeFrame(port, bridge, macDst, false);
    return;
  }
  if (internetChecksum(journeyIp(), 20) !== 0) {
    stop(FATE_DROPPED, D_BRIDGE_CHECKSUM);
    return;
  }
  const before = journeyField(P_DST);
  if (runHook(HOOK_PREROUTING) === 0) return;
  const dst = journeyField(P_DST);
  if (dst !== before) {
    // br_nf_pre_routing_finish: after DNAT the frame is routed, unless the new destination is
    // reached through this same bridge: then it is bridged on to the neighbour's MAC.
    const a = askAboutAddresses(Q_ROUTE_IN, dst, journeyField(P_SRC), bridge);
    if (load<u32>(a) === RT_FORWARD && load<u32>(a, 4) === bridge) {
      const gateway = load<u32>(a, 8);
      const hop = gateway === NEXT_HOP_DESTINATION ? dst : gateway;
      const mac = neighbourMac(bridge, hop);
      if (mac === NO_MAC) {
        releaseIfUnconfirmed();
        reportNextHop(hop);
        stop(FATE_DROPPED, D_BRIDGED_DNAT_NEIGHBOUR);
        return;
      }
      bridgeFrame(port, bridge, mac, true);
      return;
    }
    ipRcvFinish();
    return;
  }
  // Up to IP: PREROUTING has run (ip_sabotage_in skips the second pass in ip_rcv).
  if (own) ipRcvFinish();
  else bridgeFrame(port, bridge, macDst, true);
}

/**
 * br_handle_frame_finish's forwarding part: a frame to `macDst` that came in on `port` goes to
 * the port the forwarding database knows (dropped when that is `port`: no hairpin mode), else to
 * every other port (br_flood), each copy from the datagram as PREROUTING left it; broadcast and
 * multicast frames also go up to the host (br_pass_frame_up). One copy's fate is the frame's
 * (the result record names its port); with several, the copies are emitted packets and the
 * frame is forwarded when one left, else it has the last copy's fate — or the way up's.
 */
function bridgeFrame(port: u32, bridge: u32, macDst: u64, callIptables: bool): void {
  // A frame for the bridge itself bridged after DNAT: not a way its flow may replay.
  flowRecordStop();
  const group = isGroupMac(macDst);
  const known = group ? 0 : fdbPort(bridge, macDst);
  const copies: u32 = known !== 0 ? (known === port ? 0 : 1) : otherPorts(bridge, port);
  if (copies === 0 && !group) {
    releaseIfUnconfirmed();
    bridgedOutput(bridge, 0, FATE_DROPPED, D_BRIDGE_HAIRPIN);
    return;
  }
  saveJourney();
  if (copies === 1 && !group) {
    bridgeCopy(known !== 0 ? known : nextPort(bridge, port, 0), bridge, callIptables);
    if (journeyStopFate() === FATE_UNSUPPORTED) return;
  } else {
    let forwarded = false;
    let next: u32 = 0;
    for (let c: u32 = 0; c < copies; c++) {
      const out = known !== 0 ? known : nextPort(bridge, port, next);
      next = floodCursor;
      if (c > 0) restoreJourney();
      bridgeCopy(out, bridge, callIptables);
      const fate = journeyStopFate();
      if (fate === FATE_UNSUPPORTED) return;
      if (fate === FATE_FORWARDED) {
        forwarded = true;
        if (!emit(frameIndex, bridge, 0, journeyIp(), journeyLength(), C_BRIDGED, journeyDecision(), out)) {
          stop(FATE_UNSUPPORTED, U_ROOM);
          return;
        }
      }
    }
    if (group) {
      restoreJourney();
      if (callIptables) ipRcvFinish();
      else ipRcv();
      const up = journeyStopFate();
      if (up === FATE_UNSUPPORTED) return;
      // A packet routed on from here leaves after the copies.
      if (up === FATE_FORWARDED && journeyStopReason() === 0 && !emitForwarded()) {
        stop(FATE_UNSUPPORTED, U_ROOM);
        return;
      }
      if (forwarded) bridgedCopiesOut(bridge);
      return;
    }
    if (forwarded) bridgedCopiesOut(bridge);
  }
  // The last copy gone, an unconfirmed connection is too.
  restoreConnection();
  releaseIfUnconfirmed();
}

/** Where nextPort() stopped: the next call goes on from there. */
let floodCursor: u32 = 0;

/** The first port of `bridge` other than `except` at or after position `from` in br_flood order. */
function nextPort(bridge: u32, except: u32, from: u32): u32 {
  for (let i: u32 = from; i < portsTotal(); i++) {
    const p = portAt(i);
    if (portBridgeAt(i) === bridge && p !== except) {
      floodCursor = i + 1;
      return p;
    }
  }
  floodCursor = portsTotal();
  return 0;
}

/**
 * One copy of the frame out of `egress`: with bridge-nf-call-iptables br_nf_forward_ip →
 * FORWARD, br_nf_post_routing → POSTROUTING (no TTL change) and br_nf_ip_fragment (too long with
 * DF: dropped silently); without it, straight out (br_forward).
 */
function bridgeCopy(egress: u32, bridge: u32, callIptables: bool): void {
  setClone(true);
  if (callIptables) {
    setOutputInterface(bridge);
    setBridgePorts(physInPort(), egress);
    if (runHook(HOOK_FORWARD) === 0 || runHook(HOOK_POSTROUTING) === 0) {
      setClone(false);
      return;
    }
    const len = journeyLength();
    if (len > load<u32>(ask(Q_INTERFACE, egress, 0, 0))) {
      if ((be16(journeyIp() + 6) & 0x4000) === 0) stop(FATE_UNSUPPORTED, U_MTU);
      else bridgedOutput(bridge, egress, FATE_DROPPED, D_FRAG_NEEDED_OUTPUT);
      setClone(false);
      return;
    }
  }
  setClone(false);
  bridgedOutput(bridge, egress, FATE_FORWARDED, FORWARDED_BRIDGED);
}
