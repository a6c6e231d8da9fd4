// What runs at each netfilter hook, in priority order: the tables the ruleset loads (by their
// base chains' priorities) and conntrack's own hook functions. NAT hooks exist only when a nat
// table is loaded (iptable_nat registers them), as in the kernel.

import type { Chain, Hook, Ruleset, Table } from '../../ir/ruleset.js';

export type HookStep =
  | { readonly kind: 'table'; readonly priority: number; readonly table: Table; readonly chain: Chain }
  /** nf_conntrack_in (PREROUTING, OUTPUT at -200). */
  | { readonly kind: 'conntrack'; readonly priority: number }
  /** __nf_conntrack_confirm (INPUT, POSTROUTING, last). */
  | { readonly kind: 'confirm'; readonly priority: number };

const NF_IP_PRI_CONNTRACK = -200;
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
  plan.prerouting.push({ kind: 'conntrack', priority: NF_IP_PRI_CONNTRACK });
  plan.output.push({ kind: 'conntrack', priority: NF_IP_PRI_CONNTRACK });
  plan.input.push({ kind: 'confirm', priority: NF_IP_PRI_CONNTRACK_CONFIRM });
  plan.postrouting.push({ kind: 'confirm', priority: NF_IP_PRI_CONNTRACK_CONFIRM });
  for (const steps of Object.values(plan)) steps.sort((a, b) => a.priority - b.priority);
  return plan;
}
