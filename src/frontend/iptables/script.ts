// Shell scripts of iptables commands (`iptables -N DOCKER-USER`, `sudo iptables -t nat -A ...`),
// run in order from an empty kernel exactly as the real commands would run them: each command
// edits its table as libiptc does and the kernel then checks the whole table, so the first
// command the real iptables would refuse is the one nfwasm reports. The result is the same IR
// `parseIptablesSave` gives for the equivalent iptables-save dump.
//
// nfwasm does not run a shell: quoting, `\` continuations and `#` comments are understood, but
// expansions ($X, `...`), pipes, `;`, `&&` and commands other than iptables are errors.

import { NfwasmError, type SourcePosition } from '../../errors.js';
import type { Family } from '../../ir/address.js';
import type { Ruleset, TableName } from '../../ir/ruleset.js';
import { isTableName } from '../../ir/tables.js';
import { RulesetBuilder } from './builder.js';
import { type CommandKind, parseCommandLine } from './command-line.js';
import { splitShellWords, type Token } from './tokens.js';

export interface ScriptParseOptions {
  /** Name used in error messages and kept on every rule. */
  readonly file: string;
  /** Which family's commands to run; default: that of the first iptables/ip6tables command. */
  readonly family?: Family;
}

/** One logical line: physical lines joined at `\`-newline, with a map back to the originals. */
interface LogicalLine {
  readonly text: string;
  readonly line: number;
  readonly lastLine: number;
  /** Where each physical piece starts in `text`, and its physical line and first column. */
  readonly pieces: readonly { readonly offset: number; readonly line: number; readonly column: number }[];
}

/** The command words nfwasm runs: iptables, ip6tables and their -legacy/-nft/-save variants. */
const COMMAND = /^(?:(?:\/usr)?\/s?bin\/)?(ip6?tables)(-legacy|-nft)?(-save)?$/;

const MODIFYING: ReadonlySet<CommandKind> = new Set<CommandKind>([
  'append',
  'delete',
  'insert',
  'replace',
  'flush',
  'zero',
  'new-chain',
  'delete-chain',
  'rename-chain',
  'policy',
]);

export function parseIptablesScript(text: string, options: ScriptParseOptions): Ruleset {
  const { file } = options;
  const lines = joinContinuations(text);
  let family = options.family;
  let builder: RulesetBuilder | undefined;

  for (const logical of lines) {
    const at = (column: number): SourcePosition => physical(logical, file, column);
    const fail = (column: number, message: string): never => {
      throw new NfwasmError(at(column), message);
    };

    const scan = scanShell(logical.text);
    const words = logical.text.slice(0, scan.end);
    const { tokens } = splitShellWords(words, 1);
    if (tokens.length === 0) {
      if (scan.problem) fail(scan.problem.index + 1, scan.problem.message);
      continue;
    }

    // The command word, after an optional `sudo`.
    let k = 0;
    if (tokens[0]!.text === 'sudo' && !tokens[0]!.quoted) {
      k = 1;
      const next = tokens[1];
      if (!next) fail(tokens[0]!.column, 'sudo without a command (expected `sudo iptables ...`)');
      if (next!.text.startsWith('-'))
        fail(next!.column, `sudo option \`${next!.text}' is not supported (expected \`sudo iptables ...\`)`);
    }
    const commandTok = tokens[k]!;
    const m = COMMAND.exec(commandTok.text);
    if (!m && /^[A-Za-z_][A-Za-z0-9_]*=/.test(commandTok.text)) {
      fail(
        commandTok.column,
        `shell variable assignment \`${commandTok.text.slice(0, 40)}' is not supported (nfwasm does not run a shell; write the values into the iptables commands)`,
      );
    }
    if (!m) {
      fail(
        commandTok.column,
        `expected an iptables or ip6tables command, got \`${commandTok.text.slice(0, 40)}'` +
          ' (nfwasm reads scripts of iptables commands; it does not run other commands or shell code)',
      );
    }
    const lineFamily: Family = m![1] === 'ip6tables' ? 'ipv6' : 'ipv4';
    family ??= lineFamily;
    builder ??= new RulesetBuilder(family);
    const args = tokens.slice(k + 1);
    const isSave = m![3] !== undefined;

    // Output redirections are harmless on listing commands only.
    let redirectOk = false;
    if (scan.problem) {
      redirectOk = scan.problem.redirect && REDIRECTIONS.test(logical.text.slice(scan.end));
      if (!redirectOk) fail(scan.problem.index + 1, scan.problem.message);
    }
    if (lineFamily !== family) continue; // the other family's command: not this ruleset's

    if (isSave) {
      const table = saveTable(args, (t, msg) => fail(t.column, msg));
      if (table) builder.touchTable(table);
      continue;
    }

    const rest = logical.text;
    let cmd: ReturnType<typeof parseCommandLine>;
    try {
      cmd = parseCommandLine(args, {
        family,
        file,
        line: logical.line,
        text: rest,
        table: 'filter',
        allowTable: true,
        chainName: (t, c) => builder!.chainName(t, c),
        lineColumn: commandTok.column,
      });
    } catch (e) {
      if (e instanceof NfwasmError && e.position.file === file && e.position.line === logical.line) {
        throw new NfwasmError(e.position.column > 0 ? at(e.position.column) : e.position, e.detail);
      }
      throw e;
    }
    if (scan.problem && redirectOk && cmd.kind !== 'list' && cmd.kind !== 'list-rules') {
      fail(scan.problem.index + 1, scan.problem.message);
    }
    const pos = (t: Token | undefined): SourcePosition => at(t?.column ?? commandTok.column);
    builder.apply(cmd, pos);
    if (MODIFYING.has(cmd.kind)) {
      // libiptc replaces the whole table for every command: the kernel checks all of it now.
      try {
        builder.commit(cmd.table, pos(cmd.at));
      } catch (e) {
        if (!(e instanceof NfwasmError)) throw e;
        const elsewhere =
          e.position.line !== logical.line ? ` (at the rule from ${e.position.file}:${e.position.line})` : '';
        const detail = e.detail.replace(' (the kernel refuses the table at COMMIT)', '');
        throw new NfwasmError(
          pos(cmd.at),
          `the kernel refuses the table after this command: ${detail}${elsewhere}`,
        );
      }
    }
  }
  return (builder ?? new RulesetBuilder(family ?? 'ipv4')).build();
}

/** `> file`, `>> file`, `2>&1`, `2>/dev/null`, `&> file`: nothing else after a listing command. */
const REDIRECTIONS = /^(?:\s*(?:\d?>>?|&>|\d?>&)\s*[^\s;&|<>()$`]+)+\s*$/;

/** iptables-save's own options; returns the table it was asked for (it then exists). */
function saveTable(args: readonly Token[], fail: (t: Token, msg: string) => never): TableName | undefined {
  let table: TableName | undefined;
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    let value: Token | undefined;
    let name: string | undefined;
    if (t.text === '-t' || t.text === '--table') {
      value = args[++i];
      if (!value) fail(t, 'option "-t" requires an argument (a table name)');
      name = value!.text;
    } else if (t.text.startsWith('--table=')) name = t.text.slice('--table='.length);
    else if (/^-t./.test(t.text)) name = t.text.slice(2);
    else if (t.text === '-c' || t.text === '--counters') continue;
    else if (t.text === '-M' || t.text === '--modprobe' || t.text === '-f' || t.text === '--file') {
      if (!args[++i]) fail(t, `option "${t.text}" requires an argument`);
      continue;
    } else fail(t, `unknown iptables-save option \`${t.text}' (expected -c, -t TABLE, -M or -f)`);
    if (name !== undefined) {
      if (!isTableName(name))
        fail(
          value ?? t,
          `can't initialize iptables table \`${name}': Table does not exist (expected raw, mangle, nat, filter or security)`,
        );
      table = name as TableName;
    }
  }
  return table;
}

function physical(l: LogicalLine, file: string, column: number): SourcePosition {
  if (column <= 0) return { file, line: l.line, column: 0 };
  const offset = column - 1;
  let piece = l.pieces[0]!;
  for (const p of l.pieces) if (p.offset <= offset) piece = p;
  return { file, line: piece.line, column: piece.column + (offset - piece.offset) };
}

/** Physical lines joined where one ends in an unescaped `\` outside single quotes. */
function joinContinuations(text: string): LogicalLine[] {
  const physicalLines = text.split('\n');
  if (text.endsWith('\n')) physicalLines.pop();
  const out: LogicalLine[] = [];
  for (let i = 0; i < physicalLines.length; i++) {
    const start = i;
    let joined = '';
    const pieces: { offset: number; line: number; column: number }[] = [];
    let line = physicalLines[i]!;
    for (;;) {
      pieces.push({ offset: joined.length, line: i + 1, column: 1 });
      if (endsWithContinuation(joined + line) && i + 1 < physicalLines.length) {
        joined += line.slice(0, -1);
        i++;
        line = physicalLines[i]!;
        continue;
      }
      joined += line;
      break;
    }
    out.push({ text: joined, line: start + 1, lastLine: i + 1, pieces });
  }
  return out;
}

function endsWithContinuation(text: string): boolean {
  if (!text.endsWith('\\')) return false;
  // The backslash must be outside quotes (in double quotes `\`-newline is also a continuation).
  const s = scanQuotes(text.slice(0, -1));
  return !s.inSingle && !s.comment;
}

function scanQuotes(text: string): { inSingle: boolean; comment: boolean } {
  let state: 'none' | 'single' | 'double' = 'none';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (state === 'single') {
      if (c === "'") state = 'none';
    } else if (state === 'double') {
      if (c === '\\') i++;
      else if (c === '"') state = 'none';
    } else if (c === '\\') i++;
    else if (c === "'") state = 'single';
    else if (c === '"') state = 'double';
    else if (c === '#' && (i === 0 || /[ \t]/.test(text[i - 1]!))) return { inSingle: false, comment: true };
  }
  return { inSingle: state === 'single', comment: false };
}

interface ShellProblem {
  readonly index: number;
  readonly message: string;
  /** The problem is an output redirection (allowed after listing commands). */
  readonly redirect: boolean;
}

/**
 * Where the words of a line end (a `#` comment or the first shell operator) and the first thing
 * in it nfwasm cannot do without a shell: expansions, operators, an unterminated quote, a CR.
 */
function scanShell(text: string): { end: number; problem?: ShellProblem } {
  let state: 'none' | 'single' | 'double' = 'none';
  let quoteStart = 0;
  const problem = (index: number, message: string, redirect = false) => ({
    end: index,
    problem: { index, message, redirect },
  });
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\r') {
      return problem(
        i,
        'carriage return in the line (CRLF line endings?): the shell would pass it on as part of the last word; convert the file to LF line endings',
      );
    }
    if (state === 'single') {
      if (c === "'") state = 'none';
      continue;
    }
    if (state === 'double') {
      if (c === '\\') i++;
      else if (c === '"') state = 'none';
      else if (c === '$' || c === '`')
        return problem(
          i,
          `shell expansion \`${expansionText(text, i)}' is not supported (nfwasm does not run a shell)`,
        );
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      state = c === "'" ? 'single' : 'double';
      quoteStart = i;
      continue;
    }
    if (c === '#' && (i === 0 || /[ \t]/.test(text[i - 1]!))) return { end: i };
    if (c === '$' || c === '`')
      return problem(
        i,
        `shell expansion \`${expansionText(text, i)}' is not supported (nfwasm does not run a shell)`,
      );
    if (c === '>') {
      // `2>` / `&>`: the redirection starts at its descriptor.
      let s = i;
      while (s > 0 && /[0-9&]/.test(text[s - 1]!)) s--;
      if (s > 0 && !/[ \t]/.test(text[s - 1]!)) s = i;
      return problem(
        s,
        'shell redirection is only accepted after listing commands (iptables-save, iptables -L/-S)',
        true,
      );
    }
    if (';&|<()'.includes(c)) {
      const op = /^(&&|\|\||;;|[;&|<()])/.exec(text.slice(i))![0];
      return problem(
        i,
        `shell operator \`${op}' is not supported (expected one iptables command per line; nfwasm does not run a shell)`,
      );
    }
  }
  if (state !== 'none') {
    return problem(
      quoteStart,
      `unterminated ${state === 'single' ? 'single' : 'double'} quote (quoted text must end on the same line)`,
    );
  }
  return { end: text.length };
}

function expansionText(text: string, i: number): string {
  const m = /^(\$\{[^}]*\}?|\$\([^)]*\)?|\$[A-Za-z0-9_@*#?$!-]?[A-Za-z0-9_]*|`[^`]*`?)/.exec(text.slice(i));
  return m ? m[0] : text[i]!;
}

/** Whether a file looks like a script of iptables commands rather than an iptables-save dump. */
export function looksLikeIptablesScript(name: string, text: string): boolean {
  if (name.endsWith('.sh')) return true;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    return /^(sudo\s+)?((\/usr)?\/s?bin\/)?ip6?tables(-legacy|-nft)?(\s|$)/.test(line);
  }
  return false;
}
