// -m devgroup (libxt_devgroup): [!] --src-group GROUP[/MASK], [!] --dst-group GROUP[/MASK].

import type { MaskedValue, Negated } from '../../../ir/common.js';
import type { DevgroupMatch } from '../../../ir/matches/devgroup.js';
import { bang, type MatchExtension, type OptionUse, optional, type ParseContext } from '../extension.js';
import {
  checkDirectHook,
  formatValMask,
  hookProblem,
  type NameMap,
  valueMaskOption,
} from '../xtables-options.js';

/** Debian iproute2's /etc/iproute2/group. */
const GROUPS: NameMap = [[0, 'default']];

function group(use: OptionUse | undefined, ctx: ParseContext): Negated<MaskedValue> | undefined {
  return use
    ? { value: valueMaskOption(use, ctx, 'devgroup', 'match', GROUPS), invert: use.invert }
    : undefined;
}

export const devgroupMatch: MatchExtension<DevgroupMatch> = {
  name: 'devgroup',
  kinds: ['devgroup'],
  options: [
    { name: 'src-group', arg: 'required', invert: true },
    { name: 'dst-group', arg: 'required', invert: true },
  ],
  build(uses, ctx, at) {
    const src = uses.find((u) => u.name === 'src-group');
    const dst = uses.find((u) => u.name === 'dst-group');
    const source = group(src, ctx);
    const destination = group(dst, ctx);
    if (!source && !destination)
      ctx.error(at, "devgroup match: You must specify either '--src-group' or '--dst-group'");
    if (src) checkDirectHook(ctx, src.at, ['PREROUTING', 'INPUT', 'FORWARD'], 'devgroup --src-group');
    if (dst) checkDirectHook(ctx, dst.at, ['FORWARD', 'OUTPUT', 'POSTROUTING'], 'devgroup --dst-group');
    return { kind: 'devgroup', ...optional('source', source), ...optional('destination', destination) };
  },
  kernelCheck(m, env) {
    return (
      (m.source
        ? hookProblem(env.hooks, ['PREROUTING', 'INPUT', 'FORWARD'], 'devgroup --src-group')
        : undefined) ??
      (m.destination
        ? hookProblem(env.hooks, ['FORWARD', 'OUTPUT', 'POSTROUTING'], 'devgroup --dst-group')
        : undefined)
    );
  },
  save(m) {
    const parts: string[] = [];
    if (m.source) parts.push(`${bang(m.source.invert)}--src-group ${formatValMask(m.source.value, GROUPS)}`);
    if (m.destination)
      parts.push(`${bang(m.destination.invert)}--dst-group ${formatValMask(m.destination.value, GROUPS)}`);
    return parts.join(' ');
  },
};
