// -m pkttype (libxt_pkttype): [!] --pkt-type unicast|broadcast|multicast|otherhost.

import type { PacketType, PkttypeMatch } from '../../../ir/matches/pkttype.js';
import { bang, type MatchExtension } from '../extension.js';

const NAMES: readonly (readonly [string, PacketType])[] = [
  ['unicast', 'unicast'],
  ['broadcast', 'broadcast'],
  ['multicast', 'multicast'],
  ['otherhost', 'otherhost'],
  ['bcast', 'broadcast'],
  ['mcast', 'multicast'],
  ['host', 'unicast'],
];

export const pkttypeMatch: MatchExtension<PkttypeMatch> = {
  name: 'pkttype',
  kinds: ['pkttype'],
  options: [{ name: 'pkt-type', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'pkt-type');
    if (!use) ctx.error(at, 'pkttype: option "--pkt-type" must be specified');
    const hit = NAMES.find(([n]) => n === use!.value!.toLowerCase());
    if (!hit)
      ctx.error(
        use!.valueAt,
        `Bad packet type '${use!.value}' (expected unicast, broadcast, multicast or otherhost)`,
      );
    return { kind: 'pkttype', type: { value: hit![1], invert: use!.invert } };
  },
  save: (m) => `${bang(m.type.invert)}--pkt-type ${m.type.value}`,
};
