// Addresses and prefixes as iproute2 prints them: canonical inet_ntop text, `a/len` prefixes,
// and `default` for the zero prefix.

import { isIPv4, isIPv6 } from 'node:net';
import { inetPton } from '../frontend/iptables/addresses.js';
import { type Family, type IpNet, netFromPrefix, wordCount } from '../ir/address.js';

export interface Address {
  readonly family: Family;
  /** 32-bit words, as `src/ir/address.ts` keeps them. */
  readonly words: readonly number[];
}

export function familyOf(text: string): Family | undefined {
  if (isIPv4(text)) return 'ipv4';
  if (isIPv6(text.split('%')[0]!)) return 'ipv6';
  return undefined;
}

/** An address in either family; undefined for anything else. */
export function parseAddressText(text: string, family?: Family): Address | undefined {
  const f = familyOf(text);
  if (!f || (family && f !== family)) return undefined;
  const words = inetPton(f, text.split('%')[0]!);
  return words ? { family: f, words: Object.freeze(words) } : undefined;
}

/** A route destination: `default`, `a.b.c.d`, `a.b.c.d/len` (host bits must be clear, as the kernel demands). */
export function parsePrefixText(text: string, family: Family): IpNet | undefined {
  if (text === 'default') return netFromPrefix(family, new Array<number>(wordCount(family)).fill(0), 0);
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const a = parseAddressText(addr, family);
  if (!a) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  const prefixLen = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : Number.NaN;
  if (!(prefixLen >= 0 && prefixLen <= max)) return undefined;
  return netFromPrefix(family, a.words, prefixLen);
}

export function sameWords(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

export function inNet(net: IpNet, words: readonly number[]): boolean {
  return net.addr.every((w, i) => (words[i]! & net.mask[i]!) >>> 0 === w);
}

// IPv4 classes the routing code tests, as the kernel's ipv4_is_* helpers define them. Since
// Linux 5.3 ipv4_is_zeronet means 0.0.0.0 only: the rest of 0/8 is ordinary unicast.
export const isZeronet4 = (a: number): boolean => a === 0;
export const isLoopback4 = (a: number): boolean => a >>> 24 === 127;
export const isMulticast4 = (a: number): boolean => a >>> 28 === 0xe;
export const isLocalMulticast4 = (a: number): boolean => a >>> 8 === 0xe00000;
export const isLimitedBroadcast4 = (a: number): boolean => a === 0xffffffff;
