// `nfwasm compile --dump`: the table as text, each rule with its ops, its verdict and the
// source line it came from (in the spirit of `nft --debug=netlink`). Reads only the table.

import { formatAddress } from '../ir/address.js';
import type { CompiledTable } from './compiled-table.js';
import {
  ACTION_KINDS,
  CHAIN,
  CHAIN_FLAG_BASE,
  EXTERN_KINDS,
  FIELD_NAMES,
  HOOKS,
  INDEX,
  IndexKind,
  isAddressField,
  KEY_DESCRIPTOR_WORDS,
  NONE,
  OP_FLAG_INVERT,
  OP_FLAG_WILDCARD,
  OP_NAMES,
  Op,
  POLICIES,
  RECORD_WORDS,
  RULE,
  RULE_FLAG_UNSUPPORTED,
  Section,
  SLOT_WORDS,
  TREE,
  TREE_FLAG_PORTS,
  UNSUPPORTED_ACTION,
  VERDICT_NAMES,
  Verdict,
} from './format.js';
import { TableInterpreter } from './interpret.js';

const FRAG_MODES = ['ignore', 'no-match', 'tcp'];

/** Decoded parameters without the kind (already named); bigints as decimal text. */
function json(x: object): string {
  const { kind: _kind, ...rest } = x as { kind: string };
  return JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
}

function hex(x: number): string {
  return `0x${(x >>> 0).toString(16)}`;
}

function value(t: CompiledTable, field: number, words: readonly number[]): string {
  if (isAddressField(field)) return formatAddress(t.family, words);
  return words.length === 1 && words[0]! < 0x10000 ? String(words[0]) : words.map(hex).join(':');
}

function op(t: CompiledTable, interp: TableInterpreter, s: number): string {
  const ops = t.sections[Section.OPS];
  const w = s * SLOT_WORDS;
  const h = ops[w]!;
  const code = h & 0xff;
  const n = (h >>> 16) & 0xff;
  const not = ((h >>> 8) & OP_FLAG_INVERT) !== 0 ? '! ' : '';
  const field = ops[w + 1]!;
  const fname = FIELD_NAMES[field] ?? `field${field}`;
  const data = (i: number) => ops[w + 2 + i]!;
  switch (code) {
    case Op.CMP: {
      const values = Array.from({ length: n }, (_, i) => data(2 * i));
      const masks = Array.from({ length: n }, (_, i) => data(2 * i + 1));
      const full = masks.every((m) => m === 0xffffffff);
      return `${not}cmp ${fname}${full ? '' : ` & ${value(t, field, masks)}`} == ${value(t, field, values)}`;
    }
    case Op.RANGE: {
      const lo = Array.from({ length: n }, (_, i) => data(i));
      const hi = Array.from({ length: n }, (_, i) => data(n + i));
      return `${not}range ${fname} ${value(t, field, lo)}..${value(t, field, hi)}`;
    }
    case Op.ANY_BITS:
      return `${not}any-bits ${fname} & ${hex(data(0))}`;
    case Op.IFACE:
      return `${not}iface ${fname} ${((h >>> 8) & OP_FLAG_WILDCARD) !== 0 ? 'prefix' : '=='} "${t.strings[data(0)]}"`;
    case Op.PORT_LIST:
      return `${not}port-list ${fname} {${Array.from({ length: n }, (_, i) => {
        const r = data(i);
        return (r & 0xffff) === r >>> 16 ? String(r & 0xffff) : `${r & 0xffff}-${r >>> 16}`;
      }).join(',')}}`;
    case Op.L4_GUARD:
      return `l4-guard min ${field} frag ${FRAG_MODES[data(0)] ?? data(0)} short ${data(1) ? 'hotdrop' : 'no-match'}`;
    case Op.TCP_OPTION:
      return `${not}tcp-option ${data(0)}`;
    case Op.BLOCK:
      return `${not}block of ${field} slots`;
    case Op.SKIP_IF:
      return `skip-if ${fname} == ${data(0)}: ${data(1)} slots`;
    case Op.FALSE:
      return 'false';
    case Op.STATEFUL:
    case Op.HOST:
      return `${OP_NAMES[code]} ${EXTERN_KINDS[field] ?? field}${code === Op.STATEFUL ? ` slot ${data(1)}` : ''} ${json(interp.extern(s))}`;
    case Op.UNSUPPORTED:
      return `UNSUPPORTED match ${t.strings[field]}`;
    default:
      return `op ${code}?`;
  }
}

function verdict(t: CompiledTable, interp: TableInterpreter, rule: number): string {
  const r = t.sections[Section.RULES];
  const v = r[rule * RECORD_WORDS.RULE + RULE.VERDICT]!;
  const arg = r[rule * RECORD_WORDS.RULE + RULE.VERDICT_ARG]!;
  if (v === Verdict.JUMP || v === Verdict.GOTO) return `${VERDICT_NAMES[v]} ${chainName(t, arg)}`;
  if (v !== Verdict.ACTION) return VERDICT_NAMES[v] ?? `verdict ${v}`;
  const a = t.sections[Section.ACTIONS].subarray(arg * 4, arg * 4 + 4);
  if (a[0] === UNSUPPORTED_ACTION) return `UNSUPPORTED target ${t.strings[a[1]!]}`;
  return `action ${arg} ${ACTION_KINDS[a[0]!]}${a[3] === NONE ? '' : ` nat-range ${a[3]}`} ${json(interp.action(arg, rule))}`;
}

function chainName(t: CompiledTable, c: number): string {
  const chains = t.sections[Section.CHAINS];
  const tables = t.sections[Section.TABLES];
  const table = chains[c * RECORD_WORDS.CHAIN + CHAIN.TABLE]!;
  return `${t.strings[tables[table * 4]!]}/${t.strings[chains[c * RECORD_WORDS.CHAIN + CHAIN.NAME]!]}`;
}

function source(t: CompiledTable, i: number): { where: string; text: string } {
  const s = t.sections[Section.SOURCES];
  return { where: `${t.strings[s[i * 3]!]}:${s[i * 3 + 1]}`, text: t.strings[s[i * 3 + 2]!]! };
}

export function dumpTable(t: CompiledTable): string {
  const interp = new TableInterpreter(t);
  const c = t.counts;
  const out: string[] = [
    `nfwasm table v${t.version} ${t.family}: ${c[Section.TABLES]} tables, ${c[Section.CHAINS]} chains, ${c[Section.RULES]} rules, ` +
      `${c[Section.OPS]} op slots, ${c[Section.ACTIONS]} actions, ${c[Section.NAT_RANGES]} NAT ranges, ` +
      `${c[Section.STATE_SLOTS]} state slots, ${t.sections[Section.INDEXES][0]} indexes, ${t.buffer.byteLength} bytes`,
  ];
  const hooks = t.sections[Section.HOOKS];
  for (let i = 0; i < c[Section.HOOKS]; i++)
    out.push(
      `hook ${HOOKS[hooks[i * 4]!]} priority ${hooks[i * 4 + 1]! | 0}: ${chainName(t, hooks[i * 4 + 3]!)}`,
    );
  const chains = t.sections[Section.CHAINS];
  const rules = t.sections[Section.RULES];
  const ops = t.sections[Section.OPS];
  for (let ci = 0; ci < c[Section.CHAINS]; ci++) {
    const w = ci * RECORD_WORDS.CHAIN;
    const flags = chains[w + CHAIN.FLAGS]!;
    const first = chains[w + CHAIN.FIRST_RULE]!;
    const count = chains[w + CHAIN.RULE_COUNT]!;
    const base =
      flags & CHAIN_FLAG_BASE
        ? ` hook ${HOOKS[flags >>> 8]} priority ${chains[w + CHAIN.PRIORITY]! | 0} policy ${POLICIES[chains[w + CHAIN.POLICY]!]}`
        : '';
    const src = chains[w + CHAIN.SOURCE]! === NONE ? '' : ` (${source(t, chains[w + CHAIN.SOURCE]!).where})`;
    out.push(`chain ${ci} ${chainName(t, ci)}${base}, rules ${first}..${first + count}${src}`);
    for (let r = first; r < first + count; r++) {
      const rw = r * RECORD_WORDS.RULE;
      const s = source(t, rules[rw + RULE.SOURCE]!);
      const unsupported = rules[rw + RULE.FLAGS]! & RULE_FLAG_UNSUPPORTED ? ' [unsupported]' : '';
      out.push(`  rule ${r} ${s.where}${unsupported}: ${s.text}`);
      const start = rules[rw + RULE.OP_START]!;
      const end = start + rules[rw + RULE.OP_SLOTS]!;
      let depth = 0;
      const blockEnds: number[] = [];
      for (let slot = start; slot < end; ) {
        while (blockEnds.length > 0 && slot >= blockEnds[blockEnds.length - 1]!) {
          blockEnds.pop();
          depth--;
        }
        out.push(`    ${'  '.repeat(depth)}@${slot} ${op(t, interp, slot)}`);
        const h = ops[slot * SLOT_WORDS]!;
        if ((h & 0xff) === Op.BLOCK) {
          blockEnds.push(slot + 1 + ops[slot * SLOT_WORDS + 1]!);
          depth++;
        }
        slot += h >>> 24;
      }
      out.push(`    -> ${verdict(t, interp, r)}`);
    }
  }
  const idx = t.sections[Section.INDEXES];
  for (let i = 0; i < idx[0]!; i++) {
    const rec = 1 + i * RECORD_WORDS.INDEX;
    if (idx[rec + INDEX.KIND] === IndexKind.TREE) {
      out.push(
        `index ${i}: ${chainName(t, idx[rec + INDEX.CHAIN]!)} rules ${idx[rec + INDEX.RUN_START]}..${idx[rec + INDEX.RUN_END]} ` +
          `split trees ${idx[rec + TREE.TREES]}, ${idx[rec + TREE.NODES]} nodes, ${idx[rec + TREE.LIST_WORDS]} leaf entries${idx[rec + TREE.FLAGS]! & TREE_FLAG_PORTS ? ', splits on ports' : ''}`,
      );
      continue;
    }
    const desc = idx[rec + INDEX.DESCRIPTORS]!;
    const k1 = idx[rec + INDEX.KEY1_FIELDS]!;
    const k2 = idx[rec + INDEX.KEY2_FIELDS]!;
    const names = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) => FIELD_NAMES[idx[desc + (from + k) * KEY_DESCRIPTOR_WORDS]!]).join(
        ' ',
      );
    out.push(
      `index ${i}: ${chainName(t, idx[rec + INDEX.CHAIN]!)} rules ${idx[rec + INDEX.RUN_START]}..${idx[rec + INDEX.RUN_END]} ` +
        `key [${names(0, k1)}]${k2 ? ` then after the guard [${names(k1, k2)}]` : ''}, ${idx[rec + INDEX.CAPACITY]} slots`,
    );
  }
  return `${out.join('\n')}\n`;
}
