// -m mac (libxt_mac): [!] --mac-source XX:XX:XX:XX:XX:XX.

import type { MacMatch } from '../../../ir/matches/mac.js';
import { bang, type MatchExtension } from '../extension.js';
import { checkDirectHook, hookProblem } from '../xtables-options.js';

/**
 * xtopt_parse_ethermac: six `:`-separated parts, each read by strtoul(part, &end, 16) (so white
 * space, a sign, and an empty part are accepted) and each at most two characters long.
 */
export function parseMac(text: string): number[] | undefined {
  const parts = text.split(':');
  if (parts.length !== 6) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (part.length > 2) return undefined;
    const m = /^\s*([+-]?)([0-9a-fA-F]*)$/.exec(part);
    if (!m) return undefined;
    // No digits (" ", "-"): strtoul stops at the start, so only an empty part reads as 0.
    if (m[2] === '' && part !== '') return undefined;
    let v = m[2] === '' ? 0 : Number.parseInt(m[2]!, 16);
    if (m[1] === '-') v = -v;
    bytes.push(v & 0xff);
  }
  return bytes;
}

export function formatMac(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export const macMatch: MatchExtension<MacMatch> = {
  name: 'mac',
  kinds: ['mac'],
  options: [{ name: 'mac-source', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'mac-source');
    if (!use) ctx.error(at, 'mac: option "--mac-source" must be specified');
    const bytes = parseMac(use!.value!);
    if (!bytes)
      ctx.error(
        use!.valueAt,
        `Invalid MAC address specified. (expected six hex bytes like 00:11:22:aa:bb:cc, got \`${use!.value}')`,
      );
    checkDirectHook(ctx, at, ['PREROUTING', 'INPUT', 'FORWARD'], 'the mac match');
    return { kind: 'mac', source: { value: bytes!, invert: use!.invert } };
  },
  kernelCheck: (_m, env) => hookProblem(env.hooks, ['PREROUTING', 'INPUT', 'FORWARD'], 'the mac match'),
  save: (m) => `${bang(m.source.invert)}--mac-source ${formatMac(m.source.value)}`,
};
