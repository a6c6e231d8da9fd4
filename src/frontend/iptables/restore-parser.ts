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

const COUNTERS = /^\[(\d+):(\d+)\]$/;

function parseCounters(text: string): Counters | undefined {
  const m = COUNTERS.exec(text);
  return m ? { packets: BigInt(m[1]!), bytes: BigInt(m[2]!) } : undefined;
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
  const chainExists = (t: TableName, c: string) => builder.chainExists(t, c);
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
    if (table && hasNewline && /^COMMIT[ \t]+$/.test(raw)) {
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
        counters = parseCounters(countersTok.text);
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
      const close = raw.indexOf(']');
      const c = close > 0 ? parseCounters(raw.slice(0, close + 1)) : undefined;
      if (!c) err(lineNo, 1, 'Bad packet counter syntax (expected [packets:bytes] before the rule)');
      counters = c;
      offset = close + 1;
      rest = raw.slice(offset);
    }
    const tokens = splitRestoreLine(rest, offset + 1);
    if (tokens.length === 0) err(lineNo, 1, 'no command specified');
    const cmd = parseCommandLine(tokens, {
      family,
      file,
      line: lineNo,
      text: raw,
      table: tableName,
      allowTable: false,
      counters,
      chainExists,
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
  const re = /[^ \t\n]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ text: m[0], column: firstColumn + m.index, quoted: false });
  }
  return out;
}
