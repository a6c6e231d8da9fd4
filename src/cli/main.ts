// The nfwasm command line. Each subcommand is a thin layer over the library API.

import { readFileSync } from 'node:fs';
import { NfwasmError } from '../errors.js';
import { detectFamily } from '../frontend/iptables/family.js';
import { printIptablesSave } from '../frontend/iptables/printer.js';
import { parseIptablesSave } from '../frontend/iptables/restore-parser.js';
import { formatSummary, summarize } from '../frontend/iptables/summary.js';
import type { Family } from '../ir/address.js';
import type { Ruleset } from '../ir/ruleset.js';

const USAGE = `usage: nfwasm <command> [options]

commands:
  check FILE [-4|-6] [--json] [--print]
                                  read a ruleset and summarise it (tables, chains, rules, modules used);
                                  --print first prints it back in canonical form with counters
  print FILE [-4|-6] [-c]         print a ruleset back in canonical iptables-save form (-c: with counters)

FILE is an iptables-save dump ('-' for standard input). The family is taken from -4/-6, else
guessed from the file name and content.
`;

interface Loaded {
  readonly name: string;
  readonly ruleset: Ruleset;
}

function load(args: string[]): Loaded {
  const file = args.find((a) => !a.startsWith('-') || a === '-');
  if (!file) throw new UsageError('missing FILE');
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  const name = file === '-' ? '<stdin>' : file;
  const family: Family = args.includes('-6')
    ? 'ipv6'
    : args.includes('-4')
      ? 'ipv4'
      : detectFamily(name, text);
  return { name, ruleset: parseIptablesSave(text, { file: name, family }) };
}

class UsageError extends Error {}

export function main(argv: string[]): void {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'check': {
        const { name, ruleset } = load(args);
        if (args.includes('--print')) process.stdout.write(printIptablesSave(ruleset, { counters: true }));
        const s = summarize(ruleset);
        process.stdout.write(
          args.includes('--json') ? `${JSON.stringify(s, null, 2)}\n` : formatSummary(s, name),
        );
        return;
      }
      case 'print': {
        const { ruleset } = load(args);
        process.stdout.write(
          printIptablesSave(ruleset, { counters: args.includes('-c') || args.includes('--counters') }),
        );
        return;
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof NfwasmError) {
      process.stderr.write(`nfwasm: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`nfwasm: ${e.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`nfwasm: ${(e as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
