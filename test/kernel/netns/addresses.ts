// Address arithmetic for deciding which addresses are on-link on which interface.

import { isIPv4, isIPv6 } from 'node:net';

function v6ToBig(a: string): bigint {
  const [head, tail] = a.includes('::') ? (a.split('::') as [string, string]) : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return words.reduce((acc, w) => (acc << 16n) | BigInt(Number.parseInt(w || '0', 16)), 0n);
}

function toBig(a: string): { v: bigint; bits: number } | undefined {
  if (isIPv4(a)) return { v: a.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n), bits: 32 };
  if (isIPv6(a) && !a.includes('.')) return { v: v6ToBig(a), bits: 128 };
  return undefined;
}

/** Whether `addr` lies in `net`/`len` (same family). */
export function inPrefix(addr: string, net: string, len: number): boolean {
  const a = toBig(addr);
  const n = toBig(net);
  if (!a || !n || a.bits !== n.bits) return false;
  const shift = BigInt(a.bits - len);
  return a.v >> shift === n.v >> shift;
}

/** "10.0.0.0/8" → ["10.0.0.0", 8]; "default" → the family's /0. */
export function parsePrefix(dst: string, family: 'inet' | 'inet6'): [string, number] {
  if (dst === 'default') return [family === 'inet' ? '0.0.0.0' : '::', 0];
  const [a, l] = dst.split('/');
  return [a!, l === undefined ? (isIPv4(a!) ? 32 : 128) : Number(l)];
}

/** Unicast addresses a neighbour entry makes sense for (not multicast, broadcast or unspecified). */
export function isUnicast(a: string): boolean {
  if (isIPv4(a)) {
    const first = Number(a.split('.')[0]);
    return a !== '0.0.0.0' && a !== '255.255.255.255' && first < 224 && first !== 127;
  }
  return isIPv6(a) && !a.toLowerCase().startsWith('ff') && a !== '::' && a !== '::1';
}

export const familyOf = (a: string): 'inet' | 'inet6' => (isIPv4(a) ? 'inet' : 'inet6');
