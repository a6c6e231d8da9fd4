// Connection tracking and NAT with the Linux kernel's semantics, for the reference engine.
//
// Per packet, the engine calls:
//   PREROUTING / OUTPUT   conntrackIn(table, pkt, now, hook)       -> TrackResult (state, entry)
//   nat hooks             natHook(table, track, pkt, hook, now, prng, walk) -> verdict + Rewrite
//   POSTROUTING / INPUT   confirm(table, track, now)               -> insert new connections
// `now` is the packet's timestamp in nanoseconds; nothing reads a clock. `table.expire(now)`
// sweeps expired connections; `snapshot(table, now)` lists them like `conntrack -L`.

export { type ConntrackInOptions, confirm, conntrackIn, packetTuple } from './core.js';
export { type CtInfo, type CtState, ctState, type TrackResult } from './ct-info.js';
export { ConnEntry, type ProtoState } from './entry.js';
export { icmpIsError } from './icmp.js';
export { hostWord, jhash2, reciprocalScale } from './jhash.js';
export {
  type IcmpErrorRewrite,
  type IcmpTranslation,
  type NatContext,
  natIcmpReplyTranslation,
  natInitialized,
  natNullBinding,
  natPacket,
  natSetupInfo,
  type Rewrite,
} from './nat.js';
export { type NatHookPacket, type NatHookResult, natHook } from './nat-hook.js';
export {
  hookManip,
  type Manip,
  masqueradeRange,
  type NatRange2,
  NF_NAT_RANGE_MAP_IPS,
  NF_NAT_RANGE_PERSISTENT,
  NF_NAT_RANGE_PROTO_OFFSET,
  NF_NAT_RANGE_PROTO_RANDOM,
  NF_NAT_RANGE_PROTO_RANDOM_FULLY,
  NF_NAT_RANGE_PROTO_SPECIFIED,
  natRangeFromIr,
  netmapRange,
  redirectRange,
} from './nat-range.js';
export { getUniqueTuple, natUsedTuple, type TupleChoiceContext } from './nat-tuple.js';
export type { CtPacket, IcmpHeader, QuotedPacket, TcpOptions, TcpSegment } from './packet.js';
export { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from './packet.js';
export { PacketRandom, packetSeed } from './packet-random.js';
export { type Prng, randomU16, Xoshiro128ss } from './prng.js';
export { type ConnSnapshot, snapshot, snapshotEntry } from './snapshot.js';
export * from './status.js';
export {
  allowClash,
  type ConfirmResult,
  type ConntrackStats,
  ConntrackTable,
  type TableOptions,
} from './table.js';
export { tcpIndex, tcpStateOf, tcpTransition } from './tcp.js';
export { TCP_STATE_NAMES, type TcpState, type TcpStateName } from './tcp-state.js';
export {
  CONNTRACK_SYSCTLS,
  type ConntrackSettings,
  DEFAULT_SETTINGS,
  seconds,
  settingsFromSysctls,
} from './timeouts.js';
export {
  type Direction,
  formatTuple,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  invertTuple,
  otherDirection,
  type Tuple,
  tupleEqual,
  tupleKey,
} from './tuple.js';
