// One NAT hook for one packet (nf_nat_ipv4_fn / nf_nat_ipv6_fn and nf_nat_inet_fn): ICMP
// errors RELATED to a connection get their reply translation; the first packet of a connection
// (NEW, or RELATED) walks the nat table once per manip type — a NAT target there calls
// natSetupInfo — and gets the null binding when nothing set one up; then every packet is
// rewritten as its connection's bindings say (nf_nat_packet).
//
// Not modelled: MASQUERADE's drop of connections whose outgoing interface changed
// (nf_nat_oif_changed) and VRF postrouting.

import type { Hook } from '../../ir/ruleset.js';
import type { TrackResult } from './ct-info.js';
import {
  type IcmpErrorRewrite,
  type NatContext,
  natIcmpReplyTranslation,
  natInitialized,
  natNullBinding,
  natPacket,
  type Rewrite,
} from './nat.js';
import { hookManip } from './nat-range.js';
import type { Prng } from './prng.js';
import type { ConntrackTable } from './table.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6 } from './tuple.js';

export type NatHookResult =
  | { readonly verdict: 'ACCEPT'; readonly rewrite: Rewrite | null; readonly icmpError?: undefined }
  | { readonly verdict: 'ACCEPT'; readonly rewrite: null; readonly icmpError: IcmpErrorRewrite | null }
  | { readonly verdict: 'DROP'; readonly reason: string };

export interface NatHookPacket {
  readonly family: 'ipv4' | 'ipv6';
  readonly protocol: number;
  /** The packet's ICMP type, when it is ICMP/ICMPv6. */
  readonly icmpType?: number;
}

/**
 * Runs the NAT hook. `walkNatTable` traverses the nat table's chain for this hook with
 * `ctx`; NAT targets in it call natSetupInfo(ctx, entry, range, hookManip(hook)). It is
 * only called when this manip has not been set up yet.
 */
export function natHook(
  table: ConntrackTable,
  track: TrackResult,
  pkt: NatHookPacket,
  hook: Hook,
  now: bigint,
  prng: Prng,
  walkNatTable: (ctx: NatContext) => 'ACCEPT' | 'DROP',
): NatHookResult {
  if (track.kind !== 'tracked') return { verdict: 'ACCEPT', rewrite: null };
  const { entry, ctinfo, direction } = track;
  const related = ctinfo === 'RELATED' || ctinfo === 'RELATED_REPLY';
  const icmpProto = pkt.family === 'ipv4' ? IPPROTO_ICMP : IPPROTO_ICMPV6;
  if (related && pkt.protocol === icmpProto) {
    const tr = natIcmpReplyTranslation(entry, ctinfo, hook, pkt.icmpType ?? 0, pkt.family);
    if (tr.verdict === 'DROP') return tr;
    return { verdict: 'ACCEPT', rewrite: null, icmpError: tr.rewrite };
  }
  const manip = hookManip(hook);
  if ((ctinfo === 'NEW' || related) && !natInitialized(entry, manip)) {
    const ctx: NatContext = { table, prng, now, hook };
    if (walkNatTable(ctx) === 'DROP') return { verdict: 'DROP', reason: 'nat table verdict' };
    if (!natInitialized(entry, manip) && natNullBinding(ctx, entry, manip) === 'DROP') {
      return { verdict: 'DROP', reason: 'null binding failed' };
    }
  }
  return { verdict: 'ACCEPT', rewrite: natPacket(entry, direction, hook, pkt.icmpType) };
}
