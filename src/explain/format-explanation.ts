// A packet's journey as a person reads it: hook by hook, the tables and rules it met (with the
// rule's file:line and text), what conntrack said, what NAT rewrote, where routing sent it, and
// what became of it — plus the notes that explain the classic surprises.

import type { PacketResult } from '../engine/reference/result.js';
import type { TraceEvent } from '../engine/reference/trace.js';
import type { DecidedBy } from '../engine/verdict.js';
import { formatRuleSpec } from '../frontend/iptables/printer.js';
import type { Family } from '../ir/address.js';
import type { Rule } from '../ir/ruleset.js';

const HOOK_NAMES: Record<string, string> = {
  prerouting: 'PREROUTING',
  input: 'INPUT',
  forward: 'FORWARD',
  output: 'OUTPUT',
  postrouting: 'POSTROUTING',
};

/** `file:line  -A CHAIN spec`, the rule in canonical form. */
export function ruleLine(chain: string, rule: Rule, family: Family): string {
  return `${rule.source.file}:${rule.source.line}  -A ${chain}${formatRuleSpec(rule, family)}`;
}

export function formatDecision(d: DecidedBy): string {
  if (d.kind === 'policy')
    return `${d.table.name} ${d.chain.name} policy ${d.chain.base?.policy ?? 'ACCEPT'}`;
  return `${d.table.name} ${d.chain.name} #${d.index + 1} ${d.rule.target?.kind ?? ''} ${d.rule.source.file}:${d.rule.source.line}`.trim();
}

export interface ExplainOptions {
  readonly family: Family;
  /** Show the rules that did not match too (default: only the ones that matched and decided). */
  readonly verbose?: boolean;
}

/** Formats one packet's trace. */
export function formatExplanation(result: PacketResult, options: ExplainOptions): string {
  const out: string[] = [];
  let hook = '';
  let table = '';
  const trace = result.trace ?? [];
  const indent = '    ';
  for (const e of trace) {
    switch (e.kind) {
      case 'received':
        out.push(`packet  ${e.summary}  (in on ${e.iif})`);
        break;
      case 'generated':
        out.push('', `the host sends  ${e.summary}  (${e.why})`);
        hook = '';
        break;
      case 'malformed':
        out.push(`malformed: ${e.reason}`);
        break;
      case 'hook':
        if (HOOK_NAMES[e.hook] !== hook) {
          hook = HOOK_NAMES[e.hook]!;
          out.push(hook);
        }
        table = e.table;
        out.push(`  ${e.table}`);
        break;
      case 'walk':
        out.push(...formatWalk(e, options, indent));
        break;
      case 'conntrack':
        if (HOOK_NAMES[e.hook] !== hook) {
          hook = HOOK_NAMES[e.hook]!;
          out.push(hook);
        }
        out.push(`  conntrack: ${e.state}${e.entry ? `  ${e.entry}` : ''}${e.note ? `  (${e.note})` : ''}`);
        break;
      case 'nat-skipped':
        out.push(`${indent}not traversed: ${e.why}`);
        break;
      case 'rewrite':
        out.push(`  ${e.what}: ${e.before}`, `  ${' '.repeat(e.what.length)}  → ${e.after}`);
        break;
      case 'route':
        // The host's own packet re-routed after OUTPUT leaves directly: it never meets FORWARD.
        out.push(
          `routing: ${e.decision.startsWith('re-routed: ') ? e.decision.replace(/forward out of (\S+)(.*) \(FORWARD\)$/, 'out of $1$2') : e.decision}`,
        );
        hook = '';
        break;
      case 'delivered':
        out.push(`delivered to ${e.to}`);
        break;
      case 'emitted':
        out.push(`sent out of ${e.oif}: ${e.summary}`);
        break;
      case 'dropped':
        out.push(`dropped: ${e.reason}`);
        break;
      case 'note':
        out.push(`${indent}note: ${e.text}`);
        break;
    }
  }
  void table;
  out.push('', `result: ${formatFate(result)}`);
  return `${out.join('\n')}\n`;
}

function formatWalk(
  e: Extract<TraceEvent, { kind: 'walk' }>,
  options: ExplainOptions,
  indent: string,
): string[] {
  const ev = e.event;
  switch (ev.kind) {
    case 'enter':
      return ev.via === 'hook'
        ? []
        : [`${indent}${ev.via === 'return' ? '← back in' : `→ ${ev.via} to`} ${ev.chain.name}`];
    case 'rule-matched': {
      const line = `${indent}${ev.chain.name} #${ev.index + 1} matched  ${ruleLine(ev.chain.name, ev.rule, options.family)}`;
      const k = ev.rule.target?.kind;
      // Standard verdicts end the walk here; extension targets report through 'target'.
      return k === 'ACCEPT' || k === 'DROP' || k === 'QUEUE' ? [line, `${indent}  → ${k}`] : [line];
    }
    case 'rule-skipped':
      return options.verbose
        ? [
            `${indent}${ev.chain.name} #${ev.index + 1} no match  ${ruleLine(ev.chain.name, ev.rule, options.family)}`,
          ]
        : [];
    case 'target':
      return ev.result.kind === 'verdict' ? [`${indent}  → ${ev.result.verdict}`] : [];
    case 'policy':
      return [`${indent}${ev.chain.name} policy ${ev.verdict}`];
    case 'hotdrop':
      return [
        `${indent}${ev.chain.name} #${ev.index + 1} dropped the packet while matching (malformed header)`,
      ];
  }
}

export function formatFate(r: PacketResult): string {
  const f = r.fate;
  switch (f.kind) {
    case 'delivered':
      return `delivered locally to ${f.to}`;
    case 'forwarded':
      return `forwarded out of ${f.oif}`;
    case 'dropped': {
      // The reason is often the deciding rule itself: say it once.
      const by = f.decidedBy ? formatDecision(f.decidedBy) : undefined;
      return `dropped${by ? ` by ${by}` : ''}${f.reason === by ? '' : `: ${f.reason}`}`;
    }
    case 'rejected':
      return `rejected by ${formatDecision(f.decidedBy)}`;
    case 'queued':
      return f.reason;
    case 'malformed':
      return `malformed packet: ${f.reason}`;
  }
}
