// One iptables command line (`-A CHAIN -p tcp --dport 80 -j ACCEPT`, `-N CHAIN`, ...) parsed the
// way iptables' do_parse does it: getopt_long over the base options plus the options of every
// match and target loaded so far, `!` before an option inverting it, `-p tcp` loading the tcp
// match on demand, and `-s`/`-d` lists expanding into one rule per address pair.

import { NfwasmError } from '../../errors.js';
import type { Family, IpNet } from '../../ir/address.js';
import type { BaseMatch, ProtocolMatch } from '../../ir/base-matches.js';
import type { Match } from '../../ir/match.js';
import { type Counters, type Rule, type TableName, ZERO_COUNTERS } from '../../ir/ruleset.js';
import type { Target } from '../../ir/target.js';
import { AddressError, parseNetList } from './addresses.js';
import type { MatchExtension, OptionSpec, OptionUse, ParseContext, TargetExtension } from './extension.js';
import { parseUintInRange } from './numbers.js';
import { protocolMatchName, protocolNumber } from './protocols.js';
import { findMatch, findTarget, knownMatchNames, knownTargetNames } from './registry.js';
import type { Token } from './tokens.js';

export type CommandKind =
  | 'append'
  | 'check'
  | 'delete'
  | 'insert'
  | 'replace'
  | 'list'
  | 'list-rules'
  | 'flush'
  | 'zero'
  | 'new-chain'
  | 'delete-chain'
  | 'rename-chain'
  | 'policy';

interface BaseOption {
  readonly short: string;
  readonly long: readonly string[];
  readonly arg: 'none' | 'required' | 'optional';
  readonly command?: CommandKind;
}

/** iptables.c original_opts, in its order (its order decides abbreviations). */
const BASE_OPTIONS: readonly BaseOption[] = [
  { short: 'A', long: ['append'], arg: 'required', command: 'append' },
  { short: 'D', long: ['delete'], arg: 'required', command: 'delete' },
  { short: 'C', long: ['check'], arg: 'required', command: 'check' },
  { short: 'I', long: ['insert'], arg: 'required', command: 'insert' },
  { short: 'R', long: ['replace'], arg: 'required', command: 'replace' },
  { short: 'L', long: ['list'], arg: 'optional', command: 'list' },
  { short: 'S', long: ['list-rules'], arg: 'optional', command: 'list-rules' },
  { short: 'F', long: ['flush'], arg: 'optional', command: 'flush' },
  { short: 'Z', long: ['zero'], arg: 'optional', command: 'zero' },
  { short: 'N', long: ['new-chain'], arg: 'required', command: 'new-chain' },
  { short: 'X', long: ['delete-chain'], arg: 'optional', command: 'delete-chain' },
  { short: 'E', long: ['rename-chain'], arg: 'required', command: 'rename-chain' },
  { short: 'P', long: ['policy'], arg: 'required', command: 'policy' },
  { short: 's', long: ['source', 'src'], arg: 'required' },
  { short: 'd', long: ['destination', 'dst'], arg: 'required' },
  { short: 'p', long: ['protocol'], arg: 'required' },
  { short: 'i', long: ['in-interface'], arg: 'required' },
  { short: 'j', long: ['jump'], arg: 'required' },
  { short: 't', long: ['table'], arg: 'required' },
  { short: 'm', long: ['match'], arg: 'required' },
  { short: 'n', long: ['numeric'], arg: 'none' },
  { short: 'o', long: ['out-interface'], arg: 'required' },
  { short: 'v', long: ['verbose'], arg: 'none' },
  { short: 'w', long: ['wait'], arg: 'optional' },
  { short: 'W', long: ['wait-interval'], arg: 'optional' },
  { short: 'x', long: ['exact'], arg: 'none' },
  { short: 'f', long: ['fragments'], arg: 'none' },
  { short: 'V', long: ['version'], arg: 'none' },
  { short: 'h', long: ['help'], arg: 'optional' },
  { short: '0', long: ['line-numbers'], arg: 'none' },
  { short: 'M', long: ['modprobe'], arg: 'required' },
  { short: 'c', long: ['set-counters'], arg: 'required' },
  { short: 'g', long: ['goto'], arg: 'required' },
  { short: '4', long: ['ipv4'], arg: 'none' },
  { short: '6', long: ['ipv6'], arg: 'none' },
];

/** What a `--name` resolves to: a base option, or a module's option. */
type LongOption =
  | { readonly base: BaseOption }
  | { readonly owner: MatchExtension | TargetExtension; readonly spec: OptionSpec };

// The lookup tables hold ready-made LongOption values, so resolving an option allocates nothing.
/** BASE_OPTIONS by exact long name and by letter. */
const BASE_BY_LONG = new Map<string, LongOption>();
const BASE_BY_SHORT = new Map<string, BaseOption>();
for (const b of BASE_OPTIONS) {
  if (!BASE_BY_SHORT.has(b.short)) BASE_BY_SHORT.set(b.short, b);
  const option = { base: b };
  for (const l of b.long) if (!BASE_BY_LONG.has(l)) BASE_BY_LONG.set(l, option);
}

/** A module's options by exact name and alias (first declared wins, as find() did). */
const OPTIONS_BY_NAME = new Map<MatchExtension | TargetExtension, Map<string, LongOption>>();
function optionByName(owner: MatchExtension | TargetExtension, name: string): LongOption | undefined {
  let map = OPTIONS_BY_NAME.get(owner);
  if (!map) {
    map = new Map();
    const options = owner.options.map((spec) => ({ owner, spec }));
    for (const o of options) if (!map.has(o.spec.name)) map.set(o.spec.name, o);
    for (const o of options) for (const a of o.spec.aliases ?? []) if (!map.has(a)) map.set(a, o);
    OPTIONS_BY_NAME.set(owner, map);
  }
  return map.get(name);
}

/** Options that take `!` (the others say "cannot have ! before"). */
const INVERTIBLE_BASE = new Set(['s', 'd', 'p', 'i', 'o', 'f']);

export interface CommandEnv {
  readonly family: Family;
  readonly file: string;
  readonly line: number;
  /** The whole logical line, kept on rules as their source text. */
  readonly text: string;
  /** Table when no -t is given (restore: the current *table; scripts: filter). */
  readonly table: TableName;
  /** iptables-restore forbids -t on rule lines. */
  readonly allowTable: boolean;
  /** Counters from a `[p:b]` prefix, if any. */
  readonly counters?: Counters;
  /**
   * The name of the table's chain of this name, if there is one (decides `-j NAME` between chain
   * and target). Jumps keep the chain's own string: 100k rules then share a few chain names, and
   * looking them up again at COMMIT finds the very same string.
   */
  readonly chainName: (table: TableName, chain: string) => string | undefined;
  /** Column of a position in the line, for errors not tied to a token. */
  readonly lineColumn?: number;
}

export interface ParsedCommand {
  readonly kind: CommandKind;
  readonly at: Token;
  readonly table: TableName;
  readonly tableAt: Token | undefined;
  readonly chain: string | undefined;
  readonly chainAt: Token | undefined;
  /** -I/-R/-D/-Z rule number. */
  readonly ruleNumber: number | undefined;
  readonly ruleNumberAt: Token | undefined;
  /** -E new name or -P policy. */
  readonly argument: string | undefined;
  readonly argumentAt: Token | undefined;
  /** The rule spec, expanded into one rule per -s/-d address pair (rule commands only). */
  readonly rules: readonly Rule[];
  /** True when the spec held anything at all (distinguishes `-D CHAIN 3` from `-D CHAIN spec`). */
  readonly hasRuleSpec: boolean;
  /** `-4`/`-6` in a restore file for the other family: the line is skipped, unread past it. */
  readonly skip: boolean;
}

interface LoadedModule {
  readonly kind: 'match' | 'target';
  readonly ext: MatchExtension | TargetExtension;
  readonly at: Token;
  readonly uses: OptionUse[];
  completed: boolean;
}

/** An -s/-d argument: resolved only after the whole line is read (see buildRules). */
interface AddressArg {
  readonly text: string;
  readonly at: Token | undefined;
  readonly invert: boolean;
}

/** The rule's `-p` as options see it (interned: the same object for every rule with that -p). */
type ProtocolSpec = NonNullable<OptionUse['protocol']>;

const TABLE_NAMES = new Set<string>(['raw', 'mangle', 'nat', 'filter', 'security']);
function tableNameValid(name: string): name is TableName {
  return TABLE_NAMES.has(name);
}

/** The standard verdicts, each one shared (immutable) target value for every rule using it. */
const STANDARD_VERDICTS = new Map<string, Target>(
  (['ACCEPT', 'DROP', 'RETURN', 'QUEUE'] as const).map((kind) => [kind, Object.freeze({ kind })]),
);
const RULE_COMMANDS = new Set<CommandKind>(['append', 'check', 'delete', 'insert', 'replace']);
/** Commands that take a rule number after the chain. */
const NUMBERED_COMMANDS = new Set<CommandKind>(['insert', 'replace', 'delete', 'zero', 'list', 'list-rules']);
/** Commands that take --set-counters. */
const COUNTED_COMMANDS = new Set<CommandKind>(['insert', 'replace', 'append', 'policy']);
/** Base options that may be given once per rule; a bit each in CommandLineParser.seenOnce. */
const ONCE_OPTIONS = 'sdpiofjgc';
/** Base options that make up a rule spec (refused with the non-rule commands). */
const RULE_SPEC_OPTIONS = 'sdpiofjgm';
const NO_EXTRA: readonly Token[] = Object.freeze([]);
/** No -s (or -d): the rule loop's single "no address" item. */
const NO_ADDRESS: readonly (Match | undefined)[] = Object.freeze([undefined]);

const isListing = (k: CommandKind) => k === 'list' || k === 'list-rules';

export function parseCommandLine(tokens: readonly Token[], env: CommandEnv): ParsedCommand {
  return new CommandLineParser(tokens, env).parse();
}

/**
 * The state of one command line while it is read (one instance per line). The option handlers
 * are methods over this state rather than closures, so a line costs one object, not a dozen.
 */
class CommandLineParser {
  /** The tokens, with clustered short flags (`-nvL`) split as getopt splits them. */
  private toks: readonly Token[];
  private i = 0;
  private table: TableName;
  private tableAt: Token | undefined = undefined;
  private command: CommandKind | undefined = undefined;
  private commandAt: Token | undefined = undefined;
  private chain: string | undefined = undefined;
  private chainAt: Token | undefined = undefined;
  private ruleNumber: number | undefined = undefined;
  private ruleNumberAt: Token | undefined = undefined;
  private argument: string | undefined = undefined;
  private argumentAt: Token | undefined = undefined;
  private invert = false;
  private invertAt: Token | undefined = undefined;
  private hasRuleSpec = false;
  /** The first rule option and its long name, for "Illegal option ... with this command". */
  private firstSpecAt: Token | undefined = undefined;
  private firstSpecName = '';
  private inAt: Token | undefined = undefined;
  private outAt: Token | undefined = undefined;
  // -s/-d are resolved only after the whole line is read, as iptables does (post_parse), so a
  // stray argument or a module's final check is reported first.
  private sourceArg: AddressArg | undefined = undefined;
  private destinationArg: AddressArg | undefined = undefined;
  /** -i -o -p -f, kept in the order iptables prints them (HEADER_RANK). */
  private readonly header: BaseMatch[] = [];
  private protocol: ProtocolSpec | undefined = undefined;
  private protoUsed = false;
  private readonly modules: LoadedModule[] = [];
  /** Distinct modules in order of first load; getopt looks at the newest first. */
  private readonly optionOwners: (MatchExtension | TargetExtension)[] = [];
  private target: { ext: TargetExtension | undefined; name: string; goto: boolean; at: Token } | undefined =
    undefined;
  private counters: Counters | undefined;
  private countersAt: Token | undefined = undefined;
  /** Bits of ONCE_OPTIONS already given. */
  private seenOnce = 0;
  /** -n, -x, --line-numbers: only with -L (generic_opt_check). */
  private listOnlyAt: Token | undefined = undefined;
  private listedWithZero = false;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly env: CommandEnv,
  ) {
    this.toks = tokens;
    this.table = env.table;
    this.counters = env.counters;
  }

  private fail(at: Token | undefined, message: string): never {
    const env = this.env;
    throw new NfwasmError(
      { file: env.file, line: env.line, column: at?.column ?? env.lineColumn ?? 0 },
      message,
    );
  }

  parse(): ParsedCommand {
    this.readTable();
    while (this.i < this.toks.length) {
      const tok = this.toks[this.i++]!;
      const text = tok.text;
      // Quoting does not matter: iptables sees a plain "!" argument either way.
      if (text === '!') {
        if (this.invert) this.fail(tok, 'multiple consecutive ! not allowed');
        this.invert = true;
        this.invertAt = tok;
        continue;
      }
      if (text.charCodeAt(0) !== 0x2d /* - */ || text === '-' || text === '--') this.badArgument(tok);
      const skip = text.charCodeAt(1) === 0x2d ? this.longOption(tok) : this.shortOption(tok);
      if (skip) return this.skipped();
      this.invert = false;
    }
    return this.finish();
  }

  /** -t is read first: extensions validate against the table whatever its position. */
  private readTable(): void {
    const tokens = this.tokens;
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k]!.text;
      let value: string | undefined;
      let valueTok: Token | undefined;
      if (t === '-t' || t === '--table') {
        valueTok = tokens[k + 1];
        value = valueTok?.text;
      } else if (t.startsWith('--table=')) {
        valueTok = tokens[k];
        value = t.slice('--table='.length);
      } else if (
        t.length > 2 &&
        t.charCodeAt(0) === 0x2d &&
        t.charCodeAt(1) === 0x74 &&
        t.charCodeAt(2) !== 0x2d
      ) {
        valueTok = tokens[k];
        value = t.slice(2);
      } else continue;
      if (!this.env.allowTable)
        this.fail(
          tokens[k],
          'the -t option cannot be used in iptables-restore (the *table line sets the table)',
        );
      if (value === undefined) this.fail(tokens[k], 'option "-t" requires an argument (a table name)');
      if (!tableNameValid(value)) {
        this.fail(
          valueTok,
          `can't initialize iptables table \`${value}': Table does not exist (expected raw, mangle, nat, filter or security)`,
        );
      }
      // Like do_parse, the last -t wins.
      this.table = value;
      this.tableAt = tokens[k];
    }
  }

  private next(): Token | undefined {
    return this.toks[this.i++];
  }

  /** The next token if it is a positional argument (not an option, not `!`). */
  private peekPositional(): Token | undefined {
    const t = this.toks[this.i];
    return t && !t.text.startsWith('-') && t.text !== '!' ? t : undefined;
  }

  private badArgument(tok: Token): never {
    const tokens = this.tokens;
    const i = this.i;
    const prev = tokens[i - 2];
    const intrapositioned = prev?.text === '!' && /^-/.test(tokens[i - 3]?.text ?? '');
    return this.fail(
      tok,
      `Bad argument \`${tok.text}'` +
        (intrapositioned
          ? ` (the old \`${tokens[i - 3]!.text} ! VALUE' form is gone: write \`! ${tokens[i - 3]!.text} VALUE')`
          : ''),
    );
  }

  /** `--name[=value]`: a base option or a loaded module's. Returns true when the line is skipped. */
  private longOption(tok: Token): boolean {
    const text = tok.text;
    const eq = text.indexOf('=');
    const name = eq >= 0 ? text.slice(2, eq) : text.slice(2);
    const inline = eq >= 0 ? text.slice(eq + 1) : undefined;
    let resolved = this.resolveLong(name, tok);
    const protocol = this.protocol;
    if (!resolved && protocol && !protocol.invert && !this.protoUsed) {
      // find_proto: `-p tcp` loads the tcp match when its first option appears.
      this.protoUsed = true;
      const pname = protocolMatchName(protocol.protocol);
      if (pname && findMatch(pname, this.env.family)) {
        this.loadMatch(pname, tok);
        resolved = this.resolveLong(name, tok);
      }
    }
    if (!resolved) this.unknownOption(tok);
    if ('base' in resolved) return this.baseOption(resolved.base, tok, inline);
    this.moduleOption(resolved.owner, resolved.spec, tok, inline);
    return false;
  }

  /** `-x[value]`, or a cluster of flags. Returns true when the line is skipped. */
  private shortOption(tok: Token): boolean {
    const text = tok.text;
    const letter = text[1]!;
    const base = BASE_BY_SHORT.get(letter);
    if (!base) this.fail(tok, `unknown option "-${letter}"`);
    let inline: string | undefined;
    if (text.length > 2) {
      if (base.arg === 'none') {
        // Clustered flags like -nvL: getopt reads the rest as further short options.
        const rest: Token = { text: `-${text.slice(2)}`, column: tok.column + 2, quoted: tok.quoted };
        this.toks = [...this.toks.slice(0, this.i), rest, ...this.toks.slice(this.i)];
      } else inline = text.slice(2);
    }
    return this.baseOption(base, tok, inline);
  }

  private unknownOption(tok: Token): never {
    const modules = this.modules;
    return this.fail(
      tok,
      `unknown option "${optionDisplay(tok)}"` +
        (modules.length
          ? ` (options here: ${[...new Set(modules.map((m) => m.ext))]
              .map((e) => `${e.name}: ${e.options.map((o) => `--${o.name}`).join(' ') || 'none'}`)
              .join('; ')})`
          : ' (no match module that takes it is loaded: add -m MODULE, or -p PROTO for its protocol match, before it)'),
    );
  }

  /** The option's argument token (the option's own for `--opt=value`), as its kind wants it. */
  private valueToken(
    arg: 'none' | 'required' | 'optional',
    tok: Token,
    inline: string | undefined,
  ): Token | undefined {
    if (arg === 'none') return undefined;
    if (inline !== undefined) return tok;
    if (arg === 'required') {
      const v = this.next();
      if (!v) this.fail(tok, `option "${optionDisplay(tok)}" requires an argument`);
      return v;
    }
    return this.peekPositional() ? this.next() : undefined;
  }

  private moduleOption(
    owner: MatchExtension | TargetExtension,
    spec: OptionSpec,
    tok: Token,
    inline: string | undefined,
  ): void {
    const valueAt = this.valueToken(spec.arg, tok, inline);
    if (spec.arg === 'none' && inline !== undefined)
      this.fail(tok, `option '${optionDisplay(tok)}' doesn't allow an argument`);
    const invert = this.invert;
    if (invert && !spec.invert) this.fail(this.invertAt, `unexpected \`!' flag before --${spec.name}`);
    // The newest instance of the owning module that is not completed gets the option.
    let instance: LoadedModule | undefined;
    for (let k = this.modules.length - 1; k >= 0; k--) {
      const m = this.modules[k]!;
      if (m.ext === owner && !m.completed) {
        instance = m;
        break;
      }
    }
    if (!instance) this.fail(tok, `option "${optionDisplay(tok)}" has no module instance to apply to`);
    if (!spec.multi && instance.uses.some((u) => u.name === spec.name)) {
      this.fail(tok, `${owner.name}: "--${spec.name}" option may only be specified once`);
    }
    let extra = NO_EXTRA;
    const extraArgs = spec.extraArgs ?? 0;
    if (extraArgs > 0) {
      const taken: Token[] = [];
      for (let k = 0; k < extraArgs; k++) {
        const e = this.toks[this.i];
        if (!e || (e.text.startsWith('-') && e.text.length > 1) || e.text === '!') {
          this.fail(e ?? tok, `option "${optionDisplay(tok)}" needs ${extraArgs + 1} arguments`);
        }
        taken.push(e);
        this.i++;
      }
      extra = taken;
    }
    instance.uses.push({
      name: spec.name,
      invert,
      value: valueAt === undefined ? undefined : (inline ?? valueAt.text),
      at: tok,
      valueAt,
      extra,
      protocol: this.protocol,
    });
    this.hasRuleSpec = true;
    if (!this.firstSpecAt) {
      this.firstSpecAt = tok;
      this.firstSpecName = spec.name;
    }
  }

  /** One of iptables' own options. Returns true when the line is to be skipped. */
  private baseOption(b: BaseOption, tok: Token, inline: string | undefined): boolean {
    const valueAt = this.valueToken(b.arg, tok, inline);
    const value = valueAt === undefined ? undefined : (inline ?? valueAt.text);
    const invert = this.invert;
    if (invert && !INVERTIBLE_BASE.has(b.short)) {
      this.fail(
        this.invertAt,
        b.short === 'm' ? 'unexpected ! flag before --match' : `cannot have ! before -${b.short}`,
      );
    }
    if (b.command) {
      this.commandOption(b.command, tok, value, valueAt);
      return false;
    }
    if ((b.short === 'n' || b.short === 'x' || b.short === '0') && !this.listOnlyAt)
      this.listOnlyAt = { ...tok, text: optionDisplay(tok) };
    const once = ONCE_OPTIONS.indexOf(b.short);
    if (once >= 0) {
      if (this.seenOnce & (1 << once)) {
        const what = b.short === 'g' || b.short === 'j' ? '-j/-g' : `-${b.short}`;
        this.fail(tok, `multiple ${what} flags not allowed`);
      }
      this.seenOnce |= 1 << once;
      // -j and -g exclude each other.
      if (b.short === 'j') this.seenOnce |= 1 << ONCE_OPTIONS.indexOf('g');
      if (b.short === 'g') this.seenOnce |= 1 << ONCE_OPTIONS.indexOf('j');
    }
    if (RULE_SPEC_OPTIONS.includes(b.short)) {
      this.hasRuleSpec = true;
      if (!this.firstSpecAt) {
        this.firstSpecAt = tok;
        this.firstSpecName = b.long[0]!;
      }
    }
    switch (b.short) {
      case 's':
        this.sourceArg = { text: value!, at: valueAt, invert };
        break;
      case 'd':
        this.destinationArg = { text: value!, at: valueAt, invert };
        break;
      case 'p': {
        const num = protocolNumber(value!.toLowerCase(), (s) => parseUintInRange(s, 0, 255));
        if (num === undefined) this.fail(valueAt, `unknown protocol "${value}" specified`);
        if (num === 0 && invert) this.fail(valueAt, 'rule would never match protocol');
        this.protocol = protocolSpec(num, invert);
        if (num !== 0) this.addHeader(protocolMatch(num, invert));
        break;
      }
      case 'i':
      case 'o': {
        if (b.short === 'i') this.inAt = tok;
        else this.outAt = tok;
        const v = value!;
        if (v.length === 0) this.fail(valueAt, `empty interface name`);
        if (v.length >= 16) this.fail(valueAt, `interface name \`${v}' must be shorter than 16 characters`);
        if (/[\s/]/.test(v))
          this.fail(
            valueAt,
            `Warning: weird character in interface \`${v}' ('/' and ' ' are not allowed by the kernel)`,
          );
        const wildcard = v.endsWith('+');
        this.addHeader({
          kind: b.short === 'i' ? 'in-interface' : 'out-interface',
          name: wildcard ? v.slice(0, -1) : v,
          wildcard,
          invert,
        });
        break;
      }
      case 'f':
        if (this.env.family === 'ipv6')
          this.fail(tok, 'unknown option "-f" (ip6tables has no -f; use -m frag)');
        this.addHeader(invert ? INVERTED_FRAGMENT : FRAGMENT);
        break;
      case 'm':
        this.loadMatch(value!, valueAt!);
        break;
      case 'j':
      case 'g':
        this.setTarget(value!, valueAt!, b.short === 'g');
        break;
      case 'c':
        this.setCounters(tok, value!, valueAt);
        break;
      case '4':
      case '6':
        if (this.env.family === (b.short === '4' ? 'ipv6' : 'ipv4')) {
          // iptables-restore stops reading the line right here and skips it.
          if (!this.env.allowTable) return true;
          this.fail(tok, `this is ${b.short === '4' ? 'ip6tables: -4' : 'iptables: -6'} not allowed`);
        }
        break;
      default:
        break; // -t (read up front), -n -v -x -w -W -V -h --line-numbers -M: no effect on the ruleset
    }
    return false;
  }

  /** -A -I -D -R -C -L -S -F -Z -N -X -E -P with their chain, rule number or argument. */
  private commandOption(
    kind: CommandKind,
    tok: Token,
    value: string | undefined,
    valueAt: Token | undefined,
  ) {
    this.setCommand(kind, tok);
    if (kind === 'policy' || kind === 'rename-chain') {
      this.chain = value;
      this.chainAt = valueAt;
      const argumentAt = this.next();
      if (!argumentAt || argumentAt.text.startsWith('-'))
        this.fail(
          argumentAt ?? tok,
          kind === 'policy'
            ? '-P requires a chain and a policy'
            : '-E requires old-chain-name and new-chain-name',
        );
      this.argumentAt = argumentAt;
      this.argument = argumentAt.text;
      return;
    }
    if (value !== undefined || !this.listedWithZero) {
      this.chain = value;
      this.chainAt = valueAt;
    }
    if (NUMBERED_COMMANDS.has(kind) && this.chain !== undefined) {
      const pos = this.peekPositional();
      if (pos && (kind !== 'delete' || /^\d/.test(pos.text))) {
        this.next();
        const n = parseUintInRange(pos.text, 1, 0xffffffff, 10);
        if (n === undefined) this.fail(pos, `Invalid rule number \`${pos.text}' (expected a number from 1)`);
        this.ruleNumber = n;
        this.ruleNumberAt = pos;
      } else if (kind === 'replace') this.fail(tok, '-R requires a rule number');
    }
  }

  private setCommand(kind: CommandKind, at: Token): void {
    const current = this.command;
    // add_command: -Z goes with -L or -S (list, then zero); the listing changes nothing.
    if (current && ((kind === 'zero' && isListing(current)) || (isListing(kind) && current === 'zero'))) {
      this.listedWithZero = true;
      if (kind === 'zero') {
        this.command = kind;
        this.commandAt = at;
      }
      return;
    }
    if (current)
      this.fail(at, `only one command allowed (already have -${shortOf(current)}, got ${at.text})`);
    this.command = kind;
    this.commandAt = at;
  }

  private loadMatch(name: string, at: Token): void {
    const ext = findMatch(name, this.env.family);
    if (!ext) {
      this.fail(
        at,
        `unknown match \`${name}' (Couldn't load match). nfwasm understands: ${knownMatchNames(this.env.family).join(', ')}`,
      );
    }
    for (const m of this.modules) if (m.ext === ext) m.completed = true;
    this.modules.push({ kind: 'match', ext, at, uses: [], completed: false });
    if (!this.optionOwners.includes(ext)) this.optionOwners.push(ext);
  }

  private setTarget(name: string, at: Token, isGoto: boolean): void {
    const env = this.env;
    const table = this.table;
    if (name.length === 0) this.fail(at, 'Invalid target name (empty)');
    const ext = isGoto ? undefined : findTarget(name, env.family);
    const chain = ext || STANDARD_VERDICTS.has(name) ? undefined : env.chainName(table, name);
    if (!ext && !STANDARD_VERDICTS.has(name) && chain === undefined) {
      if (isGoto) this.fail(at, `goto '${name}' is not a chain (no chain of that name in table ${table})`);
      if (/^[A-Z][A-Z0-9_]*$/.test(name))
        this.fail(
          at,
          `Couldn't load target \`${name}': no such target, and no chain of that name exists in table ${table} (nfwasm understands targets: ${knownTargetNames(env.family).join(', ')})`,
        );
      this.fail(
        at,
        `Couldn't load target \`${name}': no chain of that name exists in table ${table} (create it first with -N ${name})`,
      );
    }
    this.target = { ext, name: chain ?? name, goto: isGoto, at };
    if (ext) {
      this.modules.push({ kind: 'target', ext, at, uses: [], completed: false });
      if (!this.optionOwners.includes(ext)) this.optionOwners.push(ext);
    }
  }

  /** -c P,B or -c P B. */
  private setCounters(tok: Token, value: string, valueAt: Token | undefined): void {
    const m = /^(\d+)(?:,(\d+))?$/.exec(value);
    let bytesText = m?.[2];
    if (m && bytesText === undefined) {
      const nb = this.peekPositional();
      if (nb) {
        this.next();
        bytesText = nb.text;
      }
    }
    if (!m || bytesText === undefined || !/^\d+$/.test(bytesText))
      this.fail(valueAt, '-c requires packet and byte counter (numbers)');
    this.counters = { packets: BigInt(m[1]!), bytes: BigInt(bytesText) };
    this.countersAt = tok;
  }

  private addHeader(m: BaseMatch): void {
    const h = this.header;
    let k = h.length;
    while (k > 0 && HEADER_RANK[h[k - 1]!.kind]! > HEADER_RANK[m.kind]!) k--;
    if (k === h.length) h.push(m);
    else h.splice(k, 0, m);
  }

  private resolveLong(name: string, at: Token): LongOption | undefined {
    // Exact names first: base options, then modules newest first.
    const exactBase = BASE_BY_LONG.get(name);
    if (exactBase) return exactBase;
    const owners = this.optionOwners;
    for (let k = owners.length - 1; k >= 0; k--) {
      const option = optionByName(owners[k]!, name);
      if (option) return option;
    }
    // getopt_long's unambiguous abbreviations.
    const candidates: LongOption[] = [];
    for (const b of BASE_OPTIONS) if (b.long.some((l) => l.startsWith(name))) candidates.push({ base: b });
    for (const owner of [...owners].reverse())
      for (const spec of owner.options)
        if ([spec.name, ...(spec.aliases ?? [])].some((n) => n.startsWith(name)))
          candidates.push({ owner, spec });
    const distinct = new Set(candidates.map((c) => ('base' in c ? c.base : c.spec)));
    if (distinct.size === 1) return candidates[0];
    if (distinct.size > 1) {
      const names = candidates.map((c) => `--${'base' in c ? c.base.long[0] : c.spec.name}`);
      this.fail(at, `option '--${name}' is ambiguous; possibilities: ${names.join(' ')}`);
    }
    return undefined;
  }

  /** The answer for a line iptables-restore skips (`-6` in an IPv4 file, `-4` in an IPv6 one). */
  private skipped(): ParsedCommand {
    return {
      kind: this.command ?? 'append',
      at: this.commandAt ?? this.tokens[0]!,
      table: this.table,
      tableAt: this.tableAt,
      chain: this.chain,
      chainAt: this.chainAt,
      ruleNumber: undefined,
      ruleNumberAt: undefined,
      argument: this.argument,
      argumentAt: this.argumentAt,
      rules: [],
      hasRuleSpec: false,
      skip: true,
    };
  }

  /** The checks iptables makes once the whole line is read, then the rules. */
  private finish(): ParsedCommand {
    if (this.invert)
      this.fail(
        this.invertAt,
        'nothing appropriate following ! (expected an option such as -s, -p or --dport after it)',
      );
    const kind = this.command;
    const at = this.commandAt;
    if (kind === undefined || at === undefined)
      return this.fail(
        this.tokens[0],
        'no command specified (expected -A, -I, -D, -R, -N, -X, -F, -Z, -P or -E)',
      );
    if (this.chain !== undefined && this.chain.length >= 29) {
      this.fail(this.chainAt, `chain name \`${this.chain}' too long (must be under 29 chars)`);
    }
    if (this.listOnlyAt && !(kind === 'list' || (kind === 'zero' && this.listedWithZero))) {
      this.fail(
        this.listOnlyAt,
        `Illegal option \`${this.listOnlyAt.text}' with this command (it is only for -L)`,
      );
    }
    if (this.countersAt && !COUNTED_COMMANDS.has(kind)) {
      this.fail(
        this.countersAt,
        "Illegal option `--set-counters' with this command (only with -A, -I, -R and -P)",
      );
    }
    const isRuleCommand = RULE_COMMANDS.has(kind);
    if (!isRuleCommand && this.hasRuleSpec) {
      this.fail(
        this.firstSpecAt ?? at,
        `Illegal option \`${this.firstSpecAt ? `--${this.firstSpecName}` : ''}' with this command (-${shortOf(kind)} takes no rule options; they are only for -A, -I, -D, -R and -C)`,
      );
    }
    const rules =
      isRuleCommand && (kind !== 'delete' || this.ruleNumber === undefined) ? this.buildRules() : [];
    return {
      kind,
      at,
      table: this.table,
      tableAt: this.tableAt,
      chain: this.chain,
      chainAt: this.chainAt,
      ruleNumber: this.ruleNumber,
      ruleNumberAt: this.ruleNumberAt,
      argument: this.argument,
      argumentAt: this.argumentAt,
      rules,
      hasRuleSpec: this.hasRuleSpec,
      skip: false,
    };
  }

  /** The modules' final checks and IR, then one rule per -s/-d address pair. */
  private buildRules(): Rule[] {
    const env = this.env;
    const table = this.table;
    const chain = this.chain;
    const target = this.target;
    // The whole line is read: the context's -p is final.
    const ctx: ParseContext = {
      family: env.family,
      table,
      chain: chain ?? '',
      protocol: this.protocol,
      error: (at, message) => this.fail(at, message),
    };
    if (table === 'nat' && target?.name === 'DROP') {
      this.fail(
        target.at,
        'The "nat" table is not intended for filtering, the use of DROP is therefore inhibited.',
      );
    }
    this.checkInterfaceDirection();
    const moduleMatches: Match[] = [];
    let builtTarget: Target | null = null;
    for (const m of this.modules) {
      if (m.kind === 'match') moduleMatches.push((m.ext as MatchExtension).build(m.uses, ctx, m.at));
      else builtTarget = (m.ext as TargetExtension).build(m.uses, ctx, m.at);
    }
    if (target && !target.ext) {
      builtTarget = STANDARD_VERDICTS.get(target.name) ?? {
        kind: target.goto ? 'goto' : 'jump',
        chain: target.name,
      };
    }
    const sources = this.addressMatches('source', this.sourceArg);
    const destinations = this.addressMatches('destination', this.destinationArg);
    const counters = this.counters ?? ZERO_COUNTERS;
    const source = { file: env.file, line: env.line, text: env.text };
    const rules: Rule[] = [];
    for (const s of sources) {
      for (const d of destinations) {
        const matches = ruleMatches(s, d, this.header, moduleMatches);
        rules.push({ matches, target: builtTarget, counters, source });
      }
    }
    return rules;
  }

  /**
   * The -s (or -d) match of each address in the list. A non-inverted `/0` address is no
   * condition at all: the kernel keeps an all-zero mask, which matches every packet.
   */
  private addressMatches(
    kind: 'source' | 'destination',
    arg: AddressArg | undefined,
  ): readonly (Match | undefined)[] {
    if (!arg) return NO_ADDRESS;
    let nets: IpNet[];
    try {
      nets = parseNetList(this.env.family, arg.text);
    } catch (e) {
      if (!(e instanceof AddressError)) throw e;
      const hint = arg.text === '!' ? ' (the old `-s ! ADDR` form is gone: write `! -s ADDR`)' : '';
      return this.fail(arg.at, `${e.message}${hint}`);
    }
    const invert = arg.invert;
    return nets.map((net) => (net.prefixLen === 0 && !invert ? undefined : { kind, net, invert }));
  }

  private checkInterfaceDirection(): void {
    const chain = this.chain;
    if ((chain === 'PREROUTING' || chain === 'INPUT') && this.outAt) {
      this.fail(
        this.outAt,
        `Can't use -o with ${chain} (packets there have no output interface yet; use -i)`,
      );
    }
    if ((chain === 'POSTROUTING' || chain === 'OUTPUT') && this.inAt) {
      this.fail(this.inAt, `Can't use -i with ${chain} (packets there have no input interface; use -o)`);
    }
  }
}

/**
 * One rule's matches: -s, -d, the header, the modules'. The array is sized exactly, as the IR
 * keeps one per rule (an array grown by push keeps room for 17).
 */
function ruleMatches(
  s: Match | undefined,
  d: Match | undefined,
  header: readonly Match[],
  modules: readonly Match[],
): Match[] {
  const matches = new Array<Match>((s ? 1 : 0) + (d ? 1 : 0) + header.length + modules.length);
  let k = 0;
  if (s) matches[k++] = s;
  if (d) matches[k++] = d;
  for (let i = 0; i < header.length; i++) matches[k++] = header[i]!;
  for (let i = 0; i < modules.length; i++) matches[k++] = modules[i]!;
  return matches;
}

/** How an option token is named in messages: `--name` as typed (abbreviations kept), or `-x`. */
function optionDisplay(tok: Token): string {
  const text = tok.text;
  if (text.charCodeAt(1) !== 0x2d) return text.slice(0, 2);
  const eq = text.indexOf('=');
  return eq >= 0 ? text.slice(0, eq) : text;
}

/** The struct ipt_ip fields in the order iptables prints them: -i -o -p -f (after -s -d). */
const HEADER_RANK: Record<string, number> = {
  'in-interface': 0,
  'out-interface': 1,
  protocol: 2,
  fragment: 3,
};

function shortOf(kind: CommandKind): string {
  return BASE_OPTIONS.find((b) => b.command === kind)!.short;
}

// Protocol matches, -p snapshots and -f matches are immutable and few: share them across rules.
const PROTOCOL_MATCHES = new Map<number, ProtocolMatch>();
const PROTOCOL_SPECS = new Map<number, ProtocolSpec>();
const FRAGMENT: BaseMatch = Object.freeze({ kind: 'fragment', invert: false });
const INVERTED_FRAGMENT: BaseMatch = Object.freeze({ kind: 'fragment', invert: true });

function protocolMatch(protocol: number, invert: boolean): ProtocolMatch {
  const key = invert ? -1 - protocol : protocol;
  let m = PROTOCOL_MATCHES.get(key);
  if (!m) {
    m = Object.freeze({ kind: 'protocol', protocol, invert });
    PROTOCOL_MATCHES.set(key, m);
  }
  return m;
}

function protocolSpec(protocol: number, invert: boolean): ProtocolSpec {
  const key = invert ? -1 - protocol : protocol;
  let s = PROTOCOL_SPECS.get(key);
  if (!s) {
    s = Object.freeze({ protocol, invert });
    PROTOCOL_SPECS.set(key, s);
  }
  return s;
}
