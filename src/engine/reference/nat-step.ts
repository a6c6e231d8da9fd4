// nf_nat_ipv4_fn: NAT's hook function where the nat table is registered. A connection's first
// packet walks the nat table (its NAT targets set up the bindings, nf_nat_setup_info); every
// packet of a connection is then rewritten by the bindings (nf_nat_packet), ICMP errors inside
// too (nf_nat_icmp_reply_translation).

import type { Chain, Hook, Table } from '../../ir/ruleset.js';
import { formatPacketSummary } from '../../wire/packet.js';
import { natHook } from '../conntrack/index.js';
import type { EngineState } from './engine-state.js';
import { type HookOutcome, type Journey, packetChanged } from './journey.js';
import { applyIcmpErrorRewrite, applyRewrite } from './rewrite.js';
import { tableStep } from './table-step.js';

export function natStep(s: EngineState, j: Journey, hook: Hook, table: Table, chain: Chain): HookOutcome {
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
    s.conntrack,
    track,
    {
      family: p.decoded.family,
      protocol: p.decoded.protocol,
      ...(p.decoded.icmpType !== null ? { icmpType: p.decoded.icmpType } : {}),
    },
    hook,
    s.now,
    s.prng,
    (ctx) => {
      walked = tableStep(s, j, hook, table, chain, ctx);
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
    // The table's own DROP keeps its rule as the decision; otherwise NAT itself dropped it.
    const w = walked as HookOutcome | null;
    return w?.verdict === 'DROP' ? w : { verdict: 'DROP', reason: `nat: ${r.reason}` };
  }
  let ok = true;
  if (r.rewrite) ok = applyRewrite(p.bytes, 0, p.bytes.length, p.decoded, r.rewrite);
  else if (r.icmpError) ok = applyIcmpErrorRewrite(p.bytes, p.decoded, r.icmpError);
  if (!ok) return { verdict: 'DROP', reason: 'nat: the packet is too short to rewrite' };
  if (r.rewrite || r.icmpError) {
    packetChanged(j);
    const after = formatPacketSummary(p.decoded);
    if (after !== before) j.trace?.push({ kind: 'rewrite', what: `NAT (${hook})`, before, after });
  }
  return { verdict: 'ACCEPT' };
}
