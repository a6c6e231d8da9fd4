// -m quota (libxt_quota): [!] --quota BYTES.

import type { QuotaMatch } from '../../../ir/matches/quota.js';
import { bang, type MatchExtension, single } from '../extension.js';

/** strtoumax with base 0 over the whole text, as a 64-bit unsigned value. */
export function parseUint64(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const digits = m[1]!;
  const v = /^0[xX]/.test(digits)
    ? BigInt(digits)
    : digits.length > 1 && digits[0] === '0'
      ? BigInt(`0o${digits.slice(1)}`)
      : BigInt(digits);
  return v <= 0xffffffffffffffffn ? v : undefined;
}

export const quotaMatch: MatchExtension<QuotaMatch> = {
  name: 'quota',
  kinds: ['quota'],
  options: [{ name: 'quota', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const q = single(uses, 'quota');
    if (!q) ctx.error(at, 'quota: option "--quota" must be specified');
    const bytes = parseUint64(q!.value!);
    if (bytes === undefined) {
      ctx.error(
        q!.valueAt,
        `quota: bad value for option "--quota", or out of range (0-18446744073709551615): \`${q!.value}'`,
      );
    }
    return { kind: 'quota', bytes: bytes!, invert: q!.invert };
  },
  save: (m) => `${bang(m.invert)}--quota ${m.bytes}`,
};
