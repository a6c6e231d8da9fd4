// Address arguments as iptables parses them. Three different C readers, kept apart because they
// accept different text:
//
// - parseIpv4 / parseNet: libxtables' own dotted parser (xtables_ipparse_multiple for -s/-d):
//   shortened quads are networks ("10" is 10.0.0.0), each part a strtoul number; masks are a
//   prefix length or a dotted mask, a zero mask ignores the address ("any/0"), and a comma list
//   expands into one rule each.
// - inetAton / numericHost: getaddrinfo(3) with a numeric host, which reads IPv4 with inet_aton
//   rules ("10" is 0.0.0.10, "1.2" is 1.0.0.2) and IPv6 with inet_pton. The XTTYPE_HOST,
//   XTTYPE_HOSTMASK and XTTYPE_PLENMASK options of extensions use it.
// - inetPton: inet_pton(3) alone (libxt_NAT's ranges): four decimal bytes, no shortening.

import { isIPv6 } from 'node:net';
import { IPv6 } from 'ip-num';
import {
  type Family,
  formatAddress,
  type IpNet,
  makeNet,
  maskPrefixLen,
  prefixMask,
  wordCount,
} from '../../ir/address.js';
import type { ConntrackAddress } from '../../ir/matches/conntrack.js';
import type { OptionUse, ParseContext } from './extension.js';
import { parseUintInRange } from './numbers.js';
import type { Token } from './tokens.js';

/** Host names iptables would resolve through the system resolver; nfwasm never touches DNS. */
const STATIC_HOSTS: Record<string, Record<Family, number[]>> = {
  localhost: { ipv4: [0x7f000001], ipv6: [0, 0, 0, 1] },
};

export class AddressError extends Error {}

/** xtables numeric_to_ipaddr: up to four dot-separated bytes; a short form is a network. */
export function parseIpv4(text: string, isMask = false): number | undefined {
  // __numeric_to_ipaddr works on a copy in char buf[20]: only the first 19 characters count.
  const parts = (text.length > 19 ? text.slice(0, 19) : text).split('.');
  if (parts.length > 4) return undefined;
  if (parts.length < 4 && isMask) return undefined;
  let word = 0;
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    if (part === undefined) {
      word = word * 256;
      continue;
    }
    const byte = parseUintInRange(part, 0, 255);
    if (byte === undefined) return undefined;
    word = word * 256 + byte;
  }
  return word >>> 0;
}

export function parseIpv6(text: string): number[] | undefined {
  if (!isIPv6(text)) return undefined;
  const v = IPv6.fromString(text).getValue();
  return [96n, 64n, 32n, 0n].map((shift) => Number((v >> shift) & 0xffffffffn));
}

export function parseAddress(family: Family, text: string): number[] | undefined {
  if (family === 'ipv4') {
    const w = parseIpv4(text);
    return w === undefined ? undefined : [w];
  }
  return parseIpv6(text);
}

function parseMask(family: Family, text: string | undefined): number[] {
  if (text === undefined) return prefixMask(family, family === 'ipv4' ? 32 : 128);
  if (family === 'ipv4') {
    const dotted = parseIpv4(text, true);
    if (dotted !== undefined) return [dotted];
    const bits = parseUintInRange(text, 0, 32);
    if (bits === undefined) throw new AddressError(`invalid mask \`${text}' specified`);
    return prefixMask(family, bits);
  }
  if (text.includes(':')) {
    const m = parseIpv6(text);
    if (m === undefined) throw new AddressError(`${text} is not a valid IPv6 mask`);
    return m;
  }
  const bits = parseUintInRange(text, 0, 128);
  if (bits === undefined) throw new AddressError(`invalid mask \`${text}' specified`);
  return prefixMask(family, bits);
}

function resolveHost(family: Family, host: string): number[] {
  const numeric = parseAddress(family, host);
  if (numeric) return numeric;
  const known = STATIC_HOSTS[host];
  if (known) return known[family];
  // nfwasm never asks DNS; say so, and catch the common family mix-up.
  const other =
    family === 'ipv6'
      ? parseIpv4(host) !== undefined && /^[\d.]+$/.test(host)
      : parseIpv6(host) !== undefined;
  const hint = other
    ? ` (an ${family === 'ipv6' ? 'IPv4' : 'IPv6'} address in an ${family === 'ipv6' ? 'ip6tables' : 'iptables'} ruleset: use -4/-6 or the other file)`
    : /[a-z]/i.test(host)
      ? ' (nfwasm does not resolve host names: use an address)'
      : '';
  throw new AddressError(`host/network \`${host}' not found${hint}`);
}

/** One `addr[/mask]` item. */
export function parseNet(family: Family, text: string): IpNet {
  const slash = text.lastIndexOf('/');
  const host = slash >= 0 ? text.slice(0, slash) : text;
  const mask = parseMask(family, slash >= 0 ? text.slice(slash + 1) : undefined);
  const zeroMask = mask.every((w) => w === 0);
  const addr = zeroMask ? mask.map(() => 0) : resolveHost(family, host);
  return makeNet(family, addr, mask);
}

/** A comma-separated list, as `-s`/`-d` accept: each item becomes its own rule. */
export function parseNetList(family: Family, text: string): IpNet[] {
  return text.split(',').map((item) => parseNet(family, item.trimStart()));
}

/**
 * inet_aton(3) over the whole text, as getaddrinfo reads a numeric IPv4 host: 1-4 parts, each
 * decimal, octal (0...) or hex (0x... with at least one digit), the last filling the remaining
 * bytes ("1.2" is 1.0.0.2).
 */
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
 * getaddrinfo(3) with a numeric host of the family: inet_aton forms for IPv4, inet_pton for IPv6
 * (a `%zone` suffix accepted unless `zone` is false).
 */
export function numericHost(family: Family, text: string, zone = true): number[] | undefined {
  if (family === 'ipv4') {
    const w = inetAton(text);
    return w === undefined ? undefined : [w];
  }
  return !zone && text.includes('%') ? undefined : parseIpv6(text);
}

/** inet_pton(3) for IPv4: exactly four decimal bytes, no leading zeros. */
function inetPton4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let word = 0;
  for (const part of m.slice(1)) {
    if (part.length > 1 && part[0] === '0') return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    word = word * 256 + n;
  }
  return word >>> 0;
}

/** inet_pton(3): the numeric address forms only (no zone index, no shortened IPv4). */
export function inetPton(family: Family, text: string): number[] | undefined {
  if (family === 'ipv4') {
    const w = inetPton4(text);
    return w === undefined ? undefined : [w];
  }
  if (text.includes('%')) return undefined;
  return parseIpv6(text);
}

/**
 * Names getaddrinfo(3) finds in /etc/hosts for XTTYPE_HOST options; nfwasm never asks DNS.
 * (Debian's /etc/hosts gives `localhost` only to 127.0.0.1, so ip6tables does not resolve it.)
 */
const HOSTS_FILE: Record<string, Partial<Record<Family, number[]>>> = {
  localhost: { ipv4: [0x7f000001] },
};

/**
 * xtopt_parse_host (XTTYPE_HOST, TEE/TPROXY/NETMAP): a numeric address of the rule's family
 * (IPv6 without a zone), or a name of HOSTS_FILE.
 */
export function parseHostArg(text: string, ctx: ParseContext, at: Token | undefined): number[] {
  const numeric = numericHost(ctx.family, text, false);
  if (numeric) return numeric;
  const known = HOSTS_FILE[text]?.[ctx.family];
  if (known) return known;
  return ctx.error(
    at,
    `host \`${text}' not found (getaddrinfo: expected a numeric ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address; nfwasm does not resolve names)`,
  );
}

/**
 * The mask part of XTTYPE_HOSTMASK (`host/MASK`): a prefix length within the family's bits, or
 * a numeric mask (see numericHost for `zone`), which becomes all ones when not contiguous (as in
 * libxtables). Undefined when it is neither.
 */
export function hostMaskBits(family: Family, text: string, zone = true): number[] | undefined {
  const full = family === 'ipv4' ? 32 : 128;
  const len = parseUintInRange(text, 0, full);
  if (len !== undefined) return prefixMask(family, len);
  const m = numericHost(family, text, zone);
  if (!m) return undefined;
  return maskPrefixLen(m) === null ? prefixMask(family, full) : m;
}

/**
 * XTTYPE_PLENMASK (connlimit, hashlimit): a prefix length, or a numeric mask's prefix length
 * (null when its bits are not contiguous); undefined when the text is neither.
 */
export function plenOrMask(family: Family, text: string): number | null | undefined {
  const n = parseUintInRange(text, 0, family === 'ipv4' ? 32 : 128);
  if (n !== undefined) return n;
  const words = numericHost(family, text);
  return words ? maskPrefixLen(words) : undefined;
}

/**
 * XTTYPE_HOSTMASK as iptables 1.8.9 parses it for the conntrack and policy matches:
 * `host[/len|/mask]`, the host numeric (getaddrinfo rules) or localhost. The host bits are
 * kept as given.
 */
export function parseHostMask(use: OptionUse, ctx: ParseContext, ext: string): ConntrackAddress {
  const family = ctx.family;
  const arg = use.value!;
  const slash = arg.indexOf('/');
  const hostText = slash >= 0 ? arg.slice(0, slash) : arg;
  const host = numericHost(family, hostText) ?? STATIC_HOSTS[hostText]?.[family];
  if (!host)
    ctx.error(
      use.valueAt,
      `${ext}: host "${hostText}" for "--${use.name}" is not a numeric address (nfwasm resolves no host names)`,
    );
  const full = family === 'ipv4' ? 32 : 128;
  let mask = prefixMask(family, full);
  if (slash >= 0) {
    const m = hostMaskBits(family, arg.slice(slash + 1));
    if (!m)
      ctx.error(
        use.valueAt,
        `${ext}: bad value for option "--${use.name}", neither a valid network mask nor valid CIDR (0-${full}).`,
      );
    mask = m!;
  }
  return { net: makeNet(family, host!, mask), given: [...host!] };
}

/** How iptables-save prints an XTTYPE_HOSTMASK value: the host as given, then /len or /mask. */
export function formatHostMask(a: ConntrackAddress, family: Family): string {
  const len = a.net.prefixLen;
  const full = wordCount(family) * 32;
  const suffix = len === full ? '' : len === null ? `/${formatAddress(family, a.net.mask)}` : `/${len}`;
  return `${formatAddress(family, a.given)}${suffix}`;
}
