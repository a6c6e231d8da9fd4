// -m connbytes (xt_connbytes connbytes_mt): the connection's packet/byte counters (nf_conn_acct).

import type { ConnbytesMatch } from '../../../ir/matches/connbytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

export const connbytesEvaluator: MatchEvaluator<ConnbytesMatch> = {
  kind: 'connbytes',
  test: (m, ctx) => {
    const e = ctx.ct.entry;
    // No ct: false whatever the inversion.
    if (!e) return false;
    const pick = (c: { readonly original: bigint; readonly reply: bigint }): bigint =>
      m.direction === 'original' ? c.original : m.direction === 'reply' ? c.reply : U64(c.original + c.reply);
    let what: bigint;
    if (m.mode === 'packets') what = pick(e.packets);
    else if (m.mode === 'bytes') what = pick(e.bytes);
    else {
      // div64_u64(bytes, pkts), and 0 when no packet was counted yet.
      const pkts = pick(e.packets);
      what = pkts === 0n ? 0n : pick(e.bytes) / pkts;
    }
    const { from, to } = m.count;
    // The kernel holds an inverted range as from > to and tests what < to || what > from.
    return m.invert ? what < from || what > to : what >= from && what <= to;
  },
};
