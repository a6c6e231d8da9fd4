// Every iptables match and target module nfwasm understands. One file each under matches/ and
// targets/; this list is the only place that names them all.

import type { Family } from '../../ir/address.js';
import type { MatchExtension, TargetExtension } from './extension.js';
import { MATCHES } from './matches/index.js';
import { TARGETS } from './targets/index.js';

/** xtables_find_match's aliases: the ICMPv6 match answers to several names. */
const MATCH_ALIASES: Record<string, string> = { icmpv6: 'icmp6', 'ipv6-icmp': 'icmp6' };

function available<T extends { families?: readonly Family[] }>(
  ext: T | undefined,
  family: Family,
): T | undefined {
  return ext && (!ext.families || ext.families.includes(family)) ? ext : undefined;
}

export function findMatch(name: string, family: Family): MatchExtension | undefined {
  const canonical = MATCH_ALIASES[name] ?? name;
  return available(
    MATCHES.find((m) => m.name === canonical),
    family,
  );
}

export function findTarget(name: string, family: Family): TargetExtension | undefined {
  return available(
    TARGETS.find((t) => t.name === name),
    family,
  );
}

export function matchForKind(kind: string): MatchExtension | undefined {
  return MATCHES.find((m) => (m.kinds as readonly string[]).includes(kind));
}

export function targetForKind(kind: string): TargetExtension | undefined {
  return TARGETS.find((t) => (t.kinds as readonly string[]).includes(kind));
}

export function knownMatchNames(family: Family): string[] {
  return MATCHES.filter((m) => available(m, family)).map((m) => m.name);
}

export function knownTargetNames(family: Family): string[] {
  return TARGETS.filter((t) => available(t, family)).map((t) => t.name);
}
