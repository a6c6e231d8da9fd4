// -j NETMAP --to address[/mask] (libipt_NETMAP.c, libip6t_NETMAP.c).

import { formatAddress, type IpNet, maskPrefixLen, netFromPrefix } from '../../../ir/address.js';
import type { NetmapTarget } from '../../../ir/targets/NETMAP.js';
import { hostMaskBits, parseHostArg } from '../addresses.js';
import type { ParseContext, TargetExtension } from '../extension.js';
import type { Token } from '../tokens.js';

/**
 * xtopt_parse_hostmask (XTTYPE_HOSTMASK): `host[/len-or-mask]`. A mask that is not contiguous
 * (or a bare number too big for a prefix, read as an address) ends up as a full host mask, as
 * in libxtables.
 */
function parseHostMask(
  ext: string,
  option: string,
  text: string,
  ctx: ParseContext,
  at: Token | undefined,
): IpNet {
  const family = ctx.family;
  const bits = family === 'ipv4' ? 32 : 128;
  const slash = text.indexOf('/');
  if (slash < 0) return netFromPrefix(family, parseHostArg(text, ctx, at), bits);
  const addr = parseHostArg(text.slice(0, slash), ctx, at);
  const mask = hostMaskBits(family, text.slice(slash + 1), false);
  if (!mask) {
    ctx.error(
      at,
      `${ext}: bad value for option "--${option}", neither a valid network mask nor valid CIDR (0-${bits}).`,
    );
  }
  return netFromPrefix(family, addr, maskPrefixLen(mask!) ?? bits);
}

export const netmapTarget: TargetExtension<NetmapTarget> = {
  name: 'NETMAP',
  kinds: ['NETMAP'],
  tables: ['nat'],
  hooks: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  options: [{ name: 'to', arg: 'required' }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'to');
    if (!use) ctx.error(at, 'NETMAP: option "--to" must be specified');
    return { kind: 'NETMAP', net: parseHostMask('NETMAP', 'to', use!.value!, ctx, use!.valueAt) };
  },
  save(t, family) {
    const mask = t.net.prefixLen ?? formatAddress(family, t.net.mask);
    return `--to ${formatAddress(family, t.net.addr)}/${mask}`;
  },
};
