// -m state (libxt_conntrack's state alias of conntrack revision 3): [!] --state LIST.

import type { StateMatch } from '../../../ir/matches/state.js';
import { bang, type MatchExtension } from '../extension.js';
import { formatStates, parseStateOption } from './conntrack.js';

export const stateMatch: MatchExtension<StateMatch> = {
  name: 'state',
  kinds: ['state'],
  options: [{ name: 'state', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'state');
    if (!use) ctx.error(at, 'state: option "--state" must be specified');
    return { kind: 'state', states: { value: parseStateOption(use!, ctx), invert: use!.invert } };
  },
  save: (m) => `${bang(m.states.invert)}--state ${formatStates(m.states.value)}`,
};
