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

let matchNames: Map<string, MatchExtension> | undefined;
let targetNames: Map<string, TargetExtension> | undefined;

function byName<T extends { readonly name: string }>(list: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const ext of list) if (!map.has(ext.name)) map.set(ext.name, ext);
  return map;
}

export function findMatch(name: string, family: Family): MatchExtension | undefined {
  const canonical = Object.hasOwn(MATCH_ALIASES, name) ? MATCH_ALIASES[name]! : name;
  matchNames ??= byName(MATCHES);
  return available(matchNames.get(canonical), family);
}

export function findTarget(name: string, family: Family): TargetExtension | undefined {
  targetNames ??= byName(TARGETS);
  return available(targetNames.get(name), family);
}

// Kind -> module, built on first use (the first module listing a kind wins, as find() did).
let matchKinds: Map<string, MatchExtension> | undefined;
let targetKinds: Map<string, TargetExtension> | undefined;

function byKind<T extends { readonly kinds: readonly string[] }>(list: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const ext of list) for (const k of ext.kinds) if (!map.has(k)) map.set(k, ext);
  return map;
}

export function matchForKind(kind: string): MatchExtension | undefined {
  matchKinds ??= byKind(MATCHES);
  return matchKinds.get(kind);
}

export function targetForKind(kind: string): TargetExtension | undefined {
  targetKinds ??= byKind(TARGETS);
  return targetKinds.get(kind);
}

export function knownMatchNames(family: Family): string[] {
  return MATCHES.filter((m) => available(m, family)).map((m) => m.name);
}

export function knownTargetNames(family: Family): string[] {
  return TARGETS.filter((t) => available(t, family)).map((t) => t.name);
}
