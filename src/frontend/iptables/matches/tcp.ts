// -m tcp (libxt_tcp): --sport/--source-port, --dport/--destination-port, --tcp-flags, --syn,
// --tcp-option.

import type { Negated, PortRange } from '../../../ir/common.js';
import type { TcpFlagsTest, TcpMatch } from '../../../ir/matches/tcp.js';
import { bang, type MatchExtension, type OptionUse, optional, type ParseContext } from '../extension.js';
import { parseUintInRange } from '../numbers.js';
import { formatPortRange, isAnyPort, PortError, parsePortRange } from '../ports.js';

const FLAG_NAMES: readonly (readonly [string, number])[] = [
  ['FIN', 0x01],
  ['SYN', 0x02],
  ['RST', 0x04],
  ['PSH', 0x08],
  ['ACK', 0x10],
  ['URG', 0x20],
  ['ALL', 0x3f],
  ['NONE', 0],
];

function parseFlags(use: OptionUse, text: string, ctx: ParseContext, at: OptionUse['valueAt']): number {
  let flags = 0;
  for (const name of text.split(',')) {
    const f = FLAG_NAMES.find(([n]) => n === name.toUpperCase());
    if (!f) ctx.error(at, `Unknown TCP flag \`${name}' (expected FIN, SYN, RST, PSH, ACK, URG, ALL or NONE)`);
    flags |= f![1];
  }
  void use;
  return flags;
}

/** print_tcpf: the single-flag names joined by commas in FIN..URG order, NONE for zero. */
export function formatTcpFlags(flags: number): string {
  if (flags === 0) return 'NONE';
  const names: string[] = [];
  for (const [n, bit] of FLAG_NAMES) {
    if (n === 'ALL' || n === 'NONE') continue;
    if (flags & bit) names.push(n);
  }
  return names.join(',');
}

export function portOption(
  use: OptionUse | undefined,
  ctx: ParseContext,
  proto: string,
): Negated<PortRange> | undefined {
  if (!use) return undefined;
  try {
    const value = parsePortRange(use.value!, proto);
    return isAnyPort(value) && !use.invert ? undefined : { value, invert: use.invert };
  } catch (e) {
    if (e instanceof PortError) ctx.error(use.valueAt, e.message);
    throw e;
  }
}

export const tcpMatch: MatchExtension<TcpMatch> = {
  name: 'tcp',
  kinds: ['tcp'],
  kernelProtocol: 6,
  options: [
    { name: 'sport', aliases: ['source-port'], arg: 'required', invert: true },
    { name: 'dport', aliases: ['destination-port'], arg: 'required', invert: true },
    { name: 'syn', arg: 'none', invert: true },
    { name: 'tcp-flags', arg: 'required', invert: true, extraArgs: 1 },
    { name: 'tcp-option', arg: 'required', invert: true },
  ],
  build(uses, ctx) {
    const get = (n: string) => uses.find((u) => u.name === n);
    const syn = get('syn');
    const tf = get('tcp-flags');
    if (syn && tf) ctx.error(tf.at, "Only one of `--syn' or `--tcp-flags' allowed");
    let flags: Negated<TcpFlagsTest> | undefined;
    if (syn) flags = { value: { mask: 0x17, comp: 0x02 }, invert: syn.invert };
    if (tf) {
      flags = {
        value: {
          mask: parseFlags(tf, tf.value!, ctx, tf.valueAt),
          comp: parseFlags(tf, tf.extra[0]!.text, ctx, tf.extra[0]),
        },
        invert: tf.invert,
      };
    }
    const opt = get('tcp-option');
    let option: Negated<number> | undefined;
    if (opt) {
      const n = parseUintInRange(opt.value!, 1, 255);
      if (n === undefined) ctx.error(opt.valueAt, `Bad TCP option value \`${opt.value}' (expected 1-255)`);
      option = { value: n!, invert: opt.invert };
    }
    const m: TcpMatch = {
      kind: 'tcp',
      ...optional('sport', portOption(get('sport'), ctx, 'tcp')),
      ...optional('dport', portOption(get('dport'), ctx, 'tcp')),
      ...optional('flags', flags),
      ...optional('option', option),
    };
    return m;
  },
  save(m) {
    const parts: string[] = [];
    if (m.sport) parts.push(`${bang(m.sport.invert)}--sport ${formatPortRange(m.sport.value)}`);
    if (m.dport) parts.push(`${bang(m.dport.invert)}--dport ${formatPortRange(m.dport.value)}`);
    if (m.option) parts.push(`${bang(m.option.invert)}--tcp-option ${m.option.value}`);
    if (m.flags) {
      parts.push(
        `${bang(m.flags.invert)}--tcp-flags ${formatTcpFlags(m.flags.value.mask)} ${formatTcpFlags(m.flags.value.comp)}`,
      );
    }
    return parts.join(' ');
  },
};
