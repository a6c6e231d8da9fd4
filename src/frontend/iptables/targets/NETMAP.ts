// -j NETMAP --to address[/mask] (libipt_NETMAP.c, libip6t_NETMAP.c). Also holds the
// XTTYPE_HOST / XTTYPE_HOSTMASK argument parsing that TEE and TPROXY share.

import { type Family, formatAddress, type IpNet, maskPrefixLen, netFromPrefix } from '../../../ir/address.js';
import type { NetmapTarget } from '../../../ir/targets/NETMAP.js';
import { parseIpv6 } from '../addresses.js';
import type { ParseContext, TargetExtension } from '../extension.js';
import { parseUintInRange } from '../numbers.js';
import type { Token } from '../tokens.js';

/** inet_aton(3) over the whole string: 1-4 parts, each decimal, octal (0...) or hex (0x...). */
export function inetAton(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const values: number[] = [];
  for (const p of parts) {
    if (!/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(p)) return undefined;
    const v = /^0[xX]/.test(p)
      ? Number.parseInt(p.slice(2), 16)
      : p.length > 1 && p[0] === '0'
        ? Number.parseInt(p, 8)
        : Number(p);
    if (!(v <= 0xffffffff)) return undefined;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 0xff)) return undefined;
  if (last >= 2 ** (8 * (4 - values.length))) return undefined;
  let word = 0;
  for (const v of values) word = word * 256 + v;
  return (word * 2 ** (8 * (4 - values.length)) + last) >>> 0;
}

/**
 * Names getaddrinfo(3) finds in /etc/hosts; nfwasm never asks DNS. (Debian's /etc/hosts gives
 * `localhost` only to 127.0.0.1, so ip6tables does not resolve it.)
 */
const HOSTS: Record<string, Partial<Record<Family, number[]>>> = {
  localhost: { ipv4: [0x7f000001] },
};

/** getaddrinfo(3) with AI_NUMERICHOST for the family: inet_aton forms for IPv4, inet_pton for IPv6. */
export function numericHost(family: Family, text: string): number[] | undefined {
  if (family === 'ipv4') {
    const w = inetAton(text);
    return w === undefined ? undefined : [w];
  }
  return text.includes('%') ? undefined : parseIpv6(text);
}

/** xtopt_parse_host (XTTYPE_HOST): a numeric address of the rule's family, or a known host name. */
export function parseHostArg(text: string, ctx: ParseContext, at: Token | undefined): number[] {
  const numeric = numericHost(ctx.family, text);
  if (numeric) return numeric;
  const known = HOSTS[text]?.[ctx.family];
  if (known) return known;
  return ctx.error(
    at,
    `host \`${text}' not found (getaddrinfo: expected a numeric ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address; nfwasm does not resolve names)`,
  );
}

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
  const maskText = text.slice(slash + 1);
  let len = parseUintInRange(maskText, 0, bits);
  if (len === undefined) {
    const mask = numericHost(family, maskText);
    if (!mask) {
      ctx.error(
        at,
        `${ext}: bad value for option "--${option}", neither a valid network mask nor valid CIDR (0-${bits}).`,
      );
    }
    len = maskPrefixLen(mask!) ?? bits;
  }
  return netFromPrefix(family, addr, len);
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
