// -m realm (libipt_realm, IPv4): [!] --realm VALUE[/MASK] or a name from rt_realms.

import type { RealmMatch } from '../../../ir/matches/realm.js';
import { bang, type MatchExtension } from '../extension.js';
import {
  checkDirectHook,
  formatValMask,
  hookProblem,
  type NameMap,
  valueMaskOption,
} from '../xtables-options.js';

/** Debian iproute2's /etc/iproute2/rt_realms. */
const REALMS: NameMap = [[0, 'cosmos']];

export const realmMatch: MatchExtension<RealmMatch> = {
  name: 'realm',
  kinds: ['realm'],
  families: ['ipv4'],
  options: [{ name: 'realm', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'realm');
    if (!use) ctx.error(at, 'realm: option "--realm" must be specified');
    checkDirectHook(ctx, at, ['INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], 'the realm match');
    return {
      kind: 'realm',
      realm: { value: valueMaskOption(use!, ctx, 'realm', 'match', REALMS), invert: use!.invert },
    };
  },
  kernelCheck: (_m, env) =>
    hookProblem(env.hooks, ['INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], 'the realm match'),
  save: (m) => `${bang(m.realm.invert)}--realm ${formatValMask(m.realm.value, REALMS)}`,
};
