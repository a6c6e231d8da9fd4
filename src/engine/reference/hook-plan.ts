// What runs at each netfilter hook, in priority order: the tables the ruleset loads (by their
// base chains' priorities) and conntrack's own hook functions. NAT hooks exist only when a nat
// table is loaded (iptable_nat registers them), as in the kernel.
//
// Conntrack's defragmentation (nf_defrag_ipv4: PREROUTING and OUTPUT at -400) is registered in a
// network namespace only when something asks for it: nf_ct_netns_get from the checkentry of a
// match or target that needs connections (state, conntrack, connmark, NAT targets...), or
// nf_defrag_ipv4_enable from socket and TPROXY. A loaded nat table alone, NOTRACK and CT
// --notrack do not (checked against the kernel). Without it, fragments go through PREROUTING
// one by one and are only reassembled for local delivery (ip_local_deliver), or forwarded as
// they are. (The engine tracks connections either way: where nothing looks at them, that
// cannot show.)

import type { Chain, Hook, Ruleset, Table } from '../../ir/ruleset.js';

export type HookStep =
  /** nf_defrag_ipv4's ipv4_conntrack_defrag (PREROUTING, OUTPUT at -400). */
  | { readonly kind: 'defrag'; readonly priority: number }
  | { readonly kind: 'table'; readonly priority: number; readonly table: Table; readonly chain: Chain }
  /** nf_conntrack_in (PREROUTING, OUTPUT at -200). */
  | { readonly kind: 'conntrack'; readonly priority: number }
  /** __nf_conntrack_confirm (INPUT, POSTROUTING, last). */
  | { readonly kind: 'confirm'; readonly priority: number };

const NF_IP_PRI_CONNTRACK_DEFRAG = -400;
const NF_IP_PRI_CONNTRACK = -200;

/** Matches whose checkentry calls nf_ct_netns_get (xt_state, xt_conntrack, xt_connmark...). */
const CONNTRACK_MATCHES = new Set(['state', 'conntrack', 'connmark', 'connbytes', 'connlimit', 'helper']);
/** Targets whose checkentry calls nf_ct_netns_get (CT unless --notrack). */
const CONNTRACK_TARGETS = new Set([
  'SNAT',
  'DNAT',
  'MASQUERADE',
  'REDIRECT',
  'NETMAP',
  'CONNMARK',
  'CONNSECMARK',
  'SYNPROXY',
]);
/** Extensions that only enable defragmentation (nf_defrag_ipv4_enable). */
const DEFRAG_MATCHES = new Set(['socket']);
const DEFRAG_TARGETS = new Set(['TPROXY']);

/**
 * Whether some rule makes the kernel track connections in its namespace (checkentry calling
 * nf_ct_netns_get): without one, conntrack's hooks are not registered and packets carry no
 * connection at all (an empty nat table does not count, NOTRACK and CT --notrack neither).
 */
export function usesConntrack(ruleset: Ruleset): boolean {
  for (const table of ruleset.tables)
    for (const chain of table.chains)
      for (const rule of chain.rules) {
        if (rule.matches.some((m) => CONNTRACK_MATCHES.has(m.kind))) return true;
        const t = rule.target;
        if (!t) continue;
        if (CONNTRACK_TARGETS.has(t.kind)) return true;
        if (t.kind === 'CT' && !t.notrack) return true;
      }
  return false;
}

/** Whether the ruleset makes the kernel register nf_defrag_ipv4's hooks in its namespace. */
export function usesDefrag(ruleset: Ruleset): boolean {
  if (ruleset.family !== 'ipv4') return false;
  for (const table of ruleset.tables)
    for (const chain of table.chains)
      for (const rule of chain.rules) {
        if (rule.matches.some((m) => CONNTRACK_MATCHES.has(m.kind) || DEFRAG_MATCHES.has(m.kind)))
          return true;
        const t = rule.target;
        if (!t) continue;
        if (CONNTRACK_TARGETS.has(t.kind) || DEFRAG_TARGETS.has(t.kind)) return true;
        if (t.kind === 'CT' && !t.notrack) return true;
      }
  return false;
}
const NF_IP_PRI_CONNTRACK_CONFIRM = 0x7fffffff;

export type HookPlan = Readonly<Record<Hook, readonly HookStep[]>>;

export function planHooks(ruleset: Ruleset): HookPlan {
  const plan: Record<Hook, HookStep[]> = {
    prerouting: [],
    input: [],
    forward: [],
    output: [],
    postrouting: [],
  };
  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      if (chain.base)
        plan[chain.base.hook].push({ kind: 'table', priority: chain.base.priority, table, chain });
    }
  }
  if (usesDefrag(ruleset)) {
    plan.prerouting.push({ kind: 'defrag', priority: NF_IP_PRI_CONNTRACK_DEFRAG });
    plan.output.push({ kind: 'defrag', priority: NF_IP_PRI_CONNTRACK_DEFRAG });
  }
  if (usesConntrack(ruleset)) {
    plan.prerouting.push({ kind: 'conntrack', priority: NF_IP_PRI_CONNTRACK });
    plan.output.push({ kind: 'conntrack', priority: NF_IP_PRI_CONNTRACK });
    plan.input.push({ kind: 'confirm', priority: NF_IP_PRI_CONNTRACK_CONFIRM });
    plan.postrouting.push({ kind: 'confirm', priority: NF_IP_PRI_CONNTRACK_CONFIRM });
  }
  for (const steps of Object.values(plan)) steps.sort((a, b) => a.priority - b.priority);
  return plan;
}
