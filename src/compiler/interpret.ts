// The table interpreter: walks a compiled table for one packet exactly as table-walk.ts walks
// the IR (ipt_do_table), reading only the table. It is the oracle the WebAssembly engine is
// checked against, so it favours clarity; stateful and host matches go to the reference
// evaluators with the match decoded from the table's parameters (so the encoding is checked
// too), and extension targets to the caller's callback with the target decoded likewise.

import type { MatchContext } from '../engine/reference/match-context.js';
import { MATCH_EVALUATORS } from '../engine/reference/matches/index.js';
import { tcpEvaluator } from '../engine/reference/matches/tcp.js';
import type { TargetResult, Verdict } from '../engine/verdict.js';
import type { Match } from '../ir/match.js';
import { type Rule, ZERO_COUNTERS } from '../ir/ruleset.js';
import type { Target } from '../ir/target.js';
import { actionCodec, type ParamActionKind } from './action-codecs.js';
import type { CompiledTable } from './compiled-table.js';
import { externCodec } from './extern-codecs.js';
import {
  ACTION_KINDS,
  CHAIN,
  EXTERN_KINDS,
  Field,
  NAT_ACTIONS,
  NONE,
  OP_FLAG_INVERT,
  OP_FLAG_WILDCARD,
  Op,
  POLICIES,
  RECORD_WORDS,
  RULE,
  Section,
  SLOT_WORDS,
  UNSUPPORTED_ACTION,
  Verdict as V,
} from './format.js';
import { indexCoverage, type KeySource, nextCandidate } from './index-lookup.js';
import { decodeNatRange } from './nat-ranges.js';
import { fieldWord, l4Guard } from './packet-fields.js';
import { ParamReader } from './param-io.js';

/** A rule or an op the table cannot express: the engine refuses the packet. */
export class UnsupportedInTableError extends Error {
  override readonly name = 'UnsupportedInTableError';
}

export type Counted =
  | { readonly kind: 'rule'; readonly rule: number }
  | { readonly kind: 'policy'; readonly chain: number };

export interface InterpretCallbacks {
  /** Runs an extension target (decoded from the table) for global rule `rule`. */
  target(target: Target, rule: number): TargetResult;
  /** Adds one packet of `bytes` to a rule's or a base chain's policy counters. */
  count(what: Counted, bytes: number): void;
}

export type InterpretDecidedBy =
  | { readonly kind: 'rule'; readonly chain: number; readonly index: number; readonly rule: number }
  | { readonly kind: 'policy'; readonly chain: number };

export interface InterpretResult {
  readonly verdict: Verdict;
  readonly decidedBy: InterpretDecidedBy;
}

export interface InterpretOptions {
  /** Use the classification indexes (default true). */
  readonly useIndexes?: boolean;
}

export class TableInterpreter {
  private readonly ops: Uint32Array;
  private readonly rules: Uint32Array;
  private readonly chains: Uint32Array;
  private readonly coverage: Int32Array;
  private readonly externs = new Map<number, Match>();
  private readonly targets = new Map<number, Target>();
  private readonly standIns = new Map<number, Rule>();
  private ctx: MatchContext | null = null;
  private readonly ifaceId = (name: string): number => this.table.stringIds.get(name) ?? NONE;
  private readonly keys: KeySource = {
    word: (field, i) => fieldWord(this.ctx!, field, i, this.ifaceId),
    guard: (min, frag, short) => l4Guard(this.ctx!, min, frag, short),
  };

  constructor(readonly table: CompiledTable) {
    this.ops = table.sections[Section.OPS];
    this.rules = table.sections[Section.RULES];
    this.chains = table.sections[Section.CHAINS];
    this.coverage = indexCoverage(table);
  }

  /** Chain index of a table's chain by name, or -1. */
  chainIndex(tableName: string, chainName: string): number {
    const t = this.table;
    const tables = t.sections[Section.TABLES];
    for (let i = 0; i < t.counts[Section.TABLES]; i++) {
      if (t.strings[tables[i * 4]!] !== tableName) continue;
      const first = tables[i * 4 + 2]!;
      for (let c = first; c < first + tables[i * 4 + 3]!; c++)
        if (t.strings[this.chains[c * RECORD_WORDS.CHAIN + CHAIN.NAME]!] === chainName) return c;
    }
    return -1;
  }

  /** One traversal from base chain `chain` (ipt_do_table). */
  walk(
    chain: number,
    ctx: MatchContext,
    packetBytes: number,
    cb: InterpretCallbacks,
    options: InterpretOptions = {},
  ): InterpretResult {
    this.ctx = ctx;
    const useIndexes = options.useIndexes ?? true;
    const base = chain;
    const stack: number[] = []; // pairs: chain, next local index
    let i = 0;
    for (;;) {
      const cw = chain * RECORD_WORDS.CHAIN;
      const first = this.chains[cw + CHAIN.FIRST_RULE]!;
      const count = this.chains[cw + CHAIN.RULE_COUNT]!;
      if (i >= count) {
        if (stack.length > 0) {
          i = stack.pop()!;
          chain = stack.pop()!;
          continue;
        }
        return this.policy(base, packetBytes, cb);
      }
      const g = first + i;
      if (useIndexes && this.coverage[g]! >= 0) {
        const next = nextCandidate(this.table, this.coverage[g]!, g, this.keys);
        if (next !== g) {
          i = next - first;
          continue;
        }
      }
      const outcome = this.ruleMatches(g);
      if (outcome === 'hotdrop')
        return { verdict: 'DROP', decidedBy: { kind: 'rule', chain, index: i, rule: g } };
      if (!outcome) {
        i++;
        continue;
      }
      cb.count({ kind: 'rule', rule: g }, packetBytes);
      const rw = g * RECORD_WORDS.RULE;
      const arg = this.rules[rw + RULE.VERDICT_ARG]!;
      switch (this.rules[rw + RULE.VERDICT]!) {
        case V.NONE:
          i++;
          continue;
        case V.ACCEPT:
          return { verdict: 'ACCEPT', decidedBy: { kind: 'rule', chain, index: i, rule: g } };
        case V.DROP:
          return { verdict: 'DROP', decidedBy: { kind: 'rule', chain, index: i, rule: g } };
        case V.QUEUE:
          return { verdict: 'QUEUE', decidedBy: { kind: 'rule', chain, index: i, rule: g } };
        case V.RETURN:
          if (stack.length === 0) return this.policy(base, packetBytes, cb);
          i = stack.pop()!;
          chain = stack.pop()!;
          continue;
        case V.JUMP:
          stack.push(chain, i + 1);
          chain = arg;
          i = 0;
          continue;
        case V.GOTO:
          chain = arg;
          i = 0;
          continue;
        default: {
          const result = cb.target(this.action(arg, g), g);
          if (result.kind === 'verdict')
            return { verdict: result.verdict, decidedBy: { kind: 'rule', chain, index: i, rule: g } };
          i++;
        }
      }
    }
  }

  private policy(chain: number, packetBytes: number, cb: InterpretCallbacks): InterpretResult {
    cb.count({ kind: 'policy', chain }, packetBytes);
    const p = POLICIES[this.chains[chain * RECORD_WORDS.CHAIN + CHAIN.POLICY]!] ?? 'ACCEPT';
    return { verdict: p, decidedBy: { kind: 'policy', chain } };
  }

  /** All of a rule's ops, in order: true, false (first failing op) or 'hotdrop'. */
  ruleMatches(rule: number): boolean | 'hotdrop' {
    const rw = rule * RECORD_WORDS.RULE;
    const start = this.rules[rw + RULE.OP_START]!;
    const end = start + this.rules[rw + RULE.OP_SLOTS]!;
    const ops = this.ops;
    for (let s = start; s < end; ) {
      const h = ops[s * SLOT_WORDS]!;
      const code = h & 0xff;
      switch (code) {
        case Op.L4_GUARD: {
          const w = s * SLOT_WORDS;
          const r = l4Guard(this.ctx!, ops[w + 1]!, ops[w + 2]!, ops[w + 3]!);
          if (r !== true) return r;
          break;
        }
        case Op.TCP_OPTION: {
          // The guard before it has passed, so tcp_mt with only --tcp-option is exactly the test.
          const w = s * SLOT_WORDS;
          const r = tcpEvaluator.test(
            { kind: 'tcp', option: { value: ops[w + 2]!, invert: ((h >>> 8) & OP_FLAG_INVERT) !== 0 } },
            this.ctx!,
            this.standIn(rule),
          );
          if (r !== true) return r;
          break;
        }
        case Op.SKIP_IF: {
          const w = s * SLOT_WORDS;
          if (fieldWord(this.ctx!, ops[w + 1]!, 0, this.ifaceId) === ops[w + 2]!) {
            s += 1 + ops[w + 3]!;
            continue;
          }
          break;
        }
        case Op.BLOCK: {
          const inner = ops[s * SLOT_WORDS + 1]!;
          let all = true;
          for (let b = s + 1; b < s + 1 + inner && all; b += ops[b * SLOT_WORDS]! >>> 24) all = this.holds(b);
          if (all === (((h >>> 8) & OP_FLAG_INVERT) !== 0)) return false;
          s += 1 + inner;
          continue;
        }
        case Op.STATEFUL:
        case Op.HOST: {
          const m = this.extern(s);
          const r = MATCH_EVALUATORS[m.kind].test(m as never, this.ctx!, this.standIn(rule));
          if (r !== true) return r;
          break;
        }
        case Op.UNSUPPORTED:
          throw new UnsupportedInTableError(
            `rule ${this.where(rule)} uses the ${this.table.strings[ops[s * SLOT_WORDS + 1]!]} match, which compiled tables cannot express yet`,
          );
        default:
          if (!this.holds(s)) return false;
      }
      s += h >>> 24;
    }
    return true;
  }

  /** A pure op's outcome, its inversion applied. */
  private holds(s: number): boolean {
    const ops = this.ops;
    const w = s * SLOT_WORDS;
    const h = ops[w]!;
    const invert = ((h >>> 8) & OP_FLAG_INVERT) !== 0;
    const n = (h >>> 16) & 0xff;
    const field = ops[w + 1]!;
    const ctx = this.ctx!;
    let hit: boolean;
    switch (h & 0xff) {
      case Op.CMP: {
        hit = true;
        for (let i = 0; i < n && hit; i++)
          hit = (fieldWord(ctx, field, i, this.ifaceId) & ops[w + 3 + 2 * i]!) >>> 0 === ops[w + 2 + 2 * i];
        break;
      }
      case Op.RANGE: {
        // Lexicographic unsigned compare of n words against lo (w+2..) and hi (w+2+n..).
        let lo = 0;
        let hi = 0;
        for (let i = 0; i < n && (lo === 0 || hi === 0); i++) {
          const x = fieldWord(ctx, field, i, this.ifaceId);
          if (lo === 0 && x !== ops[w + 2 + i]) lo = x < ops[w + 2 + i]! ? -1 : 1;
          if (hi === 0 && x !== ops[w + 2 + n + i]) hi = x < ops[w + 2 + n + i]! ? -1 : 1;
        }
        hit = lo >= 0 && hi <= 0;
        break;
      }
      case Op.ANY_BITS:
        hit = (fieldWord(ctx, field, 0, this.ifaceId) & ops[w + 2]!) !== 0;
        break;
      case Op.IFACE: {
        const p = ctx.packet;
        const name =
          (field === Field.IIF
            ? p.iif
            : field === Field.OIF
              ? p.oif
              : field === Field.PHYS_IN
                ? p.physIn
                : p.physOut) ?? '';
        const want = this.table.strings[ops[w + 2]!]!;
        hit = ((h >>> 8) & OP_FLAG_WILDCARD) !== 0 ? name.startsWith(want) : name === want;
        break;
      }
      case Op.PORT_LIST: {
        const src = fieldWord(ctx, Field.L4_SPORT, 0, this.ifaceId);
        const dst = fieldWord(ctx, Field.L4_DPORT, 0, this.ifaceId);
        hit = false;
        for (let i = 0; i < n && !hit; i++) {
          const r = ops[w + 2 + i]!;
          const lo = r & 0xffff;
          const hiP = r >>> 16;
          const sh = src >= lo && src <= hiP;
          const dh = dst >= lo && dst <= hiP;
          hit = field === Field.L4_SPORT ? sh : field === Field.L4_DPORT ? dh : sh || dh;
        }
        break;
      }
      case Op.FALSE:
        return false;
      default:
        throw new Error(`op ${h & 0xff} at slot ${s} is not a test`);
    }
    return hit !== invert;
  }

  /** The IR match of a STATEFUL/HOST op at `slot` (decoded once). */
  extern(slot: number): Match {
    let m = this.externs.get(slot);
    if (!m) {
      const w = slot * SLOT_WORDS;
      const kind = EXTERN_KINDS[this.ops[w + 1]!];
      if (!kind) throw new Error(`unknown extern kind ${this.ops[w + 1]} at slot ${slot}`);
      const r = new ParamReader(this.table.sections[Section.PARAMS], this.ops[w + 2]!, this.table.strings);
      m = externCodec(kind)(r, undefined);
      this.externs.set(slot, m);
    }
    return m;
  }

  /** The IR target of ACTIONS record `index` (decoded once). */
  action(index: number, rule: number): Target {
    let t = this.targets.get(index);
    if (t) return t;
    const a = this.table.sections[Section.ACTIONS].subarray(index * 4, index * 4 + 4);
    if (a[0] === UNSUPPORTED_ACTION)
      throw new UnsupportedInTableError(
        `rule ${this.where(rule)} uses the ${this.table.strings[a[1]!]} target, which compiled tables cannot express yet`,
      );
    const kind = ACTION_KINDS[a[0]!]!;
    if (NAT_ACTIONS.has(kind)) {
      const range = decodeNatRange(
        this.table.sections[Section.NAT_RANGES],
        a[3]! * RECORD_WORDS.NAT_RANGE,
        this.table.family,
      );
      t = { kind, range } as Target;
    } else {
      const r = new ParamReader(this.table.sections[Section.PARAMS], a[1]!, this.table.strings);
      t = actionCodec(this.table.family, kind as ParamActionKind)(r, undefined);
    }
    this.targets.set(index, t);
    return t;
  }

  /** The Rule object stateful evaluators key their state on (one per compiled rule). */
  private standIn(rule: number): Rule {
    let r = this.standIns.get(rule);
    if (!r) {
      const src = this.table.sections[Section.SOURCES];
      const s = this.rules[rule * RECORD_WORDS.RULE + RULE.SOURCE]! * RECORD_WORDS.SOURCE;
      r = {
        matches: [],
        target: null,
        counters: ZERO_COUNTERS,
        source: {
          file: this.table.strings[src[s]!]!,
          line: src[s + 1]!,
          text: this.table.strings[src[s + 2]!]!,
        },
      };
      this.standIns.set(rule, r);
    }
    return r;
  }

  private where(rule: number): string {
    const s = this.standIn(rule).source;
    return `${s.file}:${s.line}`;
  }
}
