// -m string (libxt_string revision 1): --algo bm|kmp, --from, --to, --icase, [!] --string,
// [!] --hex-string.

import type { StringMatch } from '../../../ir/matches/string.js';
import { bang, type MatchExtension, type OptionUse, type ParseContext, single } from '../extension.js';
import { type FcheckEntry, optionsFcheck, uintOption } from '../xtables-options.js';

const MAX_PATTERN = 128; // XT_STRING_MAX_PATTERN_SIZE
const ALGO_SIZE = 16; // XT_STRING_MAX_ALGO_NAME_SIZE, including the NUL

const TABLE: readonly FcheckEntry[] = [
  { name: 'from' },
  { name: 'to' },
  { name: 'algo', mand: true },
  { name: 'string', excl: ['hex-string'] },
  { name: 'hex-string', excl: ['string'] },
  { name: 'icase' },
];

const isXdigit = (c: number | undefined) =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

/** parse_hex_string: plain bytes, `|hex hex|` blocks and `\` escapes of single bytes. */
function parseHexString(use: OptionUse, ctx: ParseContext): number[] {
  const s = Buffer.from(use.value!, 'utf8');
  const fail = (msg: string): never => ctx.error(use.valueAt, msg);
  if (s.length === 0) fail('STRING must contain at least one char');
  const out: number[] = [];
  let i = 0;
  let hex = false;
  let literal = false;
  while (i < s.length) {
    if (out.length >= MAX_PATTERN) fail(`STRING too long "${use.value}" (at most ${MAX_PATTERN} bytes)`);
    if (s[i] === 0x5c && !hex) literal = true;
    else if (s[i] === 0x5c) fail('Cannot include literals in hex data');
    else if (s[i] === 0x7c) {
      if (hex) hex = false;
      else {
        hex = true;
        while (s[i + 1] === 0x20) i++;
      }
      if (i + 1 >= s.length) break;
      i++;
    }
    if (literal) {
      if (i + 1 >= s.length) fail('Bad literal placement at end of string');
      out.push(s[i + 1]!);
      i += 2;
      literal = false;
    } else if (hex) {
      if (i + 1 >= s.length) fail('Odd number of hex digits');
      if (i + 2 >= s.length) fail('Invalid hex block (a hex block must end with "|")');
      if (!isXdigit(s[i])) fail(`Invalid hex char '${String.fromCharCode(s[i]!)}'`);
      if (!isXdigit(s[i + 1])) fail(`Invalid hex char '${String.fromCharCode(s[i + 1]!)}'`);
      out.push(Number.parseInt(String.fromCharCode(s[i]!, s[i + 1]!), 16));
      i += s[i + 2] === 0x20 ? 3 : 2;
    } else {
      out.push(s[i]!);
      i++;
    }
  }
  return out;
}

function formatPattern(p: readonly number[], invert: boolean): string {
  const hex = p.some((b) => b < 0x20 || b > 0x7e) || p[p.length - 1] === 0x5c;
  if (hex) {
    return `${bang(invert)}--hex-string "|${p.map((b) => b.toString(16).padStart(2, '0')).join('')}|"`;
  }
  const text = p.map((b) => (b === 0x22 || b === 0x5c ? '\\' : '') + String.fromCharCode(b)).join('');
  return `${bang(invert)}--string "${text}"`;
}

export const stringMatch: MatchExtension<StringMatch> = {
  name: 'string',
  kinds: ['string'],
  options: [
    { name: 'from', arg: 'required' },
    { name: 'to', arg: 'required' },
    { name: 'algo', arg: 'required' },
    { name: 'string', arg: 'required', invert: true },
    { name: 'hex-string', arg: 'required', invert: true },
    { name: 'icase', arg: 'none' },
  ],
  build(uses, ctx, at) {
    let pattern: number[] | undefined;
    let invert = false;
    for (const u of uses) {
      if (u.name === 'string') {
        const bytes = [...Buffer.from(u.value!, 'utf8')];
        if (bytes.length > MAX_PATTERN) {
          ctx.error(u.valueAt, `STRING too long "${u.value}" (at most ${MAX_PATTERN} bytes)`);
        }
        pattern = bytes;
      } else if (u.name === 'hex-string') pattern = parseHexString(u, ctx);
      else continue;
      invert ||= u.invert;
    }
    const fromUse = single(uses, 'from');
    const toUse = single(uses, 'to');
    const from = fromUse ? uintOption(fromUse, ctx, 'string', 0, 65535, 'quoted') : 0;
    const to = toUse ? uintOption(toUse, ctx, 'string', 0, 65535, 'quoted') : 65535;
    if (!pattern) ctx.error(at, "STRING match: You must specify `--string' or `--hex-string'");
    optionsFcheck('string', TABLE, uses, ctx, at);
    const algoUse = single(uses, 'algo')!;
    const algo = Buffer.from(algoUse.value!, 'utf8')
      .subarray(0, ALGO_SIZE - 1)
      .toString('utf8');
    if (algo !== 'bm' && algo !== 'kmp') {
      ctx.error(algoUse.valueAt, `string: the kernel has no search algorithm "${algo}" (expected bm or kmp)`);
    }
    if (pattern!.length === 0) ctx.error(at, 'string: the kernel refuses an empty pattern');
    if (from > to) ctx.error(fromUse!.valueAt, `string: --from ${from} is beyond --to ${to}`);
    return {
      kind: 'string',
      pattern: pattern!,
      algorithm: algo as StringMatch['algorithm'],
      from,
      to,
      ignoreCase: single(uses, 'icase') !== undefined,
      invert,
    };
  },
  save(m) {
    let out = `${formatPattern(m.pattern, m.invert)} --algo ${m.algorithm}`;
    if (m.from !== 0) out += ` --from ${m.from}`;
    if (m.to !== 65535) out += ` --to ${m.to}`;
    if (m.ignoreCase) out += ' --icase';
    return out;
  },
};
