// A small, strict option parser for the subcommands: `--name value`, `--name=value`, flags, and
// positionals; an unknown option is an error naming it and listing the known ones.

export class UsageError extends Error {}

export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
}

/** `spec` maps option names to whether they take a value. Short aliases map to long names. */
export function parseArgs(
  argv: readonly string[],
  spec: Readonly<Record<string, boolean>>,
  aliases: Readonly<Record<string, string>> = {},
): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-' || !a.startsWith('-')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const rawName = eq >= 0 ? a.slice(0, eq) : a;
    const name = aliases[rawName] ?? rawName.replace(/^--?/, '');
    if (!(name in spec)) {
      throw new UsageError(
        `unknown option ${rawName} (known: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(' ')})`,
      );
    }
    if (spec[name]) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${rawName} needs a value`);
      options.set(name, value);
    } else options.set(name, true);
  }
  return { options, positionals };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function requireOption(args: ParsedArgs, name: string): string {
  const v = stringOption(args, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}
