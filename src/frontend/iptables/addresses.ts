// Address arguments as xtables parses them (libxtables xtables_ipparse_multiple and friends):
// IPv4 dotted quads may be shortened ("10" is 10.0.0.0), masks are a prefix length or a dotted
// mask, a zero mask ignores the address ("any/0"), and a comma list expands into one rule each.

import { isIPv6 } from 'node:net';
import { IPv6 } from 'ip-num';
import { type Family, type IpNet, makeNet, prefixMask } from '../../ir/address.js';
import { parseUintInRange } from './numbers.js';

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
