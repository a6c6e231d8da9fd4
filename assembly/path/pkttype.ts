// -m pkttype (xt_pkttype.c pkttype_mt) as src/engine/reference/matches/pkttype.ts rebuilds
// skb->pkt_type: from the received frame's destination MAC; without a link header, from the
// destination address (looped-back copies); a packet generated here is PACKET_HOST. Parameters
// as the pkttype codec writes them: the type (unicast, broadcast, multicast, otherhost), invert.

import { fields, P_DST, P_MACPRESENT } from '../packet';
import { ipv6 } from '../table';
import { addressClass, NO_CLASS } from './address-class';
import { ask, askByKey, NO_DEV, pktIif, Q_ADDRESS_TYPE } from './host-query';

const UNICAST: u32 = 0;
const BROADCAST: u32 = 1;
const MULTICAST: u32 = 2;
/** ADDRESS_TYPE_ORDER's 'broadcast' (src/ir/matches/addrtype.ts). */
const RTN_BROADCAST: u32 = 3;

/** The received frame's destination MAC: first four bytes, last two. */
let macDstHead: u32 = 0;
let macDstTail: u32 = 0;

/** The received Ethernet frame at `at`: its destination MAC, which the mac source comes with. */
export function setMacDestination(at: usize): void {
  macDstHead = bswap<u32>(load<u32>(at));
  macDstTail = ((<u32>load<u8>(at, 4)) << 8) | <u32>load<u8>(at, 5);
}

function field(slot: u32): u32 {
  return load<u32>(fields + ((<usize>slot) << 2));
}

function isBroadcastAddress(addr: u32): bool {
  const c = addressClass(addr);
  const answer =
    c === NO_CLASS
      ? ask(Q_ADDRESS_TYPE, addr, NO_DEV, 0)
      : askByKey(Q_ADDRESS_TYPE, c, NO_DEV, 0, addr, NO_DEV, 0);
  return load<u32>(answer) === RTN_BROADCAST;
}

function packetType(): u32 {
  if (field(P_MACPRESENT) !== 0) {
    if (((macDstHead >>> 24) & 1) === 0) return UNICAST;
    return macDstHead === 0xffffffff && macDstTail === 0xffff ? BROADCAST : MULTICAST;
  }
  if (pktIif === 0) return UNICAST;
  const dst = field(P_DST);
  if (ipv6) return dst >>> 24 === 0xff ? MULTICAST : UNICAST;
  if (dst >>> 28 === 0xe) return MULTICAST;
  return dst === 0xffffffff || isBroadcastAddress(dst) ? BROADCAST : UNICAST;
}

export function pkttypeHolds(p: usize): bool {
  return (packetType() === load<u32>(p)) !== (load<u32>(p, 4) !== 0);
}
