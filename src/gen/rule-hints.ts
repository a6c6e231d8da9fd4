// What a ruleset tells the generator about the traffic its rules expect: for each rule, the
// destination, ports, protocol, source and input interface it matches (non-negated conditions
// only), so flows built from these hints hit the rules.

import type { IpNet } from '../ir/address.js';
import type { PortRange } from '../ir/common.js';
import type { Match } from '../ir/match.js';
import type { Rule, Ruleset } from '../ir/ruleset.js';

export interface RuleHint {
  readonly protocol?: number;
  readonly dst?: IpNet;
  /** The destination must be one of the host's own addresses (addrtype --dst-type LOCAL). */
  readonly dstLocal?: boolean;
  readonly dports?: readonly PortRange[];
  readonly src?: IpNet;
  readonly iif?: string;
}

/** The hint of one rule's matches; undefined when they say nothing the generator can use. */
export function hintOf(matches: readonly Match[]): RuleHint | undefined {
  let hint: {
    protocol?: number;
    dst?: IpNet;
    dstLocal?: boolean;
    dports?: readonly PortRange[];
    src?: IpNet;
    iif?: string;
  } = {};
  for (const m of matches) {
    switch (m.kind) {
      case 'protocol':
        if (!m.invert) hint = { ...hint, protocol: m.protocol };
        break;
      case 'destination':
        // A /0 says nothing; inverted nets are too vague to aim at.
        if (!m.invert && m.net.prefixLen !== 0) hint = { ...hint, dst: m.net };
        break;
      case 'source':
        if (!m.invert && m.net.prefixLen !== 0) hint = { ...hint, src: m.net };
        break;
      case 'in-interface':
        if (!m.invert && !m.wildcard) hint = { ...hint, iif: m.name };
        break;
      case 'tcp':
      case 'udp':
        if (m.dport && !m.dport.invert) hint = { ...hint, dports: [m.dport.value] };
        break;
      case 'multiport':
        if (m.direction !== 'source' && !m.invert) hint = { ...hint, dports: m.ports };
        break;
      case 'addrtype':
        if (m.destination && !m.destination.invert && m.destination.value.includes('local'))
          hint = { ...hint, dstLocal: true };
        break;
      default:
        break;
    }
  }
  return Object.keys(hint).length > 0 ? hint : undefined;
}

/** Every rule's hint, deduplicated, in ruleset order (deterministic). */
export function ruleHints(ruleset: Ruleset): RuleHint[] {
  const seen = new Set<string>();
  const out: RuleHint[] = [];
  const visit = (rule: Rule): void => {
    const h = hintOf(rule.matches);
    if (!h) return;
    const key = JSON.stringify(h);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(h);
  };
  for (const table of ruleset.tables)
    for (const chain of table.chains) for (const rule of chain.rules) visit(rule);
  return out;
}
