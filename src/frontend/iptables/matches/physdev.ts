// -m physdev (libxt_physdev): [!] --physdev-in NAME, [!] --physdev-out NAME,
// [!] --physdev-is-in, [!] --physdev-is-out, [!] --physdev-is-bridged.

import type { Negated } from '../../../ir/common.js';
import type { PhysdevMatch, PhysdevName } from '../../../ir/matches/physdev.js';
import { bang, type MatchExtension, type OptionUse, type ParseContext } from '../extension.js';

function parseName(use: OptionUse, ctx: ParseContext): Negated<PhysdevName> {
  const v = use.value!;
  if (v.length + 1 > 16) ctx.error(use.valueAt, `interface name \`${v}' must be shorter than IFNAMSIZ (15)`);
  const wildcard = v.endsWith('+');
  return { value: { name: wildcard ? v.slice(0, -1) : v, wildcard }, invert: use.invert };
}

const formatName = (n: PhysdevName) => `${n.name}${n.wildcard ? '+' : ''}`;

export const physdevMatch: MatchExtension<PhysdevMatch> = {
  name: 'physdev',
  kinds: ['physdev'],
  options: [
    { name: 'physdev-in', arg: 'required', invert: true },
    { name: 'physdev-out', arg: 'required', invert: true },
    { name: 'physdev-is-in', arg: 'none', invert: true },
    { name: 'physdev-is-out', arg: 'none', invert: true },
    { name: 'physdev-is-bridged', arg: 'none', invert: true },
  ],
  build(uses, ctx, at) {
    if (uses.length === 0) ctx.error(at, 'PHYSDEV: no physdev option specified');
    const m: { -readonly [K in keyof PhysdevMatch]: PhysdevMatch[K] } = { kind: 'physdev' };
    const flag = (u: OptionUse) => ({ value: true as const, invert: u.invert });
    for (const u of uses) {
      if (u.name === 'physdev-in') m.in = parseName(u, ctx);
      else if (u.name === 'physdev-out') m.out = parseName(u, ctx);
      else if (u.name === 'physdev-is-in') m.isIn = flag(u);
      else if (u.name === 'physdev-is-out') m.isOut = flag(u);
      else m.isBridged = flag(u);
    }
    // xt_physdev checkentry: output-port tests need bridged traffic when reached from OUTPUT.
    if ((m.out || m.isOut) && (!m.isBridged || m.isBridged.invert) && ctx.chain === 'OUTPUT')
      ctx.error(
        at,
        '--physdev-out and --physdev-is-out are only supported in the FORWARD and POSTROUTING chains with bridged traffic (add --physdev-is-bridged; the kernel refuses the rule)',
      );
    return m;
  },
  kernelCheck(m, env) {
    if ((m.out || m.isOut) && (!m.isBridged || m.isBridged.invert) && env.hooks.has('OUTPUT'))
      return '--physdev-out and --physdev-is-out are only supported in the FORWARD and POSTROUTING chains with bridged traffic (this rule is reached from OUTPUT)';
    return undefined;
  },
  save(m) {
    const parts: string[] = [];
    if (m.isIn) parts.push(`${bang(m.isIn.invert)}--physdev-is-in`);
    if (m.in) parts.push(`${bang(m.in.invert)}--physdev-in ${formatName(m.in.value)}`);
    if (m.isOut) parts.push(`${bang(m.isOut.invert)}--physdev-is-out`);
    if (m.out) parts.push(`${bang(m.out.invert)}--physdev-out ${formatName(m.out.value)}`);
    if (m.isBridged) parts.push(`${bang(m.isBridged.invert)}--physdev-is-bridged`);
    return parts.join(' ');
  },
};
