// ClassBench filters as an IR ruleset: table `filter`, one base chain (FORWARD unless told
// otherwise), one rule per filter in line (priority) order, so first match is ClassBench's
// highest-priority match.
//
// - prefixes: `-s` / `-d` (a /0 is no match at all, as iptables prints it);
// - protocol 0xPP/0xFF: `-p PP`; 0x00/0x00: no protocol match;
// - port ranges: tcp and udp rules use the tcp/udp matches' --sport/--dport; other protocols
//   (and "any protocol") use a protocol-generic multiport match per range (its evaluator reads
//   the ports at the transport offset whatever the protocol, as ClassBench's classifiers do). A
//   full 0 : 65535 range is no match at all, so it also matches packets without ports;
// - the flags field is not a TCP flags test (it is 16 bits, drawn independently of the
//   protocol); classifiers built on these sets ignore it, and so does this reader;
// - ClassBench rules have no action: `alternate` (default) gives ACCEPT, DROP, ACCEPT, ... in
//   line order; `accept` / `drop` give every rule the same one.

import { netFromPrefix } from '../../ir/address.js';
import type { Negated, PortRange } from '../../ir/common.js';
import type { Match } from '../../ir/match.js';
import type { Hook, Policy, Rule, Ruleset } from '../../ir/ruleset.js';
import { ZERO_COUNTERS } from '../../ir/ruleset.js';
import { type ClassBenchFilter, parseFilters } from './filter.js';

export type ClassBenchAction = 'alternate' | 'accept' | 'drop';

export interface ClassBenchOptions {
  /** File name for source references and errors. */
  readonly file: string;
  readonly action?: ClassBenchAction;
  /** Policy of the chain (default DROP: what no filter matches is dropped). */
  readonly policy?: Policy;
  /** Base chain of the filter table (default FORWARD). */
  readonly chain?: 'INPUT' | 'FORWARD' | 'OUTPUT';
}

const TCP = 6;
const UDP = 17;

const HOOK_OF: Readonly<Record<NonNullable<ClassBenchOptions['chain']>, Hook>> = {
  INPUT: 'input',
  FORWARD: 'forward',
  OUTPUT: 'output',
};

function range(lo: number, hi: number): Negated<PortRange> | undefined {
  return lo === 0 && hi === 65535 ? undefined : { value: { from: lo, to: hi }, invert: false };
}

/** The IR matches of one filter, in iptables' order (-s -d -p, then the port match). */
export function filterMatches(f: ClassBenchFilter): Match[] {
  const m: Match[] = [];
  if (f.srcLen > 0) m.push({ kind: 'source', net: netFromPrefix('ipv4', [f.src], f.srcLen), invert: false });
  if (f.dstLen > 0)
    m.push({ kind: 'destination', net: netFromPrefix('ipv4', [f.dst], f.dstLen), invert: false });
  const exact = f.protoMask === 0xff;
  if (exact) m.push({ kind: 'protocol', protocol: f.proto, invert: false });
  const sport = range(f.sportLo, f.sportHi);
  const dport = range(f.dportLo, f.dportHi);
  if (!sport && !dport) return m;
  if (exact && f.proto === TCP) m.push({ kind: 'tcp', ...(sport && { sport }), ...(dport && { dport }) });
  else if (exact && f.proto === UDP)
    m.push({ kind: 'udp', ...(sport && { sport }), ...(dport && { dport }) });
  else {
    if (sport) m.push({ kind: 'multiport', direction: 'source', ports: [sport.value], invert: false });
    if (dport) m.push({ kind: 'multiport', direction: 'destination', ports: [dport.value], invert: false });
  }
  return m;
}

export function filtersToRuleset(filters: readonly ClassBenchFilter[], options: ClassBenchOptions): Ruleset {
  const action = options.action ?? 'alternate';
  const rules: Rule[] = filters.map((f, i) => {
    const accept = action === 'accept' || (action === 'alternate' && i % 2 === 0);
    return {
      matches: filterMatches(f),
      target: { kind: accept ? 'ACCEPT' : 'DROP' },
      counters: ZERO_COUNTERS,
      source: { file: options.file, line: f.line, text: f.text },
    };
  });
  const chain = options.chain ?? 'FORWARD';
  return {
    family: 'ipv4',
    tables: [
      {
        name: 'filter',
        chains: [
          {
            name: chain,
            base: { hook: HOOK_OF[chain], priority: 0, policy: options.policy ?? 'DROP' },
            counters: ZERO_COUNTERS,
            rules,
            source: null,
          },
        ],
      },
    ],
  };
}

/** Reads a ClassBench filter file into a ruleset; errors name file:line:column. */
export function parseClassBench(text: string, options: ClassBenchOptions): Ruleset {
  return filtersToRuleset(parseFilters(text, options.file), options);
}
