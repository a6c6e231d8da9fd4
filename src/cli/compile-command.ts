// nfwasm compile RULES [-o out.nfc] [--dump] [--host HOST.json] [--no-index]
// Lowers a ruleset into the compiled table format (src/compiler) and writes it to a file that
// loads without the source ruleset, and/or prints it readably.

import { readFileSync, writeFileSync } from 'node:fs';
import { compile } from '../compiler/compile.js';
import { dumpTable } from '../compiler/dump.js';
import { loadTable } from '../compiler/load.js';
import { parseArgs, stringOption, UsageError } from './args.js';
import { loadHostFile, loadRulesFile } from './scenario-files.js';

export const COMPILE_USAGE = `nfwasm compile RULES [-o OUT.nfc] [--dump] [--host HOST.json] [-4|-6] [--no-index]
  RULES         an iptables-save dump or iptables script ('-' for standard input),
                or a compiled table (.nfc) with --dump
  -o OUT.nfc    write the compiled table (format v1, see docs/table-format.md)
  --dump        print the table: chains, each rule's ops and verdict with its source file:line
  --host H      the host file (ip -j addr/route); its interface names are interned in the table
  --no-index    leave out the classification indexes`;

const SPEC = { o: true, output: true, dump: false, host: true, '4': false, '6': false, 'no-index': false };

export function compileCommand(argv: readonly string[], write: (s: string) => void): void {
  const args = parseArgs(argv, SPEC);
  const file = args.positionals[0];
  if (!file) throw new UsageError('missing RULES');
  const out = stringOption(args, 'o') ?? stringOption(args, 'output');
  const dump = args.options.has('dump');
  if (!out && !dump) throw new UsageError('say what to do: -o OUT.nfc, --dump, or both');
  let table: ReturnType<typeof compile>;
  if (file.endsWith('.nfc')) {
    table = loadTable(new Uint8Array(readFileSync(file)));
  } else {
    const family = args.options.has('6') ? 'ipv6' : args.options.has('4') ? 'ipv4' : undefined;
    const ruleset = loadRulesFile(file, family);
    const hostPath = stringOption(args, 'host');
    const host = hostPath ? loadHostFile(hostPath) : undefined;
    table = compile(ruleset, host, { indexes: !args.options.has('no-index') });
  }
  if (out) writeFileSync(out, new Uint8Array(table.buffer));
  if (dump) write(dumpTable(table));
}
