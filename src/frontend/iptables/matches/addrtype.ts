// -m addrtype (libxt_addrtype revision 1): [!] --src-type TYPES, [!] --dst-type TYPES,
// --limit-iface-in, --limit-iface-out.

import type { Negated } from '../../../ir/common.js';
import { ADDRESS_TYPE_ORDER, type AddressType, type AddrtypeMatch } from '../../../ir/matches/addrtype.js';
import { bang, type MatchExtension, type OptionUse, optional } from '../extension.js';
import { checkDirectHook, hookProblem, parseNameList } from '../xtables-options.js';

const TYPE_NAMES = ADDRESS_TYPE_ORDER.map((t) => [t.toUpperCase(), t] as const);

export const addrtypeMatch: MatchExtension<AddrtypeMatch> = {
  name: 'addrtype',
  kinds: ['addrtype'],
  options: [
    { name: 'src-type', arg: 'required', invert: true },
    { name: 'dst-type', arg: 'required', invert: true },
    { name: 'limit-iface-in', arg: 'none' },
    { name: 'limit-iface-out', arg: 'none' },
  ],
  build(uses, ctx, at) {
    const get = (n: string) => uses.find((u) => u.name === n);
    const types = (use: OptionUse | undefined): Negated<readonly AddressType[]> | undefined => {
      if (!use) return undefined;
      const list = parseNameList(use.value!, TYPE_NAMES, (rest) =>
        ctx.error(
          use.valueAt,
          `addrtype: bad type "${rest}" (expected a comma-separated list of ${ADDRESS_TYPE_ORDER.map((t) => t.toUpperCase()).join(', ')})`,
        ),
      );
      return { value: ADDRESS_TYPE_ORDER.filter((t) => list.includes(t)), invert: use.invert };
    };
    const source = types(get('src-type'));
    const destination = types(get('dst-type'));
    if (!source && !destination) ctx.error(at, 'addrtype: you must specify --src-type or --dst-type');
    const inIf = get('limit-iface-in');
    const outIf = get('limit-iface-out');
    if (inIf && outIf)
      ctx.error(
        outIf.at,
        'addrtype: option "--limit-iface-in" cannot be used together with "--limit-iface-out".',
      );
    if (ctx.family === 'ipv6') {
      // xt_addrtype's checkentry for IPv6.
      const all = [...(source?.value ?? []), ...(destination?.value ?? [])];
      const bad = all.find(
        (t) => t === 'blackhole' || t === 'broadcast' || ADDRESS_TYPE_ORDER.indexOf(t) >= 8,
      );
      if (bad)
        ctx.error(
          (source?.value.includes(bad) ? get('src-type') : get('dst-type'))!.valueAt,
          `addrtype: IPv6 cannot match ${bad.toUpperCase()} addresses (the kernel refuses the rule)`,
        );
    }
    if (inIf) checkDirectHook(ctx, inIf.at, ['PREROUTING', 'INPUT', 'FORWARD'], 'addrtype --limit-iface-in');
    if (outIf)
      checkDirectHook(ctx, outIf.at, ['FORWARD', 'OUTPUT', 'POSTROUTING'], 'addrtype --limit-iface-out');
    return {
      kind: 'addrtype',
      ...optional('source', source),
      ...optional('destination', destination),
      ...optional('limitInterface', inIf ? ('in' as const) : outIf ? ('out' as const) : undefined),
    };
  },
  kernelCheck(m, env) {
    if (m.limitInterface === 'in')
      return hookProblem(env.hooks, ['PREROUTING', 'INPUT', 'FORWARD'], 'addrtype --limit-iface-in');
    if (m.limitInterface === 'out')
      return hookProblem(env.hooks, ['FORWARD', 'OUTPUT', 'POSTROUTING'], 'addrtype --limit-iface-out');
    return undefined;
  },
  save(m) {
    const parts: string[] = [];
    const list = (ts: readonly AddressType[]) => ts.map((t) => t.toUpperCase()).join(',');
    if (m.source) parts.push(`${bang(m.source.invert)}--src-type ${list(m.source.value)}`);
    if (m.destination) parts.push(`${bang(m.destination.invert)}--dst-type ${list(m.destination.value)}`);
    if (m.limitInterface === 'in') parts.push('--limit-iface-in');
    if (m.limitInterface === 'out') parts.push('--limit-iface-out');
    return parts.join(' ');
  },
};
