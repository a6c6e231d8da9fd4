// The nfwasm command line. Each subcommand is a thin layer over the library API.

import { readFileSync } from 'node:fs';
import { TableFormatError } from '../compiler/load.js';
import { NfwasmError } from '../errors.js';
import { printIptablesSave } from '../frontend/iptables/printer.js';
import { formatSummary, summarize } from '../frontend/iptables/summary.js';
import { loadRuleset } from '../frontend/load-ruleset.js';
import type { Family } from '../ir/address.js';
import type { Ruleset } from '../ir/ruleset.js';
import { UsageError } from './args.js';
import { COMPILE_USAGE, compileCommand } from './compile-command.js';
import { EXPLAIN_USAGE, explainCommand } from './explain-command.js';
import { GEN_USAGE, genCommand } from './gen-command.js';
import { REPLAY_USAGE, replayCommand } from './replay-command.js';

const USAGE = `usage: nfwasm <command> [options]

commands:
  check FILE [-4|-6] [--format save|script] [--json] [--print]
                                  read a ruleset and summarise it (tables, chains, rules, modules used);
                                  --print first prints it back in canonical form with counters
  print FILE [-4|-6] [--format save|script] [-c]
                                  print a ruleset back in canonical iptables-save form (-c: with counters)

  replay ...                      run a capture through a ruleset on a host (see nfwasm replay --help)
  gen ...                         write a deterministic trace aimed at a ruleset (see nfwasm gen --help)
  explain ...                     explain one packet's journey (see nfwasm explain --help)
  compile RULES [-o OUT.nfc] [--dump] [--host H] [--no-index]
                                  lower a ruleset into a compiled decision table

FILE is an iptables-save dump or a script of iptables/ip6tables commands ('-' for standard
input). It is read as a script when its name ends in .sh or its first command line starts with
iptables, ip6tables or sudo; --format forces either. The family is taken from -4/-6, else
guessed from the file name and content (scripts: from their first command).
`;

interface Loaded {
  readonly name: string;
  readonly ruleset: Ruleset;
}

function load(args: string[]): Loaded {
  let format: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--format') {
      format = args[++i];
      if (format === undefined) throw new UsageError('--format needs a value (save or script)');
    } else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (!a.startsWith('-') || a === '-') positional.push(a);
  }
  if (format !== undefined && format !== 'save' && format !== 'script')
    throw new UsageError(`unknown --format '${format}' (expected save or script)`);
  const file = positional[0];
  if (!file) throw new UsageError('missing FILE');
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  const name = file === '-' ? '<stdin>' : file;
  const family: Family | undefined = args.includes('-6') ? 'ipv6' : args.includes('-4') ? 'ipv4' : undefined;
  const { ruleset } = loadRuleset(text, {
    file: name,
    family,
    format: format === undefined ? undefined : format === 'script' ? 'iptables-script' : 'iptables-save',
  });
  return { name, ruleset };
}

export async function main(argv: string[]): Promise<void> {
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
      case 'replay':
        if (args.includes('--help') || args.includes('-h')) process.stdout.write(`${REPLAY_USAGE}\n`);
        else await replayCommand(args, (t) => process.stdout.write(t));
        return;
      case 'gen':
        if (args.includes('--help') || args.includes('-h')) process.stdout.write(`${GEN_USAGE}\n`);
        else genCommand(args, (t) => process.stdout.write(t));
        return;
      case 'compile':
        if (args.includes('--help') || args.includes('-h')) process.stdout.write(`${COMPILE_USAGE}\n`);
        else compileCommand(args, (t) => process.stdout.write(t));
        return;
      case 'explain':
        if (args.includes('--help') || args.includes('-h')) process.stdout.write(`${EXPLAIN_USAGE}\n`);
        else explainCommand(args, (t) => process.stdout.write(t));
        return;
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
    if (e instanceof NfwasmError || e instanceof TableFormatError) {
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
