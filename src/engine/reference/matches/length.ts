// -m length (xt_length.c): the layer-3 datagram length within [min, max], XOR `!`.

import type { LengthMatch } from '../../../ir/matches/length.js';
import { get16 } from '../../../wire/bytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const lengthEvaluator: MatchEvaluator<LengthMatch> = {
  kind: 'length',
  test(m, ctx) {
    const b = ctx.packet.bytes;
    // length_mt: ntohs(iph->tot_len). length_mt6: payload_len + 40 as a u32 (kernels before
    // 6.3 held it in a u16, so 40 + payload_len above 65535 wrapped to 0-39; since then it is
    // skb->len, the same value for any non-jumbo packet).
    const len = ctx.packet.decoded.family === 'ipv4' ? get16(b, 2) : get16(b, 4) + 40;
    return (len >= m.min && len <= m.max) !== m.invert;
  },
};
