// -j LOG (libxt_LOG): --log-level, --log-prefix, --log-tcp-sequence, --log-tcp-options,
// --log-ip-options, --log-uid, --log-macdecode. iptables-save prints the level as a number and
// only when it is not the default (4, warning).

import type { LogTarget } from '../../../ir/targets/LOG.js';
import { type OptionUse, optional, type ParseContext, type TargetExtension } from '../extension.js';
import { parseUintInRange } from '../numbers.js';
import { saveString } from '../printer.js';
import { truncateBytes } from '../xtables-options.js';

const DEFAULT_LEVEL = 4;
const PREFIX_SIZE = 30; // char prefix[30] in struct xt_log_info

/** xtopt_parse_sysloglevel's names (exact, case-sensitive). */
const LEVEL_NAMES: Readonly<Record<string, number>> = {
  alert: 1,
  crit: 2,
  debug: 7,
  emerg: 0,
  error: 3,
  info: 6,
  notice: 5,
  panic: 0,
  warning: 4,
};

/** A number 0-7 (strtoul base 0) or a syslog level name. */
export function parseLogLevel(use: OptionUse, ctx: ParseContext): number {
  const text = use.value!;
  const n = parseUintInRange(text, 0, 7);
  if (n !== undefined) return n;
  const named = Object.hasOwn(LEVEL_NAMES, text) ? LEVEL_NAMES[text] : undefined;
  if (named === undefined) {
    ctx.error(
      use.valueAt,
      `log level "${text}" unknown (expected 0-7 or one of ${Object.keys(LEVEL_NAMES).join(', ')})`,
    );
  }
  return named!;
}

/** A --log-prefix style string: at least one byte, no newline, cut to the kernel's buffer. */
export function parsePrefix(use: OptionUse, ctx: ParseContext, size: number, what = 'log-prefix'): string {
  const text = use.value!;
  if (text.length === 0) ctx.error(use.valueAt, `--${use.name} must be at least 1 character long`);
  if (text.includes('\n')) ctx.error(use.valueAt, `Newlines not allowed in --${what}`);
  return truncateBytes(text, size);
}

const FLAGS = [
  ['log-tcp-sequence', 'tcpSequence'],
  ['log-tcp-options', 'tcpOptions'],
  ['log-ip-options', 'ipOptions'],
  ['log-uid', 'uid'],
  ['log-macdecode', 'macDecode'],
] as const;

export const logTarget: TargetExtension<LogTarget> = {
  name: 'LOG',
  kinds: ['LOG'],
  options: [
    { name: 'log-level', arg: 'required' },
    { name: 'log-prefix', arg: 'required' },
    ...FLAGS.map(([name]) => ({ name, arg: 'none' as const })),
  ],
  build(uses, ctx) {
    let level = DEFAULT_LEVEL;
    let prefix: string | undefined;
    for (const use of uses) {
      if (use.name === 'log-level') level = parseLogLevel(use, ctx);
      else if (use.name === 'log-prefix') prefix = parsePrefix(use, ctx, PREFIX_SIZE);
    }
    const has = (n: string) => uses.some((u) => u.name === n);
    return {
      kind: 'LOG',
      level,
      ...optional('prefix', prefix),
      tcpSequence: has('log-tcp-sequence'),
      tcpOptions: has('log-tcp-options'),
      ipOptions: has('log-ip-options'),
      uid: has('log-uid'),
      macDecode: has('log-macdecode'),
    };
  },
  save(t) {
    const parts: string[] = [];
    if (t.prefix !== undefined && t.prefix !== '') parts.push(`--log-prefix ${saveString(t.prefix)}`);
    if (t.level !== DEFAULT_LEVEL) parts.push(`--log-level ${t.level}`);
    for (const [name, field] of FLAGS) if (t[field]) parts.push(`--${name}`);
    return parts.join(' ');
  },
};
