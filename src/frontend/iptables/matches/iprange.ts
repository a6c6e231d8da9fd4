// -m iprange (libxt_iprange revision 1): [!] --src-range FROM[-TO], [!] --dst-range FROM[-TO].

import { formatAddress, type IpRange } from '../../../ir/address.js';
import type { Negated } from '../../../ir/common.js';
import type { IprangeMatch } from '../../../ir/matches/iprange.js';
import { parseIpv4, parseIpv6 } from '../addresses.js';
import { bang, type MatchExtension, type OptionUse, optional, type ParseContext } from '../extension.js';

function parseRange(use: OptionUse | undefined, ctx: ParseContext): Negated<IpRange> | undefined {
  if (!use) return undefined;
  const arg = use.value!;
  const dash = arg.indexOf('-');
  const texts = dash < 0 ? [arg, arg] : [arg.slice(0, dash), arg.slice(dash + 1)];
  const words = texts.map((t) => {
    // xtables_numeric_to_ipaddr / xtables_numeric_to_ip6addr: numeric only.
    const w = ctx.family === 'ipv4' ? (t === '' ? undefined : parseIpv4(t)) : parseIpv6(t);
    if (w === undefined)
      ctx.error(
        use.valueAt,
        `iprange: Bad value for "--${use.name}" option: "${t}" (expected ADDRESS[-ADDRESS])`,
      );
    return typeof w === 'number' ? [w] : w!;
  });
  return { value: { family: ctx.family, from: words[0]!, to: words[1]! }, invert: use.invert };
}

export const iprangeMatch: MatchExtension<IprangeMatch> = {
  name: 'iprange',
  kinds: ['iprange'],
  options: [
    { name: 'src-range', arg: 'required', invert: true },
    { name: 'dst-range', arg: 'required', invert: true },
  ],
  build(uses, ctx, at) {
    const source = parseRange(
      uses.find((u) => u.name === 'src-range'),
      ctx,
    );
    const destination = parseRange(
      uses.find((u) => u.name === 'dst-range'),
      ctx,
    );
    if (!source && !destination)
      ctx.error(at, "iprange match: You must specify `--src-range' or `--dst-range'");
    return { kind: 'iprange', ...optional('source', source), ...optional('destination', destination) };
  },
  save(m, family) {
    const r = (x: IpRange) => `${formatAddress(family, x.from)}-${formatAddress(family, x.to)}`;
    const parts: string[] = [];
    if (m.source) parts.push(`${bang(m.source.invert)}--src-range ${r(m.source.value)}`);
    if (m.destination) parts.push(`${bang(m.destination.invert)}--dst-range ${r(m.destination.value)}`);
    return parts.join(' ');
  },
};
