// -m helper (xt_helper helper_mt): the helper of the connection's *master*, so only expected
// (RELATED) connections such as an FTP data connection can match, never the control connection.

import type { HelperMatch } from '../../../ir/matches/helper.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const helperEvaluator: MatchEvaluator<HelperMatch> = {
  kind: 'helper',
  test: (m, ctx) => {
    const helper = ctx.ct.entry?.masterHelper ?? null;
    // No ct, no master, or a master without a helper: the result is the invert flag.
    if (helper === null) return m.name.invert;
    const wanted = m.name.value;
    // An empty name matches any helper; otherwise strncmp(helper, name, strlen(helper)): the
    // rule's name need only start with the helper's ("ftp" matches --helper ftp-21 too).
    const hit = wanted === '' || wanted.startsWith(helper);
    return hit !== m.name.invert;
  },
};
