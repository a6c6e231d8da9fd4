// -j MARK (libxt_MARK revision 2): --set-xmark value[/mask], --set-mark value[/mask],
// --and-mark bits, --or-mark bits, --xor-mark bits. iptables-save always prints the kernel's
// (value, mask) pair as --set-xmark.

import type { MarkTarget } from '../../../ir/targets/MARK.js';
import type { TargetExtension } from '../extension.js';
import { hex, U32_MAX } from '../numbers.js';
import { exclusive, uintOption, valueMaskOption } from '../xtables-options.js';

const OPS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'];

export const markTarget: TargetExtension<MarkTarget> = {
  name: 'MARK',
  kinds: ['MARK'],
  options: OPS.map((name) => ({ name, arg: 'required' as const })),
  build(uses, ctx, at) {
    let result: { value: number; mask: number } | undefined;
    for (const use of uses) {
      switch (use.name) {
        case 'set-xmark': {
          const { value, mask } = valueMaskOption(use, ctx, 'MARK', 'mark');
          result = { value, mask };
          break;
        }
        case 'set-mark': {
          const { value, mask } = valueMaskOption(use, ctx, 'MARK', 'mark');
          result = { value, mask: (value | mask) >>> 0 };
          break;
        }
        case 'and-mark':
          result = { value: 0, mask: ~uintOption(use, ctx, 'MARK', 0, U32_MAX, 'bare') >>> 0 };
          break;
        case 'or-mark': {
          const v = uintOption(use, ctx, 'MARK', 0, U32_MAX, 'bare');
          result = { value: v, mask: v };
          break;
        }
        case 'xor-mark':
          result = { value: uintOption(use, ctx, 'MARK', 0, U32_MAX, 'bare'), mask: 0 };
          break;
      }
    }
    if (!result) ctx.error(at, 'MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required');
    exclusive(uses, OPS, ctx, 'MARK');
    return { kind: 'MARK', value: result!.value, mask: result!.mask };
  },
  save: (t) => `--set-xmark ${hex(t.value)}/${hex(t.mask)}`,
};
