// The nat table's rules on the way to a destination rewrite: those whose target rewrites the
// destination, and those that jump or go to a chain from which such a rule can be reached
// (kube-proxy's KUBE-SERVICES rule per cluster IP, whose KUBE-SVC and KUBE-SEP chains DNAT).
// Their `-d` is what the rewrite takes away (connection-sharding.ts, service-endpoints.ts).

import type { Rule, Ruleset } from '../ir/ruleset.js';

/** The nat rules that rewrite (`rewrites` of their target's kind) or lead to a rule that does. */
export function rulesTowardsRewrite(ruleset: Ruleset, rewrites: (kind: string) => boolean): Rule[] {
  const nat = ruleset.tables.find((t) => t.name === 'nat');
  if (!nat) return [];
  const byName = new Map(nat.chains.map((c) => [c.name, c]));
  const reaches = new Map<string, boolean>();
  const leads = (r: Rule): boolean => {
    const t = r.target;
    if (!t) return false;
    if (rewrites(t.kind)) return true;
    return (t.kind === 'jump' || t.kind === 'goto') && reachesRewrite(t.chain);
  };
  const reachesRewrite = (name: string): boolean => {
    const known = reaches.get(name);
    if (known !== undefined) return known;
    reaches.set(name, false); // a loop adds nothing
    const hit = byName.get(name)?.rules.some(leads) ?? false;
    reaches.set(name, hit);
    return hit;
  };
  return nat.chains.flatMap((c) => c.rules.filter(leads));
}
