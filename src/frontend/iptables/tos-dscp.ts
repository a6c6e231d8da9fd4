// The IPv4 TOS / DS field names shared by -m dscp and -j DSCP (dscp_helper.c) and by -m tos and
// -j TOS (tos_values.c, xtopt_parse_tosmask).

import { strtouiPrefix } from './numbers.js';

/** dscp_helper.c ds_classes, in its order. */
export const DSCP_CLASSES: readonly (readonly [string, number])[] = [
  ['CS0', 0x00],
  ['CS1', 0x08],
  ['CS2', 0x10],
  ['CS3', 0x18],
  ['CS4', 0x20],
  ['CS5', 0x28],
  ['CS6', 0x30],
  ['CS7', 0x38],
  ['BE', 0x00],
  ['AF11', 0x0a],
  ['AF12', 0x0c],
  ['AF13', 0x0e],
  ['AF21', 0x12],
  ['AF22', 0x14],
  ['AF23', 0x16],
  ['AF31', 0x1a],
  ['AF32', 0x1c],
  ['AF33', 0x1e],
  ['AF41', 0x22],
  ['AF42', 0x24],
  ['AF43', 0x26],
  ['EF', 0x2e],
];

/**
 * class_to_dscp: the first class whose name prefixes the argument, case-insensitively (it
 * compares only the class name's length with strncasecmp, so "EF2" is EF).
 */
export function dscpClass(text: string): number | undefined {
  const upper = text.toUpperCase();
  return DSCP_CLASSES.find(([name]) => upper.startsWith(name))?.[1];
}

/** `0xNN`: how iptables-save prints a DSCP or TOS byte. */
export function hex2(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** tos_values.c tos_symbol_names. */
export const TOS_SYMBOLS: readonly (readonly [string, number])[] = [
  ['Minimize-Delay', 0x10],
  ['Maximize-Throughput', 0x08],
  ['Maximize-Reliability', 0x04],
  ['Minimize-Cost', 0x02],
  ['Normal-Service', 0x00],
];

/**
 * xtopt_parse_tosmask with revision 1's default: `value[/mask]`, each 0-255 (mask 0xff when not
 * given), or a symbolic name (any case), which changes only the low six bits (mask 0x3f).
 * 'illegal' when a number starts the text but the rest is no valid `[/mask]`; 'unknown' when
 * no number or name does.
 */
export function parseTosMask(text: string): { value: number; mask: number } | 'illegal' | 'unknown' {
  const first = strtouiPrefix(text, 0, 0xff);
  if (first) {
    let rest = text.slice(first.end);
    let mask = 0xff;
    if (rest[0] === '/') {
      const m = strtouiPrefix(rest.slice(1), 0, 0xff);
      if (!m) return 'illegal';
      mask = m.value;
      rest = rest.slice(1 + m.end);
    }
    return rest === '' ? { value: first.value, mask } : 'illegal';
  }
  const lower = text.toLowerCase();
  const sym = TOS_SYMBOLS.find(([n]) => n.toLowerCase() === lower);
  return sym ? { value: sym[1], mask: 0x3f } : 'unknown';
}
