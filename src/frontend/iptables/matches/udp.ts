// -m udp (libxt_udp): [!] --sport/--source-port, [!] --dport/--destination-port, each
// PORT[:PORT] parsed as libxtables' XTTYPE_PORTRC does.

import type { Negated, PortRange } from '../../../ir/common.js';
import type { UdpMatch } from '../../../ir/matches/udp.js';
import { bang, type MatchExtension, type OptionUse, optional, type ParseContext } from '../extension.js';
import { strtoul } from '../numbers.js';
import { formatPortRange, isAnyPort } from '../ports.js';
import { servicePort } from '../services.js';

/**
 * xtables_getportbyname, i.e. getaddrinfo(NULL, text): a decimal number (glibc keeps its low
 * 16 bits; one whose low 32 bits are all ones is looked up as a name instead) or a service
 * name of any protocol.
 */
export function portByName(text: string): number | undefined {
  const n = strtoul(text, 10);
  if (n.end === text.length && !n.overflow) {
    const low32 = n.value & 0xffffffffn;
    if (low32 !== 0xffffffffn) return Number(n.value & 0xffffn);
  }
  return servicePort(text, undefined);
}

/**
 * xtopt_parse_mport: `a`, `a:b`, `:b`, `a:` or `:` with defaults 0 and 65535; an empty value is
 * port 0. No order check: a:b with a > b is kept (and matches nothing).
 */
export function parsePortRc(use: OptionUse, ctx: ParseContext, ext: string, longName: string): PortRange {
  const parts = use.value!.split(':');
  if (parts.length > 2) {
    ctx.error(use.valueAt, `${ext}: Too many components for option "--${longName}" (max: 2)`);
  }
  const range = [0, 0xffff];
  parts.forEach((part, i) => {
    if (part === '') return;
    const port = portByName(part);
    if (port === undefined) {
      ctx.error(
        use.valueAt,
        `Port "${part}" does not resolve to anything (expected a number or a service name).`,
      );
    }
    range[i] = port!;
  });
  if (parts.length === 1) range[1] = range[0]!;
  return { from: range[0]!, to: range[1]! };
}

function portTest(
  use: OptionUse | undefined,
  ctx: ParseContext,
  longName: string,
): Negated<PortRange> | undefined {
  if (!use) return undefined;
  const value = parsePortRc(use, ctx, 'udp', longName);
  return isAnyPort(value) && !use.invert ? undefined : { value, invert: use.invert };
}

/** iptables 1.8.9 prints nothing for 0:65535, even inverted (then the rule matches no packet). */
function savePorts(name: string, r: Negated<PortRange> | undefined): string[] {
  return r && !isAnyPort(r.value) ? [`${bang(r.invert)}--${name} ${formatPortRange(r.value)}`] : [];
}

export const udpMatch: MatchExtension<UdpMatch> = {
  name: 'udp',
  kinds: ['udp'],
  kernelProtocol: 17,
  options: [
    { name: 'sport', aliases: ['source-port'], arg: 'required', invert: true },
    { name: 'dport', aliases: ['destination-port'], arg: 'required', invert: true },
  ],
  build(uses, ctx) {
    const get = (n: string) => uses.find((u) => u.name === n);
    return {
      kind: 'udp',
      ...optional('sport', portTest(get('sport'), ctx, 'source-port')),
      ...optional('dport', portTest(get('dport'), ctx, 'destination-port')),
    };
  },
  save: (m) => [...savePorts('sport', m.sport), ...savePorts('dport', m.dport)].join(' '),
};
