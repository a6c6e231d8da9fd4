// -j CONNMARK (libxt_CONNMARK revision 2): --set-xmark/--set-mark value[/mask], --and-mark,
// --or-mark, --xor-mark, --save-mark, --restore-mark, --ctmask, --nfmask, --mask,
// --left-shift-mark, --right-shift-mark. Options apply in the order given (a later --ctmask
// overrides the mask of an earlier --set-mark and vice versa); iptables-save prints the
// kernel's fields: --set-xmark V/M, or --save-mark/--restore-mark with both masks.

import type { ConnmarkTarget, MarkShift } from '../../../ir/targets/CONNMARK.js';
import { optional, type TargetExtension } from '../extension.js';
import { hex, U32_MAX } from '../numbers.js';
import { exclusive, uintOption, valueMaskOption } from '../xtables-options.js';

const OPS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark', 'save-mark', 'restore-mark'];
const EXT = 'CONNMARK';

export const connmarkTarget: TargetExtension<ConnmarkTarget> = {
  name: 'CONNMARK',
  kinds: ['CONNMARK'],
  options: [
    { name: 'set-xmark', arg: 'required' },
    { name: 'set-mark', arg: 'required' },
    { name: 'and-mark', arg: 'required' },
    { name: 'or-mark', arg: 'required' },
    { name: 'xor-mark', arg: 'required' },
    { name: 'save-mark', arg: 'none' },
    { name: 'restore-mark', arg: 'none' },
    { name: 'left-shift-mark', arg: 'required' },
    { name: 'right-shift-mark', arg: 'required' },
    { name: 'ctmask', arg: 'required' },
    { name: 'nfmask', arg: 'required' },
    { name: 'mask', arg: 'required' },
  ],
  build(uses, ctx, at) {
    let mode: 'set' | 'save' | 'restore' | undefined;
    let ctmark = 0;
    let ctmask = U32_MAX;
    let nfmask = U32_MAX;
    let shiftDir: MarkShift['direction'] = 'left';
    let shiftBits = 0;
    let shiftUse: (typeof uses)[number] | undefined;
    const u32 = (use: (typeof uses)[number]) => uintOption(use, ctx, EXT, 0, U32_MAX, 'bare');
    for (const use of uses) {
      switch (use.name) {
        case 'set-xmark': {
          const mm = valueMaskOption(use, ctx, EXT, 'mark');
          mode = 'set';
          ctmark = mm.value;
          ctmask = mm.mask;
          break;
        }
        case 'set-mark': {
          const mm = valueMaskOption(use, ctx, EXT, 'mark');
          mode = 'set';
          ctmark = mm.value;
          ctmask = (mm.value | mm.mask) >>> 0;
          break;
        }
        case 'and-mark':
          mode = 'set';
          ctmark = 0;
          ctmask = ~u32(use) >>> 0;
          break;
        case 'or-mark':
          mode = 'set';
          ctmark = ctmask = u32(use);
          break;
        case 'xor-mark':
          mode = 'set';
          ctmark = u32(use);
          ctmask = 0;
          break;
        case 'save-mark':
          mode = 'save';
          break;
        case 'restore-mark':
          mode = 'restore';
          break;
        case 'mask':
          nfmask = ctmask = u32(use);
          break;
        case 'ctmask':
          ctmask = u32(use);
          break;
        case 'nfmask':
          nfmask = u32(use);
          break;
        case 'left-shift-mark':
        case 'right-shift-mark':
          shiftBits = uintOption(use, ctx, EXT, 0, 32, 'bare');
          shiftDir = use.name === 'left-shift-mark' ? 'left' : 'right';
          shiftUse = use;
          break;
      }
    }
    if (!mode) ctx.error(at, 'CONNMARK target: No operation specified');
    exclusive(uses, OPS, ctx, EXT);
    exclusive(uses, ['ctmask', 'mask'], ctx, EXT);
    exclusive(uses, ['nfmask', 'mask'], ctx, EXT);
    // xt_connmark connmark_tg_check: shift_bits must stay below 32.
    if (shiftBits > 31) {
      ctx.error(shiftUse!.valueAt, 'CONNMARK: the kernel refuses a shift of 32 bits (at most 31)');
    }
    const shift = shiftBits === 0 ? undefined : { direction: shiftDir, bits: shiftBits };
    if (mode === 'set') return { kind: 'CONNMARK', mode, value: ctmark, ctmask, ...optional('shift', shift) };
    return { kind: 'CONNMARK', mode: mode!, nfmask, ctmask, ...optional('shift', shift) };
  },
  save(t) {
    let s =
      t.mode === 'set'
        ? `--set-xmark ${hex(t.value)}/${hex(t.ctmask)}`
        : `--${t.mode}-mark --nfmask ${hex(t.nfmask)} --ctmask ${hex(t.ctmask)}`;
    if (t.shift) s += ` --${t.shift.direction}-shift-mark ${t.shift.bits}`;
    return s;
  },
};
