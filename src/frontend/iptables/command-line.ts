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

/** BASE_OPTIONS by exact long name and by letter. */
const BASE_BY_LONG = new Map<string, BaseOption>();
const BASE_BY_SHORT = new Map<string, BaseOption>();
for (const b of BASE_OPTIONS) {
  if (!BASE_BY_SHORT.has(b.short)) BASE_BY_SHORT.set(b.short, b);
  for (const l of b.long) if (!BASE_BY_LONG.has(l)) BASE_BY_LONG.set(l, b);
}

/** A module's options by exact name and alias (first declared wins, as find() did). */
const OPTIONS_BY_NAME = new WeakMap<MatchExtension | TargetExtension, Map<string, OptionSpec>>();
function optionByName(owner: MatchExtension | TargetExtension, name: string): OptionSpec | undefined {
  let map = OPTIONS_BY_NAME.get(owner);
  if (!map) {
    map = new Map();
    for (const o of owner.options) if (!map.has(o.name)) map.set(o.name, o);
    for (const o of owner.options) for (const a of o.aliases ?? []) if (!map.has(a)) map.set(a, o);
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
  /** Whether a chain of this name exists in the table (decides `-j NAME` between chain and target). */
  readonly chainExists: (table: TableName, chain: string) => boolean;
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
  /** `-4`/`-6` in a restore file for the other family: the line is skipped. */
  readonly skip: boolean;
}

interface LoadedModule {
  readonly kind: 'match' | 'target';
  readonly ext: MatchExtension | TargetExtension;
  readonly at: Token;
  readonly uses: OptionUse[];
  completed: boolean;
}

function tableNameValid(name: string): name is TableName {
  return ['raw', 'mangle', 'nat', 'filter', 'security'].includes(name);
}

const STANDARD_VERDICTS = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);
const RULE_COMMANDS = new Set<CommandKind>(['append', 'check', 'delete', 'insert', 'replace']);

export function parseCommandLine(tokens: readonly Token[], env: CommandEnv): ParsedCommand {
  const fail = (at: Token | undefined, message: string): never => {
    throw new NfwasmError(
      { file: env.file, line: env.line, column: at?.column ?? env.lineColumn ?? 0 },
      message,
    );
  };

  // -t is read first: extensions validate against the table whatever its position.
  let table = env.table;
  let tableAt: Token | undefined;
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
    } else if (t.length > 2 && t.charCodeAt(0) === 0x2d && t.charCodeAt(1) === 0x74 && t.charCodeAt(2) !== 0x2d) {
      valueTok = tokens[k];
      value = t.slice(2);
    } else continue;
    if (!env.allowTable)
      fail(tokens[k], 'the -t option cannot be used in iptables-restore (the *table line sets the table)');
    if (value === undefined) fail(tokens[k], 'option "-t" requires an argument (a table name)');
    if (!tableNameValid(value!)) {
      fail(
        valueTok,
        `can't initialize iptables table \`${value}': Table does not exist (expected raw, mangle, nat, filter or security)`,
      );
    }
    // Like do_parse, the last -t wins.
    table = value as TableName;
    tableAt = tokens[k];
  }

  let command: { kind: CommandKind; at: Token } | undefined;
  let chain: string | undefined;
  let chainAt: Token | undefined;
  let ruleNumber: number | undefined;
  let ruleNumberAt: Token | undefined;
  let argument: string | undefined;
  let argumentAt: Token | undefined;
  let invert = false;
  let invertAt: Token | undefined;
  let skip = false;
  let hasRuleSpec = false;
  /** The first rule option, for "Illegal option ... with this command". */
  let firstSpec: { at: Token; name: string } | undefined;
  const interfaceAt: { i?: Token; o?: Token } = {};

  // -s/-d are resolved only after the whole line is read, as iptables does (post_parse), so a
  // stray argument or a module's final check is reported first.
  let sourceArg: { text: string; at: Token | undefined; invert: boolean } | undefined;
  let destinationArg: { text: string; at: Token | undefined; invert: boolean } | undefined;
  const header: BaseMatch[] = [];
  let protocol: { protocol: number; invert: boolean; name: string } | undefined;
  let protoUsed = false;
  const modules: LoadedModule[] = [];
  /** Distinct modules in reverse order of first load: getopt's precedence. */
  const optionOwners: (MatchExtension | TargetExtension)[] = [];
  let target: { ext: TargetExtension | undefined; name: string; goto: boolean; at: Token } | undefined;
  let counters = env.counters;
  const seenBase = new Set<string>();

  const ctx: ParseContext = {
    family: env.family,
    table,
    chain: '',
    get protocol() {
      return protocol ? { protocol: protocol.protocol, invert: protocol.invert } : undefined;
    },
    error: (at, message) => fail(at, message),
  };

  /** The tokens, with clustered short flags (`-nvL`) split as getopt splits them. */
  const toks: Token[] = [...tokens];
  let countersAt: Token | undefined;
  /** -n, -x, --line-numbers: only with -L (generic_opt_check). */
  let listOnlyAt: Token | undefined;
  let listedWithZero = false;
  let i = 0;
  const next = (): Token | undefined => toks[i++];
  const peekPositional = (): Token | undefined => {
    const t = toks[i];
    return t && !t.text.startsWith('-') && !(t.text === '!' && !t.quoted) ? t : undefined;
  };

  const setCommand = (kind: CommandKind, at: Token) => {
    // add_command: -Z goes with -L or -S (list, then zero); the listing changes nothing.
    const listing = (k: CommandKind) => k === 'list' || k === 'list-rules';
    if (
      command &&
      ((kind === 'zero' && listing(command.kind)) || (listing(kind) && command.kind === 'zero'))
    ) {
      listedWithZero = true;
      if (kind === 'zero') command = { kind, at };
      return;
    }
    if (command)
      fail(at, `only one command allowed (already have -${shortOf(command.kind)}, got ${at.text})`);
    command = { kind, at };
  };

  const loadMatch = (name: string, at: Token) => {
    const ext = findMatch(name, env.family);
    if (!ext) {
      fail(
        at,
        `unknown match \`${name}' (Couldn't load match). nfwasm understands: ${knownMatchNames(env.family).join(', ')}`,
      );
    }
    for (const m of modules) if (m.ext === ext) m.completed = true;
    modules.push({ kind: 'match', ext: ext!, at, uses: [], completed: false });
    if (!optionOwners.includes(ext!)) optionOwners.unshift(ext!);
  };

  const resolveLong = (
    name: string,
    at: Token,
  ): { base: BaseOption } | { owner: MatchExtension | TargetExtension; spec: OptionSpec } | undefined => {
    // Exact names first: base options, then modules newest first.
    const exactBase = BASE_BY_LONG.get(name);
    if (exactBase) return { base: exactBase };
    for (const owner of optionOwners) {
      const spec = optionByName(owner, name);
      if (spec) return { owner, spec };
    }
    // getopt_long's unambiguous abbreviations.
    const candidates: (
      | { base: BaseOption }
      | { owner: MatchExtension | TargetExtension; spec: OptionSpec }
    )[] = [];
    for (const b of BASE_OPTIONS) if (b.long.some((l) => l.startsWith(name))) candidates.push({ base: b });
    for (const owner of optionOwners)
      for (const spec of owner.options)
        if ([spec.name, ...(spec.aliases ?? [])].some((n) => n.startsWith(name)))
          candidates.push({ owner, spec });
    const distinct = new Set(candidates.map((c) => ('base' in c ? c.base : c.spec)));
    if (distinct.size === 1) return candidates[0];
    if (distinct.size > 1) {
      const names = candidates.map((c) => `--${'base' in c ? c.base.long[0] : c.spec.name}`);
      fail(at, `option '--${name}' is ambiguous; possibilities: ${names.join(' ')}`);
    }
    return undefined;
  };

  while (i < toks.length) {
    const tok = next()!;
    const text = tok.text;
    if (text === '!' && !tok.quoted) {
      if (invert) fail(tok, 'multiple consecutive ! not allowed');
      invert = true;
      invertAt = tok;
      continue;
    }
    if (!text.startsWith('-') || text === '-' || text === '--') {
      const prev = tokens[i - 2];
      const intrapositioned = prev?.text === '!' && /^-/.test(tokens[i - 3]?.text ?? '');
      fail(
        tok,
        `Bad argument \`${text}'` +
          (intrapositioned
            ? ` (the old \`${tokens[i - 3]!.text} ! VALUE' form is gone: write \`! ${tokens[i - 3]!.text} VALUE')`
            : ''),
      );
    }
    // Split into option name and an inline value.
    let base: BaseOption | undefined;
    let ext: { owner: MatchExtension | TargetExtension; spec: OptionSpec } | undefined;
    let inline: string | undefined;
    let display: string;
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      const name = eq >= 0 ? text.slice(2, eq) : text.slice(2);
      if (eq >= 0) inline = text.slice(eq + 1);
      display = `--${name}`;
      let resolved = resolveLong(name, tok);
      if (!resolved && protocol && !protocol.invert && !protoUsed) {
        // find_proto: `-p tcp` loads the tcp match when its first option appears.
        protoUsed = true;
        const pname = protocolMatchName(protocol.protocol);
        if (pname && findMatch(pname, env.family)) {
          loadMatch(pname, tok);
          resolved = resolveLong(name, tok);
        }
      }
      if (!resolved) {
        const loaded = modules.map((m) => `${m.kind === 'match' ? '-m' : '-j'} ${m.ext.name}`);
        fail(
          tok,
          `unknown option "${display}"` +
            (loaded.length
              ? ` (options here: ${[...new Set(modules.map((m) => m.ext))]
                  .map((e) => `${e.name}: ${e.options.map((o) => `--${o.name}`).join(' ') || 'none'}`)
                  .join('; ')})`
              : ' (no match module that takes it is loaded: add -m MODULE, or -p PROTO for its protocol match, before it)'),
        );
      }
      if ('base' in resolved!) base = resolved.base;
      else ext = resolved;
    } else {
      const letter = text[1]!;
      base = BASE_BY_SHORT.get(letter);
      display = `-${letter}`;
      if (!base) fail(tok, `unknown option "-${letter}"`);
      if (text.length > 2) {
        if (base!.arg === 'none') {
          // Clustered flags like -nvL: getopt reads the rest as further short options.
          toks.splice(i, 0, { text: `-${text.slice(2)}`, column: tok.column + 2, quoted: tok.quoted });
        } else inline = text.slice(2);
      }
    }

    if (ext) {
      const { owner, spec } = ext;
      let value: string | undefined;
      let valueAt: Token | undefined;
      if (spec.arg === 'required') {
        if (inline !== undefined) {
          value = inline;
          valueAt = tok;
        } else {
          valueAt = next();
          if (!valueAt) fail(tok, `option "${display}" requires an argument`);
          value = valueAt!.text;
        }
      } else if (spec.arg === 'optional') {
        if (inline !== undefined) {
          value = inline;
          valueAt = tok;
        } else if (peekPositional()) {
          valueAt = next();
          value = valueAt!.text;
        }
      } else if (inline !== undefined) fail(tok, `option '${display}' doesn't allow an argument`);
      if (invert && !spec.invert) fail(invertAt, `unexpected \`!' flag before --${spec.name}`);
      // The newest instance of the owning module that is not completed gets the option.
      let instance: LoadedModule | undefined;
      for (let k = modules.length - 1; k >= 0; k--) {
        const m = modules[k]!;
        if (m.ext === owner && !m.completed) {
          instance = m;
          break;
        }
      }
      if (!instance) fail(tok, `option "${display}" has no module instance to apply to`);
      if (!spec.multi && instance!.uses.some((u) => u.name === spec.name)) {
        fail(tok, `${owner.name}: "--${spec.name}" option may only be specified once`);
      }
      const extra: Token[] = [];
      for (let k = 0; k < (spec.extraArgs ?? 0); k++) {
        const e = toks[i];
        if (!e || (e.text.startsWith('-') && e.text.length > 1) || (e.text === '!' && !e.quoted)) {
          fail(e ?? tok, `option "${display}" needs ${(spec.extraArgs ?? 0) + 1} arguments`);
        }
        extra.push(e!);
        i++;
      }
      instance!.uses.push({
        name: spec.name,
        invert,
        value,
        at: tok,
        valueAt,
        extra,
        protocol: protocol ? { protocol: protocol.protocol, invert: protocol.invert } : undefined,
      });
      hasRuleSpec = true;
      firstSpec ??= { at: tok, name: `--${spec.name}` };
      invert = false;
      continue;
    }

    const b = base!;
    let value: string | undefined;
    let valueAt: Token | undefined;
    if (b.arg === 'required') {
      if (inline !== undefined) {
        value = inline;
        valueAt = tok;
      } else {
        valueAt = next();
        if (!valueAt) fail(tok, `option "${display}" requires an argument`);
        value = valueAt!.text;
      }
    } else if (b.arg === 'optional') {
      if (inline !== undefined) {
        value = inline;
        valueAt = tok;
      } else if (peekPositional()) {
        valueAt = next();
        value = valueAt!.text;
      }
    }
    if (invert && !INVERTIBLE_BASE.has(b.short)) {
      fail(
        invertAt,
        b.short === 'm' ? 'unexpected ! flag before --match' : `cannot have ! before -${b.short}`,
      );
    }
    if (b.command) {
      setCommand(b.command, tok);
      if (b.command === 'policy' || b.command === 'rename-chain') {
        chain = value;
        chainAt = valueAt;
        argumentAt = next();
        if (!argumentAt || argumentAt.text.startsWith('-'))
          fail(
            argumentAt ?? tok,
            b.command === 'policy'
              ? '-P requires a chain and a policy'
              : '-E requires old-chain-name and new-chain-name',
          );
        argument = argumentAt!.text;
      } else {
        if (value !== undefined || !listedWithZero) {
          chain = value;
          chainAt = valueAt;
        }
        const wantsNumber = ['insert', 'replace', 'delete', 'zero', 'list', 'list-rules'].includes(b.command);
        if (wantsNumber && chain !== undefined) {
          const pos = peekPositional();
          if (pos && (b.command !== 'delete' || /^\d/.test(pos.text))) {
            next();
            const n = parseUintInRange(pos.text, 1, 0xffffffff, 10);
            if (n === undefined) fail(pos, `Invalid rule number \`${pos.text}' (expected a number from 1)`);
            ruleNumber = n;
            ruleNumberAt = pos;
          } else if (b.command === 'replace') fail(tok, '-R requires a rule number');
        }
      }
      invert = false;
      continue;
    }
    if ('nx0'.includes(b.short) && !listOnlyAt) listOnlyAt = { ...tok, text: display };
    if (seenBase.has(b.short) && 'sdpiofjgc'.includes(b.short)) {
      const what = b.short === 'g' || b.short === 'j' ? '-j/-g' : `-${b.short}`;
      fail(tok, `multiple ${what} flags not allowed`);
    }
    seenBase.add(b.short);
    if (b.short === 'j' || b.short === 'g') seenBase.add(b.short === 'j' ? 'g' : 'j');
    if ('sdpiofjgm'.includes(b.short)) {
      hasRuleSpec = true;
      firstSpec ??= { at: tok, name: `--${b.long[0]}` };
    }
    if (b.short === 'i' || b.short === 'o') interfaceAt[b.short] = tok;
    switch (b.short) {
      case 's':
      case 'd': {
        const arg = { text: value!, at: valueAt, invert };
        if (b.short === 's') sourceArg = arg;
        else destinationArg = arg;
        break;
      }
      case 'p': {
        const name = value!.toLowerCase();
        const num = protocolNumber(name, (s) => parseUintInRange(s, 0, 255));
        if (num === undefined) fail(valueAt, `unknown protocol "${value}" specified`);
        if (num === 0 && invert) fail(valueAt, 'rule would never match protocol');
        protocol = { protocol: num!, invert, name };
        if (num !== 0) header.push(protocolMatch(num!, invert));
        break;
      }
      case 'i':
      case 'o': {
        const v = value!;
        if (v.length === 0) fail(valueAt, `empty interface name`);
        if (v.length >= 16) fail(valueAt, `interface name \`${v}' must be shorter than 16 characters`);
        if (/[\s/]/.test(v))
          fail(
            valueAt,
            `Warning: weird character in interface \`${v}' ('/' and ' ' are not allowed by the kernel)`,
          );
        const wildcard = v.endsWith('+');
        header.push({
          kind: b.short === 'i' ? 'in-interface' : 'out-interface',
          name: wildcard ? v.slice(0, -1) : v,
          wildcard,
          invert,
        });
        break;
      }
      case 'f':
        if (env.family === 'ipv6') fail(tok, 'unknown option "-f" (ip6tables has no -f; use -m frag)');
        header.push({ kind: 'fragment', invert });
        break;
      case 'm':
        loadMatch(value!, valueAt!);
        break;
      case 'j':
      case 'g': {
        const name = value!;
        if (name.length === 0) fail(valueAt, 'Invalid target name (empty)');
        const isGoto = b.short === 'g';
        const ext = isGoto ? undefined : findTarget(name, env.family);
        if (!ext && !STANDARD_VERDICTS.has(name) && !env.chainExists(table, name)) {
          if (isGoto)
            fail(valueAt, `goto '${name}' is not a chain (no chain of that name in table ${table})`);
          if (/^[A-Z][A-Z0-9_]*$/.test(name))
            fail(
              valueAt,
              `Couldn't load target \`${name}': no such target, and no chain of that name exists in table ${table} (nfwasm understands targets: ${knownTargetNames(env.family).join(', ')})`,
            );
          fail(
            valueAt,
            `Couldn't load target \`${name}': no chain of that name exists in table ${table} (create it first with -N ${name})`,
          );
        }
        target = { ext, name, goto: isGoto, at: valueAt! };
        if (ext) {
          modules.push({ kind: 'target', ext, at: valueAt!, uses: [], completed: false });
          if (!optionOwners.includes(ext)) optionOwners.unshift(ext);
        }
        break;
      }
      case 'c': {
        const m = /^(\d+)(?:,(\d+))?$/.exec(value!);
        let bytesText = m?.[2];
        if (m && bytesText === undefined) {
          const nb = peekPositional();
          if (nb) {
            next();
            bytesText = nb.text;
          }
        }
        if (!m || bytesText === undefined || !/^\d+$/.test(bytesText))
          fail(valueAt, '-c requires packet and byte counter (numbers)');
        counters = { packets: BigInt(m![1]!), bytes: BigInt(bytesText!) };
        countersAt = tok;
        break;
      }
      case '4':
        if (env.family === 'ipv6') {
          if (!env.allowTable) skip = true;
          else fail(tok, 'this is ip6tables: -4 not allowed');
        }
        break;
      case '6':
        if (env.family === 'ipv4') {
          if (!env.allowTable) skip = true;
          else fail(tok, 'this is iptables: -6 not allowed');
        }
        break;
      case 't':
        break; // handled up front
      default:
        break; // -n -v -x -w -W -V -h --line-numbers -M: no effect on the ruleset
    }
    invert = false;
  }
  if (skip) {
    return {
      kind: command?.kind ?? 'append',
      at: command?.at ?? tokens[0]!,
      table,
      tableAt,
      chain,
      chainAt,
      ruleNumber: undefined,
      ruleNumberAt: undefined,
      argument,
      argumentAt,
      rules: [],
      hasRuleSpec: false,
      skip: true,
    };
  }
  if (invert)
    fail(invertAt, 'nothing appropriate following ! (expected an option such as -s, -p or --dport after it)');
  if (!command) fail(tokens[0], 'no command specified (expected -A, -I, -D, -R, -N, -X, -F, -Z, -P or -E)');
  const cmd = command!;
  if (chain !== undefined && chain.length >= 29) {
    fail(chainAt, `chain name \`${chain}' too long (must be under 29 chars)`);
  }

  if (listOnlyAt && !(cmd.kind === 'list' || (cmd.kind === 'zero' && listedWithZero))) {
    fail(listOnlyAt, `Illegal option \`${listOnlyAt.text}' with this command (it is only for -L)`);
  }
  if (countersAt && !['insert', 'replace', 'append', 'policy'].includes(cmd.kind)) {
    fail(countersAt, "Illegal option `--set-counters' with this command (only with -A, -I, -R and -P)");
  }
  const isRuleCommand = RULE_COMMANDS.has(cmd.kind);
  if (!isRuleCommand && hasRuleSpec) {
    fail(
      firstSpec?.at ?? cmd.at,
      `Illegal option \`${firstSpec?.name ?? ''}' with this command (-${shortOf(cmd.kind)} takes no rule options; they are only for -A, -I, -D, -R and -C)`,
    );
  }

  const rules: Rule[] = [];
  if (isRuleCommand && (cmd.kind !== 'delete' || ruleNumber === undefined)) {
    const ruleCtx: ParseContext = {
      family: env.family,
      table,
      chain: chain ?? '',
      error: ctx.error,
      get protocol() {
        return protocol ? { protocol: protocol.protocol, invert: protocol.invert } : undefined;
      },
    };
    if (table === 'nat' && target?.name === 'DROP') {
      fail(
        target.at,
        'The "nat" table is not intended for filtering, the use of DROP is therefore inhibited.',
      );
    }
    checkInterfaceDirection(chain, header, fail, interfaceAt, cmd.at);
    const moduleMatches: Match[] = [];
    let builtTarget: Target | null = null;
    for (const m of modules) {
      if (m.kind === 'match') moduleMatches.push((m.ext as MatchExtension).build(m.uses, ruleCtx, m.at));
      else builtTarget = (m.ext as TargetExtension).build(m.uses, ruleCtx, m.at);
    }
    if (target && !target.ext) {
      builtTarget = STANDARD_VERDICTS.has(target.name)
        ? { kind: target.name as 'ACCEPT' }
        : { kind: target.goto ? 'goto' : 'jump', chain: target.name };
    }
    const resolve = (arg: typeof sourceArg): IpNet[] | undefined => {
      if (!arg) return undefined;
      try {
        return parseNetList(env.family, arg.text);
      } catch (e) {
        if (!(e instanceof AddressError)) throw e;
        const hint = arg.text === '!' ? ' (the old `-s ! ADDR` form is gone: write `! -s ADDR`)' : '';
        return fail(arg.at, `${e.message}${hint}`);
      }
    };
    const sources = sourceArg && { nets: resolve(sourceArg)!, invert: sourceArg.invert };
    const destinations = destinationArg && { nets: resolve(destinationArg)!, invert: destinationArg.invert };
    const srcs = sources?.nets ?? [undefined];
    const dsts = destinations?.nets ?? [undefined];
    for (const s of srcs) {
      for (const d of dsts) {
        const matches: Match[] = [];
        if (s) matches.push({ kind: 'source', net: s, invert: sources!.invert });
        if (d) matches.push({ kind: 'destination', net: d, invert: destinations!.invert });
        matches.push(...orderHeader(header), ...moduleMatches);
        rules.push({
          matches,
          target: builtTarget,
          counters: counters ?? ZERO_COUNTERS,
          source: { file: env.file, line: env.line, text: env.text },
        });
      }
    }
  }
  return {
    kind: cmd.kind,
    at: cmd.at,
    table,
    tableAt,
    chain,
    chainAt,
    ruleNumber,
    ruleNumberAt,
    argument,
    argumentAt,
    rules,
    hasRuleSpec,
    skip: false,
  };
}

/** The struct ipt_ip fields in the order iptables prints them: -i -o -p -f (after -s -d). */
const HEADER_RANK: Record<string, number> = { 'in-interface': 0, 'out-interface': 1, protocol: 2, fragment: 3 };
function orderHeader(header: BaseMatch[]): BaseMatch[] {
  if (header.length < 2) return header;
  return [...header].sort((a, b) => HEADER_RANK[a.kind]! - HEADER_RANK[b.kind]!);
}

function checkInterfaceDirection(
  chain: string | undefined,
  header: BaseMatch[],
  fail: (at: Token | undefined, m: string) => never,
  interfaceAt: { i?: Token; o?: Token },
  at: Token,
) {
  if (!chain) return;
  if ((chain === 'PREROUTING' || chain === 'INPUT') && header.some((m) => m.kind === 'out-interface')) {
    fail(
      interfaceAt.o ?? at,
      `Can't use -o with ${chain} (packets there have no output interface yet; use -i)`,
    );
  }
  if ((chain === 'POSTROUTING' || chain === 'OUTPUT') && header.some((m) => m.kind === 'in-interface')) {
    fail(interfaceAt.i ?? at, `Can't use -i with ${chain} (packets there have no input interface; use -o)`);
  }
}

function shortOf(kind: CommandKind): string {
  return BASE_OPTIONS.find((b) => b.command === kind)!.short;
}

// Protocol matches are immutable and few: share them across rules.
const PROTOCOL_MATCHES = new Map<number, ProtocolMatch>();

function protocolMatch(protocol: number, invert: boolean): ProtocolMatch {
  const key = invert ? -1 - protocol : protocol;
  let m = PROTOCOL_MATCHES.get(key);
  if (!m) {
    m = Object.freeze({ kind: 'protocol', protocol, invert });
    PROTOCOL_MATCHES.set(key, m);
  }
  return m;
}
