// The host's bridges as the host model describes them (src/engine/wasm/bridges.ts writes the
// record): which registry indexes are bridges, each port's bridge in the order br_flood visits
// them, the MACs that make a frame the bridge's own (the bridge's and its ports'), and the
// neighbours `ip neigh` lists on a bridge. It does not change during a run.
//
// Record (u32 words): index limit L, then L words: per registry index below L, its bridge's
// index when it is a bridge port, BRIDGE_ITSELF when it is a bridge, else 0; then the port
// count and (port, bridge) pairs in br_flood order; then the own-MAC count and (bridge, MAC high
// 32 bits, MAC low 16 bits) triples; then the neighbour count and (bridge, IPv4, MAC high, MAC
// low) quadruples, the first `ip neigh` entry of each (bridge, address).

/** The role word of a registry index that is a bridge itself. */
const BRIDGE_ITSELF: u32 = 0xffffffff;
/** No MAC (a 48-bit MAC never has its upper bits set). */
export const NO_MAC: u64 = u64.MAX_VALUE;

let limit: u32 = 0;
let roles: usize = 0;
let portCount: u32 = 0;
let ports: usize = 0;
let ownCount: u32 = 0;
let owns: usize = 0;
/** Whether the host has a bridge at all (otherwise the forwarding database is not needed). */
export let anyBridge: bool = false;

/** Reads the record at `p` (kept); returns where the static neighbours start. */
export function installTopology(p: usize): usize {
  limit = load<u32>(p);
  roles = p + 4;
  let at = roles + ((<usize>limit) << 2);
  portCount = load<u32>(at);
  ports = at + 4;
  at = ports + ((<usize>portCount) << 3);
  ownCount = load<u32>(at);
  owns = at + 4;
  anyBridge = false;
  for (let i: u32 = 0; i < limit; i++) if (role(i) === BRIDGE_ITSELF) anyBridge = true;
  return owns + <usize>ownCount * 12;
}

function role(index: u32): u32 {
  return index < limit ? load<u32>(roles + ((<usize>index) << 2)) : 0;
}

/** The bridge `iif` is a port of, or 0. */
export function bridgeOfPort(iif: u32): u32 {
  const r = role(iif);
  return r === BRIDGE_ITSELF ? 0 : r;
}

export function isBridge(index: u32): bool {
  return index !== 0 && role(index) === BRIDGE_ITSELF;
}

/** A frame to `mac` is the bridge's own: the bridge's MAC or one of its ports'. */
export function isOwnMac(bridge: u32, mac: u64): bool {
  for (let i: u32 = 0; i < ownCount; i++) {
    const e = owns + <usize>i * 12;
    if (load<u32>(e) === bridge && macOf(load<u32>(e, 4), load<u32>(e, 8)) === mac) return true;
  }
  return false;
}

/** Ports of all bridges in br_flood order: how many, each one's index and its bridge's. */
export function portsTotal(): u32 {
  return portCount;
}
export function portAt(i: u32): u32 {
  return load<u32>(ports + ((<usize>i) << 3));
}
export function portBridgeAt(i: u32): u32 {
  return load<u32>(ports + ((<usize>i) << 3), 4);
}

/** How many ports of `bridge` there are besides `except`. */
export function otherPorts(bridge: u32, except: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < portCount; i++) if (portBridgeAt(i) === bridge && portAt(i) !== except) n++;
  return n;
}

/** A MAC as a number, first byte highest. */
export function macOf(high: u32, low16: u32): u64 {
  return ((<u64>high) << 16) | <u64>(low16 & 0xffff);
}

/** The MAC at `p` (six bytes). */
export function macAt(p: usize): u64 {
  return macOf(bswap<u32>(load<u32>(p)), ((<u32>load<u8>(p, 4)) << 8) | <u32>load<u8>(p, 5));
}

/** Broadcast and multicast MACs have the group bit (the first byte's lowest). */
export function isGroupMac(mac: u64): bool {
  return ((mac >> 40) & 1) !== 0;
}
