// -j REJECT --reject-with TYPE (libipt_REJECT / libip6t_REJECT). The type may be abbreviated
// and is matched case-insensitively against each entry's name, then its alias, in the kernel's
// enum order (so "icmp-" means icmp-net-unreachable). iptables-save prints the full name.

import type { Family } from '../../../ir/address.js';
import type { RejectReply, RejectTarget } from '../../../ir/targets/REJECT.js';
import type { TargetExtension } from '../extension.js';

interface RejectType {
  readonly name: string;
  readonly alias: string;
  readonly reply: RejectReply;
}

const icmp = (code: number): RejectReply => ({ kind: 'icmp', type: 3, code });
const icmpv6 = (code: number): RejectReply => ({ kind: 'icmpv6', type: 1, code });
const RST: RejectReply = { kind: 'tcp-reset' };

/** enum ipt_reject_with order (echo-reply, index 4, is no longer offered). */
const IPV4_TYPES: readonly RejectType[] = [
  { name: 'icmp-net-unreachable', alias: 'net-unreach', reply: icmp(0) },
  { name: 'icmp-host-unreachable', alias: 'host-unreach', reply: icmp(1) },
  { name: 'icmp-proto-unreachable', alias: 'proto-unreach', reply: icmp(2) },
  { name: 'icmp-port-unreachable', alias: 'port-unreach', reply: icmp(3) },
  { name: 'icmp-net-prohibited', alias: 'net-prohib', reply: icmp(9) },
  { name: 'icmp-host-prohibited', alias: 'host-prohib', reply: icmp(10) },
  { name: 'tcp-reset', alias: 'tcp-rst', reply: RST },
  { name: 'icmp-admin-prohibited', alias: 'admin-prohib', reply: icmp(13) },
];

/** enum ip6t_reject_with order (not-neighbor and echo-reply are not offered). */
const IPV6_TYPES: readonly RejectType[] = [
  { name: 'icmp6-no-route', alias: 'no-route', reply: icmpv6(0) },
  { name: 'icmp6-adm-prohibited', alias: 'adm-prohibited', reply: icmpv6(1) },
  { name: 'icmp6-addr-unreachable', alias: 'addr-unreach', reply: icmpv6(3) },
  { name: 'icmp6-port-unreachable', alias: 'port-unreach', reply: icmpv6(4) },
  { name: 'tcp-reset', alias: 'tcp-reset', reply: RST },
  { name: 'icmp6-policy-fail', alias: 'policy-fail', reply: icmpv6(5) },
  { name: 'icmp6-reject-route', alias: 'reject-route', reply: icmpv6(6) },
];

const typesFor = (family: Family) => (family === 'ipv4' ? IPV4_TYPES : IPV6_TYPES);

/** strncasecmp(full, given, strlen(given)) == 0, on ASCII letters as the C library does. */
function abbreviates(given: string, full: string): boolean {
  const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return lower(full).startsWith(lower(given));
}

function sameReply(a: RejectReply, b: RejectReply): boolean {
  if (a.kind === 'tcp-reset' || b.kind === 'tcp-reset') return a.kind === b.kind;
  return a.kind === b.kind && a.type === b.type && a.code === b.code;
}

export const rejectTarget: TargetExtension<RejectTarget> = {
  name: 'REJECT',
  kinds: ['REJECT'],
  // ipt_REJECT / ip6t_REJECT: .table = "filter", LOCAL_IN | FORWARD | LOCAL_OUT.
  tables: ['filter'],
  hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
  options: [{ name: 'reject-with', arg: 'required' }],
  build(uses, ctx) {
    const types = typesFor(ctx.family);
    const use = uses.find((u) => u.name === 'reject-with');
    if (!use) return { kind: 'REJECT', reply: types.find((t) => t.name.endsWith('port-unreachable'))!.reply };
    const arg = use.value!;
    const found = types.find((t) => abbreviates(arg, t.name) || abbreviates(arg, t.alias));
    if (!found) {
      const echo =
        ctx.family === 'ipv4' && (abbreviates(arg, 'echo-reply') || abbreviates(arg, 'echoreply'))
          ? ' (--reject-with echo-reply is no longer supported)'
          : '';
      ctx.error(
        use.valueAt,
        `unknown reject type "${arg}"${echo}; expected one of ${types.map((t) => t.name).join(', ')}`,
      );
    }
    const reply = found!.reply;
    if (reply.kind === 'tcp-reset') {
      const p = ctx.protocol;
      if (p?.protocol !== 6 || p.invert) {
        ctx.error(
          use.valueAt,
          'REJECT --reject-with tcp-reset is only valid in rules with -p tcp (not inverted); the kernel refuses it otherwise',
        );
      }
    }
    return { kind: 'REJECT', reply };
  },
  save(t, family) {
    const type = typesFor(family).find((x) => sameReply(x.reply, t.reply));
    if (!type) throw new Error(`REJECT reply ${JSON.stringify(t.reply)} has no ${family} spelling`);
    return `--reject-with ${type.name}`;
  },
};
