// -m set (libxt_set revision 4): [!] --match-set NAME DIR[,DIR...], --return-nomatch,
// [!] --update-counters, [!] --update-subcounters, [!] --packets-eq/--bytes-eq N,
// --packets-lt/-gt N, --bytes-lt/-gt N.
//
// nfwasm has no ipset definitions yet, so every reference to a set is refused the way iptables
// refuses a set that does not exist.

import type { SetCounterTest, SetMatch } from '../../../ir/matches/set.js';
import { bang, type MatchExtension } from '../extension.js';

const SETNAME_MAX = 31; // IPSET_MAXNAMELEN - 1

export const setMatch: MatchExtension<SetMatch> = {
  name: 'set',
  kinds: ['set'],
  options: [
    { name: 'match-set', aliases: ['set'], arg: 'required', invert: true, extraArgs: 1 },
    { name: 'return-nomatch', arg: 'none', invert: true },
    { name: 'update-counters', arg: 'none', invert: true },
    { name: 'update-subcounters', arg: 'none', invert: true },
    { name: 'packets-eq', arg: 'required', invert: true },
    { name: 'packets-lt', arg: 'required', invert: true },
    { name: 'packets-gt', arg: 'required', invert: true },
    { name: 'bytes-eq', arg: 'required', invert: true },
    { name: 'bytes-lt', arg: 'required', invert: true },
    { name: 'bytes-gt', arg: 'required', invert: true },
  ],
  build(uses, ctx, at) {
    for (const use of uses) {
      if (use.name === 'match-set') {
        const name = use.value!;
        if (Buffer.byteLength(name) > SETNAME_MAX)
          ctx.error(use.valueAt, `setname \`${name}' too long, max ${SETNAME_MAX} characters.`);
        ctx.error(use.valueAt, `Set ${name} doesn't exist. (nfwasm knows no ipsets yet)`);
      }
      if (
        use.invert &&
        ['return-nomatch', 'packets-lt', 'packets-gt', 'bytes-lt', 'bytes-gt'].includes(use.name)
      )
        ctx.error(
          use.at,
          `--${use.name} ${use.name === 'return-nomatch' ? 'flag' : 'option'} cannot be inverted`,
        );
    }
    return ctx.error(at, "You must specify `--match-set' with proper arguments");
  },
  save(m) {
    const parts = [`${bang(m.invert)}--match-set ${m.setName} ${m.directions.join(',')}`];
    if (m.returnNomatch) parts.push('--return-nomatch');
    if (m.skipCounterUpdate) parts.push('! --update-counters');
    if (m.skipSubcounterUpdate) parts.push('! --update-subcounters');
    const counter = (what: string, c: SetCounterTest | undefined) => {
      if (!c) return;
      parts.push(c.op === 'ne' ? `! --${what}-eq ${c.value}` : `--${what}-${c.op} ${c.value}`);
    };
    counter('packets', m.packets);
    counter('bytes', m.bytes);
    return parts.join(' ');
  },
};
