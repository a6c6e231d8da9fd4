// -j TPROXY --on-port PORT [--on-ip ADDR] [--tproxy-mark VALUE[/MASK]] (libxt_TPROXY.c,
// revision 1 in both families).

import { formatAddress } from '../../../ir/address.js';
import type { TproxyTarget } from '../../../ir/targets/TPROXY.js';
import { parseHostArg } from '../addresses.js';
import type { TargetExtension } from '../extension.js';
import { hex } from '../numbers.js';
import { servicePort } from '../services.js';
import { valueMaskOption } from '../xtables-options.js';

/**
 * xtables_getportbyname (XTTYPE_PORT): getaddrinfo(NULL, arg) reads a decimal number with
 * strtoul into an int and keeps its low 16 bits (70000 is 4464, "" is 0); -1 in the int, or
 * anything not decimal, is looked up as a service name.
 */
export function parseXtPort(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*\+?(\d*)$/.exec(text);
  if (m) {
    let n = m[1] ? BigInt(m[1]) : 0n;
    if (n > 0xffffffffffffffffn) n = 0xffffffffffffffffn; // strtoul saturates
    if ((n & 0xffffffffn) !== 0xffffffffn) return Number(n & 0xffffn);
  }
  return servicePort(text, undefined);
}

export const tproxyTarget: TargetExtension<TproxyTarget> = {
  name: 'TPROXY',
  kinds: ['TPROXY'],
  tables: ['mangle'],
  hooks: ['PREROUTING'],
  options: [
    { name: 'on-port', arg: 'required' },
    { name: 'on-ip', arg: 'required' },
    { name: 'tproxy-mark', arg: 'required' },
  ],
  build(uses, ctx, at) {
    const portUse = uses.find((u) => u.name === 'on-port');
    if (!portUse) ctx.error(at, 'TPROXY: option "--on-port" must be specified');
    const port = parseXtPort(portUse!.value!);
    if (port === undefined) {
      ctx.error(
        portUse!.valueAt,
        `Port "${portUse!.value}" does not resolve to anything (expected a decimal port or a service name)`,
      );
    }
    const ipUse = uses.find((u) => u.name === 'on-ip');
    const address = ipUse ? parseHostArg(ipUse.value!, ctx, ipUse.valueAt) : undefined;
    const markUse = uses.find((u) => u.name === 'tproxy-mark');
    const mark = markUse ? valueMaskOption(markUse, ctx, 'TPROXY', 'tproxy') : undefined;
    return {
      kind: 'TPROXY',
      port: port!,
      ...(address?.some((w) => w !== 0) ? { address } : {}),
      ...(mark && (mark.value !== 0 || mark.mask !== 0) ? { mark } : {}),
    };
  },
  // tproxy_tg4_check / tproxy_tg6_check, when the table is loaded (the whole rule's -p counts).
  kernelCheck(_t, env) {
    const p = env.protocol;
    if (p && !p.invert && (p.protocol === 6 || p.protocol === 17)) return undefined;
    return 'TPROXY can be used only with -p tcp or -p udp (not inverted)';
  },
  save(t, family) {
    const addr = t.address ?? (family === 'ipv4' ? [0] : [0, 0, 0, 0]);
    const mark = t.mark ?? { value: 0, mask: 0 };
    return `--on-port ${t.port} --on-ip ${formatAddress(family, addr)} --tproxy-mark ${hex(mark.value)}/${hex(mark.mask)}`;
  },
};
