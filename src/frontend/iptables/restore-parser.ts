// iptables-save / iptables-restore files, read line by line exactly as iptables-restore reads
// them (iptables-restore.c): `*table` ... `COMMIT` blocks, `:CHAIN POLICY [p:b]` declarations,
// `[p:b]` rule counters, and any iptables command line in between.

import { NfwasmError, type SourcePosition } from '../../errors.js';
import type { Family } from '../../ir/address.js';
import type { Counters, Ruleset, TableName } from '../../ir/ruleset.js';
import { isTableName } from '../../ir/tables.js';
import { RulesetBuilder } from './builder.js';
import { parseCommandLine } from './command-line.js';
import { splitRestoreLine, type Token } from './tokens.js';

export interface ParseOptions {
  /** Name used in error messages and kept on every rule. */
  readonly file: string;
  readonly family: Family;
}

const U64 = 1n << 64n;

/**
 * sscanf("%llu") at the start of `text`: optional blanks, an optional sign, decimal digits, and
 * whatever follows ignored; strtoull's wrap-around for a minus sign and clamp on overflow.
 * Returns the value and how many characters it used, or undefined without digits.
 */
function scanU64(text: string, from: number): { value: bigint; end: number } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text.slice(from));
  if (!m) return undefined;
  let value = BigInt(m[2]!);
  if (value >= U64) value = U64 - 1n;
  else if (m[1] === '-' && value !== 0n) value = U64 - value;
  return { value, end: from + m[0].length };
}

/** parse_counters: sscanf(text, "[%llu:%llu]") == 2 (anything after the second number is ignored). */
function parsePolicyCounters(text: string): Counters | undefined {
  if (text[0] !== '[') return undefined;
  const p = scanU64(text, 1);
  if (!p || text[p.end] !== ':') return undefined;
  const b = scanU64(text, p.end + 1);
  return b ? { packets: p.value, bytes: b.value } : undefined;
}

/**
 * tokenize_rule_counters and the `--set-counters P B` it turns into: P runs from `[` to the
 * first `:`, B from there to the first `]`, each read with sscanf("%llu"). Returns the counters
 * and the index just after the `]`, or an error message.
 */
function parseRuleCounters(raw: string): { counters: Counters; end: number } | string {
  const close = raw.indexOf(']');
  if (close < 0) return 'Bad line: need ] after the packet counters';
  const colon = raw.indexOf(':', 1);
  // strtok would skip leading ':' and cut the rule itself when the ':' is past the ']'; iptables
  // then parses a mangled line, which nfwasm does not imitate.
  if (colon <= 1 || colon >= close - 1) {
    return 'Bad packet counter syntax (expected [packets:bytes] before the rule)';
  }
  const p = scanU64(raw.slice(0, colon), 1);
  if (!p) return '-c packet counter not numeric';
  const b = scanU64(raw.slice(0, close), colon + 1);
  if (!b) return '-c byte counter not numeric';
  return { counters: { packets: p.value, bytes: b.value }, end: close + 1 };
}

export function parseIptablesSave(text: string, options: ParseOptions): Ruleset {
  const { file, family } = options;
  const builder = new RulesetBuilder(family);
  const lines = text.split('\n');
  // fgets semantics: the last line has no newline only if the file does not end with one.
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) lines.pop();
  let table: TableName | undefined;
  let tableLine = 0;

  const err = (line: number, column: number, message: string): never => {
    throw new NfwasmError({ file, line, column }, message);
  };

  // Hoisted out of the loop (one closure each, not one per line); they are only called
  // synchronously while the current line is handled, so they read its number from here.
  let lineNo = 0;
  const chainName = (t: TableName, c: string) => builder.chainName(t, c);
  const pos = (t: Token | undefined): SourcePosition => ({ file, line: lineNo, column: t?.column ?? 0 });

  for (let index = 0; index < lines.length; index++) {
    lineNo = index + 1;
    const raw = lines[index]!;
    const hasNewline = index < lines.length - 1 || endsWithNewline;
    if (raw === '' && hasNewline) continue;
    const first = raw.charCodeAt(0);
    if (first === 0x23 /* # */) continue;
    if (raw.endsWith('\r')) {
      err(
        lineNo,
        raw.length,
        'line ends with a carriage return (CRLF line endings): iptables-restore reads it as part of the line; convert the file to LF line endings',
      );
    }
    if (first === 0x43 /* C */ && table && hasNewline && /^COMMIT[ \t]+$/.test(raw)) {
      err(
        lineNo,
        7,
        "Bad argument `COMMIT': iptables-restore only ends a table at a line that is exactly `COMMIT' (remove the trailing blanks)",
      );
    }
    if (raw === 'COMMIT' && hasNewline && table) {
      builder.commit(table, { file, line: lineNo, column: 1 });
      table = undefined;
      continue;
    }
    if (first === 0x2a /* * */ && !table) {
      const name = raw
        .slice(1)
        .split(/[ \t]/)
        .find((s) => s.length > 0);
      if (!name) err(lineNo, 1, 'table name invalid (expected *raw, *mangle, *nat, *filter or *security)');
      if (!isTableName(name!)) {
        err(
          lineNo,
          2,
          `table name '${name}' invalid: unable to initialize table (expected raw, mangle, nat, filter or security)`,
        );
      }
      table = name as TableName;
      tableLine = lineNo;
      builder.resetTable(table);
      continue;
    }
    if (!table) {
      err(
        lineNo,
        1,
        `line ${lineNo} failed: expected a *table line${raw.startsWith(':') ? ' before chain declarations' : ''}, got \`${raw.slice(0, 40)}'`,
      );
    }
    const tableName = table!;
    if (first === 0x3a /* : */) {
      const source = { file, line: lineNo, text: raw };
      const tokens = splitBlank(raw.slice(1), 2);
      const [chainTok, policyTok, countersTok] = tokens;
      if (!chainTok) err(lineNo, 2, 'chain name invalid');
      if (chainTok!.text.length >= 29)
        err(lineNo, 2, `Invalid chain name \`${chainTok!.text}' (28 chars max)`);
      if (!policyTok)
        err(
          lineNo,
          raw.length + 1,
          `policy invalid: expected a policy (ACCEPT, DROP or -) after the chain name`,
        );
      let counters: Counters | undefined;
      if (policyTok!.text !== '-' && countersTok) {
        counters = parsePolicyCounters(countersTok.text);
        if (!counters)
          err(
            lineNo,
            countersTok.column,
            `invalid policy counters for chain '${chainTok!.text}': expected [packets:bytes], got \`${countersTok.text}'`,
          );
      }
      builder.declareChain(
        tableName,
        chainTok!.text,
        policyTok!.text,
        counters,
        source,
        { file, line: lineNo, column: chainTok!.column },
        { file, line: lineNo, column: policyTok!.column },
      );
      continue;
    }
    // A rule or command line, optionally prefixed by [packets:bytes].
    let rest = raw;
    let offset = 0;
    let counters: Counters | undefined;
    if (first === 0x5b /* [ */) {
      const c = parseRuleCounters(raw);
      if (typeof c === 'string') err(lineNo, 1, c);
      const parsed = c as { counters: Counters; end: number };
      counters = parsed.counters;
      offset = parsed.end;
      rest = raw.slice(offset);
    }
    const tokens = splitRestoreLine(rest, offset + 1, hasNewline);
    if (tokens.length === 0) err(lineNo, 1, 'no command specified');
    const cmd = parseCommandLine(tokens, {
      family,
      file,
      line: lineNo,
      text: raw,
      table: tableName,
      allowTable: false,
      counters,
      chainName,
    });
    if (cmd.skip) continue;
    builder.apply(cmd, pos);
  }
  if (table) {
    err(
      lines.length + 1,
      0,
      `COMMIT expected (the *${table} table opened at line ${tableLine} is never committed)`,
    );
  }
  return builder.build();
}

/** strtok(" \t\n") fields with their columns. */
function splitBlank(text: string, firstColumn: number): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    const start = i;
    while (i < n && !isBlank(text.charCodeAt(i))) i++;
    if (i > start) out.push({ text: text.slice(start, i), column: firstColumn + start, quoted: false });
  }
  return out;
}

const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a;
