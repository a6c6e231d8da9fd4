// The notes that turn a trace into an answer: the traps operators fall into, recognised in one
// packet's journey and said in plain words with the lines of the ruleset involved.

import type { PacketResult } from '../engine/reference/result.js';
import type { TraceEvent } from '../engine/reference/trace.js';
import { formatRuleSpec } from '../frontend/iptables/printer.js';
import type { Chain, Rule, Ruleset } from '../ir/ruleset.js';

function where(rule: Rule): string {
  return `${rule.source.file}:${rule.source.line}`;
}

function spec(chain: string, rule: Rule, ruleset: Ruleset): string {
  return `-A ${chain}${formatRuleSpec(rule, ruleset.family)}`;
}

/** Rules of filter INPUT (and the chains it jumps to) that test a TCP/UDP destination port. */
function inputRulesForPort(ruleset: Ruleset, port: number): { chain: string; rule: Rule }[] {
  const filter = ruleset.tables.find((t) => t.name === 'filter');
  const input = filter?.chains.find((c) => c.name === 'INPUT');
  if (!filter || !input) return [];
  const seen = new Set<Chain>();
  const found: { chain: string; rule: Rule }[] = [];
  const visit = (c: Chain) => {
    if (seen.has(c)) return;
    seen.add(c);
    for (const r of c.rules) {
      for (const m of r.matches) {
        if (
          (m.kind === 'tcp' || m.kind === 'udp') &&
          m.dport &&
          m.dport.value.from <= port &&
          port <= m.dport.value.to
        ) {
          found.push({ chain: c.name, rule: r });
        }
        if (m.kind === 'multiport' && JSON.stringify(m).includes(`"from":${port}`))
          found.push({ chain: c.name, rule: r });
      }
      const t = r.target;
      if (t && (t.kind === 'jump' || t.kind === 'goto')) {
        const next = filter.chains.find((x) => x.name === t.chain);
        if (next) visit(next);
      }
    }
  };
  visit(input);
  return found;
}

export function insights(result: PacketResult, ruleset: Ruleset): string[] {
  const trace: readonly TraceEvent[] = result.trace ?? [];
  const notes: string[] = [];
  let dnatRule: Rule | undefined;
  let rewrite: Extract<TraceEvent, { kind: 'rewrite' }> | undefined;
  let previous: TraceEvent | undefined;
  for (const e of trace) {
    const returned =
      previous?.kind === 'walk' &&
      previous.event.kind === 'rule-matched' &&
      previous.event.rule.target?.kind === 'RETURN'
        ? previous.event.rule
        : undefined;
    previous = e;
    if (e.kind === 'walk' && e.event.kind === 'target' && e.table === 'nat' && e.hook === 'prerouting') {
      if (e.event.rule.target?.kind === 'DNAT' || e.event.rule.target?.kind === 'REDIRECT')
        dnatRule = e.event.rule;
    }
    if (e.kind === 'rewrite' && e.what.includes('prerouting')) rewrite = e;
    if (e.kind === 'walk' && e.event.kind === 'policy' && returned && e.event.chain.base) {
      const c = e.event.chain;
      notes.push(
        `RETURN in the built-in chain ${e.table} ${c.name} (${where(returned)}) does not skip ahead: it ends the chain, and ${c.name}'s policy ${e.event.verdict} decides.`,
      );
    }
  }
  const forwarded = trace.some((e) => e.kind === 'route' && e.decision.includes('FORWARD'));
  if (rewrite && forwarded) {
    const port = Number(/:(\d+)/.exec(rewrite.before.split(' > ')[1] ?? '')?.[1] ?? Number.NaN);
    const blind = Number.isNaN(port) ? [] : inputRulesForPort(ruleset, port);
    notes.push(
      `nat PREROUTING rewrote the destination${dnatRule ? ` (${where(dnatRule)})` : ''} before the routing decision: ${rewrite.before} became ${rewrite.after}. The new destination is not this host, so the packet goes through FORWARD, never through filter INPUT.`,
    );
    if (blind.length) {
      notes.push(
        `filter INPUT rules about port ${port} never see this traffic: ${blind.map((b) => `${where(b.rule)} (${spec(b.chain, b.rule, ruleset)})`).join('; ')}. Filter it in FORWARD (Docker: the DOCKER-USER chain) on the new destination instead.`,
      );
    }
  }
  if (result.fate.kind === 'delivered' && result.fate.to.startsWith('proxy')) {
    notes.push(
      'A userland proxy (like docker-proxy) accepted this connection on the host: it passed filter INPUT, and the proxy will open its own connection to the container from the host, through OUTPUT — a second path besides DNAT.',
    );
  }
  return notes;
}
