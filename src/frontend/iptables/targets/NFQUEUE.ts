// -j NFQUEUE (libxt_NFQUEUE revision 3): --queue-num N | --queue-balance FIRST:LAST,
// --queue-bypass, --queue-cpu-fanout (needs --queue-balance).

import type { NfqueueTarget } from '../../../ir/targets/NFQUEUE.js';
import type { OptionUse, ParseContext, TargetExtension } from '../extension.js';
import { parseUintInRange } from '../numbers.js';
import { exclusive, uintOption } from '../xtables-options.js';

/** xtopt_parse_mint for a uint16 range: empty ends default to 0 and 65535. */
function parseBalance(use: OptionUse, ctx: ParseContext): [number, number] {
  const parts = use.value!.split(':');
  if (parts.length > 2) {
    ctx.error(use.valueAt, `NFQUEUE: Too many components for option "--queue-balance" (max: 2)`);
  }
  if (parts.length !== 2) ctx.error(use.valueAt, `Bad range "${use.value}" (expected FIRST:LAST)`);
  const num = (text: string, dflt: number, min: number): number => {
    if (text === '') return dflt;
    const n = parseUintInRange(text, min, 0xffff);
    if (n === undefined) {
      ctx.error(
        use.valueAt,
        `NFQUEUE: bad value for option "--queue-balance" near "${text}", or out of range (${min}-65535)`,
      );
    }
    return n!;
  };
  const first = num(parts[0]!, 0, 0);
  const last = num(parts[1]!, 0xffff, first);
  if (first >= last) ctx.error(use.valueAt, `${first} should be less than ${last}`);
  return [first, last];
}

export const nfqueueTarget: TargetExtension<NfqueueTarget> = {
  name: 'NFQUEUE',
  kinds: ['NFQUEUE'],
  options: [
    { name: 'queue-num', arg: 'required' },
    { name: 'queue-balance', arg: 'required' },
    { name: 'queue-bypass', arg: 'none' },
    { name: 'queue-cpu-fanout', arg: 'none' },
  ],
  build(uses, ctx) {
    let queue = 0;
    let count = 1;
    for (const use of uses) {
      if (use.name === 'queue-num') queue = uintOption(use, ctx, 'NFQUEUE', 0, 0xffff, 'bare');
      else if (use.name === 'queue-balance') {
        const [first, last] = parseBalance(use, ctx);
        queue = first;
        count = last - first + 1;
        // queues_total is a u16: 0:65535 wraps to 0, which xt_NFQUEUE's check refuses.
        if (count > 0xffff)
          ctx.error(
            use.valueAt,
            'NFQUEUE: the kernel refuses a balance over all 65536 queues (number of total queues is 0)',
          );
      }
    }
    const fanout = uses.find((u) => u.name === 'queue-cpu-fanout');
    if (fanout && !uses.some((u) => u.name === 'queue-balance')) {
      ctx.error(fanout.at, 'NFQUEUE: option "--queue-cpu-fanout" also requires "--queue-balance"');
    }
    exclusive(uses, ['queue-num', 'queue-balance'], ctx, 'NFQUEUE');
    return {
      kind: 'NFQUEUE',
      queue,
      count,
      bypass: uses.some((u) => u.name === 'queue-bypass'),
      cpuFanout: fanout !== undefined,
    };
  },
  save(t) {
    let s = t.count > 1 ? `--queue-balance ${t.queue}:${t.queue + t.count - 1}` : `--queue-num ${t.queue}`;
    if (t.bypass) s += ' --queue-bypass';
    if (t.cpuFanout) s += ' --queue-cpu-fanout';
    return s;
  },
};
