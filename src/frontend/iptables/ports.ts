// Port arguments: xtables_parse_port (a number 0-65535 or a service name) and the
// `first:last` range syntax the tcp/udp/sctp/dccp matches share.

import type { PortRange } from '../../ir/common.js';
import { parseUintInRange } from './numbers.js';
import { servicePort } from './services.js';

export class PortError extends Error {}

export function parsePort(text: string, proto: string | undefined): number {
  const n = parseUintInRange(text, 0, 65535);
  if (n !== undefined) return n;
  const s = servicePort(text, proto);
  if (s !== undefined) return s;
  throw new PortError(`invalid port/service \`${text}' specified`);
}

/** `port`, `first:last`, `:last` (from 0) or `first:` (to 65535). */
export function parsePortRange(text: string, proto: string | undefined): PortRange {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text, proto);
    return { from: p, to: p };
  }
  const a = text.slice(0, colon);
  const b = text.slice(colon + 1);
  const from = a ? parsePort(a, proto) : 0;
  const to = b ? parsePort(b, proto) : 0xffff;
  if (from > to) throw new PortError('invalid portrange (min > max)');
  return { from, to };
}

export function formatPortRange(r: PortRange, sep = ':'): string {
  return r.from === r.to ? String(r.from) : `${r.from}${sep}${r.to}`;
}

export function isAnyPort(r: PortRange): boolean {
  return r.from === 0 && r.to === 0xffff;
}
