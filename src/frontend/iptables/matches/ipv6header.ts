// -m ipv6header [!] --header NAME[,NAME...] [--soft] (libip6t_ipv6header).

import type { Ipv6HeaderKind, Ipv6HeaderMatch } from '../../../ir/matches/ipv6header.js';
import type { MatchExtension } from '../extension.js';

/** The kernel's mask bits, highest first (print order), with their protocol numbers. */
const KINDS: readonly (readonly [Ipv6HeaderKind, number])[] = [
  ['hop-by-hop', 0],
  ['destination', 60],
  ['routing', 43],
  ['fragment', 44],
  ['auth', 51],
  ['esp', 50],
  ['no-next-header', 59],
  ['upper-layer', 255],
];

/**
 * name_to_proto: getprotobyname (Debian /etc/protocols names and aliases, case-sensitive),
 * then libip6t_ipv6header's own table.
 */
const NAMES: Record<string, number> = {
  // /etc/protocols entries whose number the match knows, plus every other name (refused later).
  ip: 0,
  IP: 0,
  hopopt: 0,
  HOPOPT: 0,
  'ipv6-route': 43,
  'IPv6-Route': 43,
  'ipv6-frag': 44,
  'IPv6-Frag': 44,
  esp: 50,
  'IPSEC-ESP': 50,
  ah: 51,
  'IPSEC-AH': 51,
  'ipv6-nonxt': 59,
  'IPv6-NoNxt': 59,
  'ipv6-opts': 60,
  'IPv6-Opts': 60,
  // libip6t_ipv6header chain_protos.
  'hop-by-hop': 0,
  protocol: 255,
  hop: 0,
  dst: 60,
  route: 43,
  frag: 44,
  auth: 51,
  none: 59,
  prot: 255,
  '0': 0,
  '60': 60,
  '43': 43,
  '44': 44,
  '51': 51,
  '50': 50,
  '59': 59,
  '255': 255,
};

/** proto_to_name for printing: /etc/protocols first (except for 0), then the module's table. */
const PRINT_NAMES: Record<Ipv6HeaderKind, string> = {
  'hop-by-hop': 'hop-by-hop',
  destination: 'ipv6-opts',
  routing: 'ipv6-route',
  fragment: 'ipv6-frag',
  auth: 'ah',
  esp: 'esp',
  'no-next-header': 'ipv6-nonxt',
  'upper-layer': 'protocol',
};

export const ipv6headerMatch: MatchExtension<Ipv6HeaderMatch> = {
  name: 'ipv6header',
  kinds: ['ipv6header'],
  families: ['ipv6'],
  options: [
    { name: 'header', arg: 'required', invert: true },
    { name: 'soft', arg: 'none' },
  ],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'header');
    if (!use) ctx.error(at, 'ipv6header: option "--header" must be specified');
    const wanted = new Set<Ipv6HeaderKind>();
    for (const name of use!.value!.split(',')) {
      if (name === '') continue;
      const proto = Object.hasOwn(NAMES, name) ? NAMES[name] : undefined;
      if (proto === undefined) ctx.error(use!.valueAt, `unknown header \`${name}' specified`);
      const kind = KINDS.find(([, p]) => p === proto);
      if (!kind) ctx.error(use!.valueAt, `unknown header \`${proto}' specified`);
      wanted.add(kind![0]);
    }
    if (wanted.size === 0) ctx.error(use!.valueAt, 'ip6t_ipv6header: cannot parse header names');
    return {
      kind: 'ipv6header',
      headers: KINDS.filter(([k]) => wanted.has(k)).map(([k]) => k),
      soft: uses.some((u) => u.name === 'soft'),
      invert: use!.invert,
    };
  },
  save(m) {
    const soft = m.soft ? ' --soft' : '';
    return `${m.invert ? '! ' : ''}--header ${m.headers.map((h) => PRINT_NAMES[h]).join(',')}${soft}`;
  },
};
