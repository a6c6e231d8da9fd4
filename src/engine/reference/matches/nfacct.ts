// -m nfacct (xt_nfacct nfacct_mt): counts the packet in a named accounting object and matches
// unless the object has a quota it is still under (overquota != NFACCT_UNDERQUOTA). nfwasm
// has no nfacct objects (the front end refuses the reference, as the kernel would); here an
// object is a plain counter without quota, so the match always matches. Quota objects
// (NFACCT_F_QUOTA_PKTS/BYTES) would plug in where the counter is kept.

import type { NfacctMatch } from '../../../ir/matches/nfacct.js';
import type { MatchEvaluator } from '../match-evaluator.js';

/** The shared counters of one accounting object (nfnl_acct_update). */
export interface NfacctCounter {
  packets: bigint;
  bytes: bigint;
}

export const nfacctEvaluator: MatchEvaluator<NfacctMatch> = {
  kind: 'nfacct',
  test: (m, ctx) => {
    const acct = ctx.sharedState<NfacctCounter>('nfacct', m.name, () => ({ packets: 0n, bytes: 0n }));
    acct.packets = BigInt.asUintN(64, acct.packets + 1n);
    acct.bytes = BigInt.asUintN(64, acct.bytes + BigInt(ctx.packet.bytes.length));
    // nfnl_acct_overquota: NFACCT_NO_QUOTA (-1) for an object without quota -> match.
    return true;
  },
};
