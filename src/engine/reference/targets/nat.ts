// -j DNAT / SNAT / MASQUERADE / REDIRECT / NETMAP: set up the connection's NAT binding on its
// first packet (xt_nat.c, xt_MASQUERADE.c, xt_REDIRECT.c, xt_NETMAP.c, all through
// nf_nat_setup_info) and end the nat table's traversal with its verdict. They only ever run in
// a nat-table walk, which the engine performs for a connection's first packet only.

import type { DnatTarget } from '../../../ir/targets/DNAT.js';
import type { MasqueradeTarget } from '../../../ir/targets/MASQUERADE.js';
import type { NetmapTarget } from '../../../ir/targets/NETMAP.js';
import type { RedirectTarget } from '../../../ir/targets/REDIRECT.js';
import type { SnatTarget } from '../../../ir/targets/SNAT.js';
import {
  hookManip,
  masqueradeRange,
  type NatRange2,
  natRangeFromIr,
  natSetupInfo,
  netmapRange,
  redirectRange,
} from '../../conntrack/index.js';
import { ACCEPT, DROP, type TargetResult } from '../../verdict.js';
import type { TargetContext, TargetExecutor } from '../target-executor.js';

function setup(ctx: TargetContext, range: NatRange2 | 'drop' | 'none', manip: 'src' | 'dst'): TargetResult {
  const entry = ctx.connection;
  if (!entry || !ctx.nat) return ACCEPT; // no connection (NOTRACK): nothing to bind, as the kernel's WARN path
  if (range === 'drop') return DROP;
  if (range === 'none') return ACCEPT;
  return natSetupInfo(ctx.nat, entry, range, manip) === 'DROP' ? DROP : ACCEPT;
}

export const dnatExecutor: TargetExecutor<DnatTarget> = {
  kind: 'DNAT',
  run: (t, ctx) => setup(ctx, natRangeFromIr(t.range, ctx.family), 'dst'),
};

export const snatExecutor: TargetExecutor<SnatTarget> = {
  kind: 'SNAT',
  run: (t, ctx) => setup(ctx, natRangeFromIr(t.range, ctx.family), 'src'),
};

export const masqueradeExecutor: TargetExecutor<MasqueradeTarget> = {
  kind: 'MASQUERADE',
  run(t, ctx) {
    const entry = ctx.connection;
    if (!entry) return ACCEPT;
    return setup(ctx, masqueradeRange(entry, t.range, ctx.masqueradeSource()), 'src');
  },
};

export const redirectExecutor: TargetExecutor<RedirectTarget> = {
  kind: 'REDIRECT',
  run(t, ctx) {
    const entry = ctx.connection;
    if (!entry) return ACCEPT;
    return setup(ctx, redirectRange(entry, t.range, ctx.hook, ctx.incomingAddress()), 'dst');
  },
};

export const netmapExecutor: TargetExecutor<NetmapTarget> = {
  kind: 'NETMAP',
  run(t, ctx) {
    const entry = ctx.connection;
    if (!entry) return ACCEPT;
    return setup(ctx, netmapRange(entry, t.net, ctx.hook), hookManip(ctx.hook));
  },
};
