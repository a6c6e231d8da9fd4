// compile(ruleset, host?) → CompiledTable: the IR lowered into table format v1 (format.ts).
// Rules keep the IR's order inside each chain and chains the IR's order inside each table, so
// "chain c, rule i" means the same thing in the IR, the table and every engine.

import type { Host } from '../host/host.js';
import type { Match } from '../ir/match.js';
import type { Ruleset } from '../ir/ruleset.js';
import type { Target } from '../ir/target.js';
import { actionCodec, type ParamActionKind } from './action-codecs.js';
import { assembleTable } from './assemble.js';
import { buildIndexes } from './build-index.js';
import type { CompiledTable } from './compiled-table.js';
import {
  ACTION_KINDS,
  CHAIN_FLAG_BASE,
  EXTERN_KINDS,
  HOOKS,
  NAT_ACTIONS,
  NONE,
  POLICIES,
  RECORD_WORDS,
  RULE_FLAG_UNSUPPORTED,
  Section,
  type SectionId,
  SLOT_WORDS,
  TABLE_KINDS,
  UNSUPPORTED_ACTION,
  Verdict,
} from './format.js';
import { loadTable } from './load.js';
import { type LowerContext, lowerMatch } from './lower-match.js';
import { encodeNatRange } from './nat-ranges.js';
import { OpStream } from './op-stream.js';
import { ParamWriter } from './param-io.js';
import { StringTableBuilder } from './string-table.js';
import { WordBuffer } from './word-buffer.js';

export interface CompileOptions {
  /** Build classification indexes (default true); off for measuring without them. */
  readonly indexes?: boolean;
}

export function compile(ruleset: Ruleset, host?: Host, options: CompileOptions = {}): CompiledTable {
  const family = ruleset.family;
  const strings = new StringTableBuilder();
  const intern = (s: string) => strings.intern(s);
  // Host interfaces get ids even when no rule names them, so an engine can map every device.
  for (const i of host?.interfaces ?? []) intern(i.name);
  const sources = new WordBuffer();
  const tables = new WordBuffer();
  const chains = new WordBuffer();
  const hooks: number[][] = [];
  const rules = new WordBuffer();
  const ops = new OpStream();
  const params = new ParamWriter(new WordBuffer(), intern);
  const actions = new WordBuffer();
  const natRanges = new WordBuffer();
  const stateSlots = new WordBuffer();
  let sourceCount = 0;
  let lastFile = '';
  let lastFileId = 0;
  const source = (file: string, line: number, text: string) => {
    if (file !== lastFile) {
      lastFile = file;
      lastFileId = intern(file);
    }
    sources.push(lastFileId);
    sources.push(line);
    // Rule texts are unique: appended without interning (the map would dominate large compiles).
    sources.push(strings.add(text));
    return sourceCount++;
  };
  const chainSpans: { firstRule: number; ruleCount: number }[] = [];
  const ruleOpStart: number[] = [];
  const ruleOpSlots: number[] = [];
  let ruleIndex = 0;
  let chainIndex = 0;
  let actionCount = 0;

  const action = (t: Target): { index: number; supported: boolean } => {
    const rec = [NONE, 0, 0, NONE];
    let supported = true;
    if (NAT_ACTIONS.has(t.kind) && 'range' in t) {
      rec[0] = ACTION_KINDS.indexOf(t.kind as ParamActionKind);
      rec[3] = natRanges.length / RECORD_WORDS.NAT_RANGE;
      natRanges.pushAll(encodeNatRange(t.range));
    } else if ((ACTION_KINDS as readonly string[]).includes(t.kind)) {
      rec[0] = ACTION_KINDS.indexOf(t.kind as ParamActionKind);
      rec[1] = params.out.length;
      actionCodec(family, t.kind as ParamActionKind)(params, t);
      rec[2] = params.out.length - rec[1]!;
    } else {
      rec[0] = UNSUPPORTED_ACTION;
      rec[1] = intern(t.kind);
      supported = false;
    }
    actions.pushAll(rec);
    return { index: actionCount++, supported };
  };

  // One lowering context for all rules (per-rule closures cost more than the lowering itself).
  const lower: LowerContext & { rule: number; flags: number } = {
    family,
    ops,
    params,
    intern,
    rule: 0,
    flags: 0,
    stateSlot(kind, slot, shared) {
      stateSlots.pushAll([
        EXTERN_KINDS.indexOf(kind),
        this.rule,
        slot,
        shared === null ? NONE : intern(shared),
      ]);
      return stateSlots.length / RECORD_WORDS.STATE_SLOT - 1;
    },
    unsupported() {
      this.flags |= RULE_FLAG_UNSUPPORTED;
    },
  };
  for (const [tableIndex, table] of ruleset.tables.entries()) {
    const chainIds = new Map(table.chains.map((c, i) => [c.name, chainIndex + i]));
    tables.pushAll([intern(table.name), TABLE_KINDS.indexOf(table.name), chainIndex, table.chains.length]);
    for (const chain of table.chains) {
      const firstRule = ruleIndex;
      for (const rule of chain.rules) {
        const opStart = ops.slots;
        lower.rule = ruleIndex;
        lower.flags = 0;
        let comment = NONE;
        for (const m of rule.matches) {
          if (m.kind === 'comment' && comment === NONE)
            comment = intern((m as Extract<Match, { kind: 'comment' }>).comment);
          lowerMatch(lower, m);
        }
        let verdict: number = Verdict.NONE;
        let arg = 0;
        const t = rule.target;
        if (t !== null) {
          switch (t.kind) {
            case 'ACCEPT':
            case 'DROP':
            case 'QUEUE':
            case 'RETURN':
              verdict = Verdict[t.kind];
              break;
            case 'jump':
            case 'goto': {
              const callee = chainIds.get(t.chain);
              if (callee === undefined) throw new Error(`chain ${t.chain} missing from table ${table.name}`);
              verdict = t.kind === 'jump' ? Verdict.JUMP : Verdict.GOTO;
              arg = callee;
              break;
            }
            default: {
              const a = action(t);
              verdict = Verdict.ACTION;
              arg = a.index;
              if (!a.supported) lower.flags |= RULE_FLAG_UNSUPPORTED;
            }
          }
        }
        const src = source(rule.source.file, rule.source.line, rule.source.text);
        ruleOpStart.push(opStart);
        ruleOpSlots.push(ops.slots - opStart);
        rules.push(opStart);
        rules.push(ops.slots - opStart);
        rules.push(verdict);
        rules.push(arg);
        rules.push(src);
        rules.push(chainIndex);
        rules.push(comment);
        rules.push(lower.flags);
        ruleIndex++;
      }
      const base = chain.base;
      chains.pushAll([
        intern(chain.name),
        tableIndex,
        firstRule,
        ruleIndex - firstRule,
        base ? CHAIN_FLAG_BASE | (HOOKS.indexOf(base.hook) << 8) : 0,
        base ? base.priority | 0 : 0,
        base ? POLICIES.indexOf(base.policy) : 0,
        chain.source ? source(chain.source.file, chain.source.line, chain.source.text) : NONE,
      ]);
      if (base) hooks.push([HOOKS.indexOf(base.hook), base.priority | 0, tableIndex, chainIndex]);
      chainSpans.push({ firstRule, ruleCount: ruleIndex - firstRule });
      chainIndex++;
    }
  }
  // Entry points in the order the kernel runs them: by hook, then by priority.
  hooks.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  const index = buildIndexes({
    ops: ops.words.view(),
    chains: chainSpans,
    ruleOpStart,
    ruleOpSlots,
    enabled: options.indexes ?? true,
    addrWords: family === 'ipv4' ? 1 : 4,
  });
  const words = new Map<SectionId, Uint32Array>();
  const counts = new Map<SectionId, number>();
  const put = (id: SectionId, w: Uint32Array, count: number) => {
    words.set(id, w);
    counts.set(id, count);
  };
  put(Section.SOURCES, sources.view(), sourceCount);
  put(Section.TABLES, tables.view(), ruleset.tables.length);
  put(Section.CHAINS, chains.view(), chainIndex);
  put(
    Section.HOOKS,
    Uint32Array.from(hooks.flat(), (x) => x >>> 0),
    hooks.length,
  );
  put(Section.RULES, rules.view(), ruleIndex);
  put(Section.OPS, ops.words.view(), ops.words.length / SLOT_WORDS);
  put(Section.PARAMS, params.out.view(), params.out.length);
  put(Section.ACTIONS, actions.view(), actionCount);
  put(Section.NAT_RANGES, natRanges.view(), natRanges.length / RECORD_WORDS.NAT_RANGE);
  put(Section.STATE_SLOTS, stateSlots.view(), stateSlots.length / RECORD_WORDS.STATE_SLOT);
  put(Section.INDEXES, index.section, index.count);
  // Strings last: every section above interns into it.
  put(Section.STRINGS, strings.encode(), strings.count);
  return loadTable(assembleTable(family, { words, counts }));
}
