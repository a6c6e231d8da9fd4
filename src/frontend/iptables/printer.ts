// The IR printed back as iptables-save prints it (`iptables-save -c` when counters are asked
// for): tables in TABLE_ORDER, built-in chains then user chains, and every rule with its
// options in the order and spelling iptables itself uses.

import { type Family, formatAddress } from '../../ir/address.js';
import type { Match } from '../../ir/match.js';
import type { Counters, Rule, Ruleset } from '../../ir/ruleset.js';
import type { MatchExtension, TargetExtension } from './extension.js';
import { bang } from './extension.js';
import { protocolName } from './protocols.js';
import { matchForKind, targetForKind } from './registry.js';

export interface PrintOptions {
  /** Print `[packets:bytes]` before each rule, as `iptables-save -c` does. */
  readonly counters?: boolean;
}

const counterText = (c: Counters) => `[${c.packets}:${c.bytes}]`;

// The registry's kind lookups scan every module; the answer for a kind never changes, so the
// printer remembers it (a 100k-rule ruleset asks the same few kinds again and again).
const matchByKind = new Map<string, MatchExtension | undefined>();
const targetByKind = new Map<string, TargetExtension | undefined>();

function matchExtension(kind: string): MatchExtension | undefined {
  let ext = matchByKind.get(kind);
  if (ext === undefined && !matchByKind.has(kind)) {
    ext = matchForKind(kind);
    matchByKind.set(kind, ext);
  }
  return ext;
}

function targetExtension(kind: string): TargetExtension | undefined {
  let ext = targetByKind.get(kind);
  if (ext === undefined && !targetByKind.has(kind)) {
    ext = targetForKind(kind);
    targetByKind.set(kind, ext);
  }
  return ext;
}

export function printIptablesSave(ruleset: Ruleset, options: PrintOptions = {}): string {
  const out: string[] = [];
  for (const table of ruleset.tables) {
    out.push(`*${table.name}`);
    for (const chain of table.chains) {
      out.push(`:${chain.name} ${chain.base ? chain.base.policy : '-'} ${counterText(chain.counters)}`);
    }
    for (const chain of table.chains) {
      for (const rule of chain.rules) {
        const prefix = options.counters ? `${counterText(rule.counters)} ` : '';
        out.push(`${prefix}-A ${chain.name}${formatRuleSpec(rule, ruleset.family)}`);
      }
    }
    out.push('COMMIT');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** The part of a rule after `-A CHAIN`, with a leading space (empty for an empty rule). */
export function formatRuleSpec(rule: Rule, family: Family): string {
  let s = '';
  for (const m of rule.matches) s += formatMatch(m, family);
  const t = rule.target;
  if (t) {
    if (t.kind === 'jump') s += ` -j ${t.chain}`;
    else if (t.kind === 'goto') s += ` -g ${t.chain}`;
    else if (t.kind === 'ACCEPT' || t.kind === 'DROP' || t.kind === 'RETURN' || t.kind === 'QUEUE')
      s += ` -j ${t.kind}`;
    else {
      const ext = targetExtension(t.kind);
      if (!ext) throw new Error(`no iptables printer for target kind ${t.kind}`);
      const opts = ext.save(t, family);
      s += ` -j ${ext.name}${opts ? ` ${opts}` : ''}`;
    }
  }
  return s;
}

function formatMatch(m: Match, family: Family): string {
  switch (m.kind) {
    case 'source':
    case 'destination': {
      const addr = formatAddress(family, m.net.addr);
      const mask = m.net.prefixLen !== null ? String(m.net.prefixLen) : formatAddress(family, m.net.mask);
      return ` ${bang(m.invert)}${m.kind === 'source' ? '-s' : '-d'} ${addr}/${mask}`;
    }
    case 'in-interface':
    case 'out-interface':
      return ` ${bang(m.invert)}${m.kind === 'in-interface' ? '-i' : '-o'} ${m.name}${m.wildcard ? '+' : ''}`;
    case 'protocol':
      return ` ${bang(m.invert)}-p ${protocolName(m.protocol) ?? m.protocol}`;
    case 'fragment':
      return ` ${bang(m.invert)}-f`;
    default: {
      const ext = matchExtension(m.kind);
      if (!ext) throw new Error(`no iptables printer for match kind ${m.kind}`);
      const opts = ext.save(m, family);
      return ` -m ${ext.name}${opts ? ` ${opts}` : ''}`;
    }
  }
}

/**
 * xtables_save_string: bare when the text is only [A-Za-z0-9_-] (and not empty), otherwise double
 * quoted with `"`, `\` and `'` escaped by a backslash.
 */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}
