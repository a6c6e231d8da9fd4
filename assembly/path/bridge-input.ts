// A frame received on a bridge port (src/engine/reference/bridge-path.ts, br_handle_frame_finish
// with br_netfilter): up to IP when it is for the bridge itself (its MAC or a port's), else
// bridged to the port the forwarding database knows (bridge-fdb.ts) or flooded. With
// bridge-nf-call-iptables, PREROUTING runs once for the frame (br_nf_pre_routing: -i the
// bridge), a DNAT to a station on the same bridge keeps the frame on it (bridged DNAT), and a
// bridged copy passes FORWARD and POSTROUTING (br_nf_forward_ip, br_nf_post_routing: -i/-o the
// bridge); without it iptables sees only what goes up to IP.
//
// One copy is all the path makes: a frame flooded to several ports, or a broadcast or multicast
// one that also goes up to the host (br_pass_frame_up), stops the batch as UNSUPPORTED.

import { internetChecksum } from '../checksum';
import { HOOK_FORWARD, HOOK_POSTROUTING, HOOK_PREROUTING } from '../conntrack/layout';
import { be16 } from '../memory';
import { P_DST, P_SRC } from '../packet';
import { fdbPort, installFdb, neighbourMac } from './bridge-fdb';
import { installTopology, isGroupMac, isOwnMac, NO_MAC, otherPort, otherPorts } from './bridge-topology';
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
  bridgedOutput,
  D_BRIDGE_CHECKSUM,
  D_BRIDGE_HAIRPIN,
  D_BRIDGED_DNAT_NEIGHBOUR,
  D_FRAG_NEEDED_OUTPUT,
  FATE_DROPPED,
  FATE_FORWARDED,
  FATE_UNSUPPORTED,
  FORWARDED_BRIDGED,
  ipRcv,
  ipRcvFinish,
  journeyField,
  journeyIp,
  journeyLength,
  releaseIfUnconfirmed,
  reportNextHop,
  runHook,
  setOutputInterface,
  stop,
  U_BRIDGE_FLOOD,
  U_MTU,
} from './receive';

/** Installs the host's bridges (bridge-topology.ts record at `p`, kept). */
export function engineBridges(p: usize): void {
  installFdb(installTopology(p));
}

/** br_handle_frame_finish for the datagram in flight, received on `port` of `bridge`, to `macDst`. */
export function bridgeInput(port: u32, bridge: u32, macDst: u64): void {
  const own = isOwnMac(bridge, macDst);
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

/** br_handle_frame_finish's forwarding part: a frame to `macDst` that came in on `port`. */
function bridgeFrame(port: u32, bridge: u32, macDst: u64, callIptables: bool): void {
  if (isGroupMac(macDst)) {
    stop(FATE_UNSUPPORTED, U_BRIDGE_FLOOD);
    return;
  }
  const known = fdbPort(bridge, macDst);
  let egress: u32 = 0;
  if (known !== 0) egress = known === port ? 0 : known;
  else {
    const n = otherPorts(bridge, port);
    if (n > 1) {
      stop(FATE_UNSUPPORTED, U_BRIDGE_FLOOD);
      return;
    }
    egress = n === 1 ? otherPort : 0;
  }
  if (egress === 0) {
    releaseIfUnconfirmed();
    bridgedOutput(bridge, 0, FATE_DROPPED, D_BRIDGE_HAIRPIN);
    return;
  }
  if (callIptables) {
    // br_nf_forward_ip → FORWARD, br_nf_post_routing → POSTROUTING; no TTL change.
    setOutputInterface(bridge);
    if (runHook(HOOK_FORWARD) === 0 || runHook(HOOK_POSTROUTING) === 0) return;
    // br_nf_ip_fragment: too long with DF is dropped silently.
    const len = journeyLength();
    if (len > load<u32>(ask(Q_INTERFACE, egress, 0, 0))) {
      if ((be16(journeyIp() + 6) & 0x4000) === 0) {
        stop(FATE_UNSUPPORTED, U_MTU);
        return;
      }
      releaseIfUnconfirmed();
      bridgedOutput(bridge, egress, FATE_DROPPED, D_FRAG_NEEDED_OUTPUT);
      return;
    }
  }
  // The last copy gone, an unconfirmed connection is too.
  releaseIfUnconfirmed();
  bridgedOutput(bridge, egress, FATE_FORWARDED, FORWARDED_BRIDGED);
}
