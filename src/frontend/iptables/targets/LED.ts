// -j LED --led-trigger-id ID [--led-delay MS|inf] [--led-always-blink] (libxt_LED).
// iptables-save always double-quotes the id and prints the delay with %d, so "inf" (stored as
// 0xffffffff) prints as -1.

import type { LedTarget } from '../../../ir/targets/LED.js';
import type { TargetExtension } from '../extension.js';
import { parseUintInRange, U32_MAX } from '../numbers.js';

const ID_MAX = 27 - 11; // char id[27] less "netfilter-" and its NUL

export const ledTarget: TargetExtension<LedTarget> = {
  name: 'LED',
  kinds: ['LED'],
  options: [
    { name: 'led-trigger-id', arg: 'required' },
    { name: 'led-delay', arg: 'required' },
    { name: 'led-always-blink', arg: 'none' },
  ],
  build(uses, ctx, at) {
    const id = uses.find((u) => u.name === 'led-trigger-id');
    if (!id) ctx.error(at, 'LED: option "--led-trigger-id" must be specified');
    if (Buffer.byteLength(id!.value!) > ID_MAX) {
      ctx.error(id!.valueAt, `LED: Argument must have a maximum length of ${ID_MAX} characters`);
    }
    let delay: number | 'infinite' = 0;
    const d = uses.find((u) => u.name === 'led-delay');
    if (d) {
      if (d.value!.slice(0, 3).toLowerCase() === 'inf') delay = 'infinite';
      else {
        const n = parseUintInRange(d.value!, 0, U32_MAX);
        if (n === undefined) ctx.error(d.valueAt, `Delay value must be within range 0..${U32_MAX} or "inf"`);
        delay = n === U32_MAX ? 'infinite' : n!;
      }
    }
    return {
      kind: 'LED',
      triggerId: id!.value!,
      delay,
      alwaysBlink: uses.some((u) => u.name === 'led-always-blink'),
    };
  },
  save(t) {
    let s = `--led-trigger-id "${t.triggerId.replace(/["\\]/g, (c) => `\\${c}`)}"`;
    if (t.delay === 'infinite') s += ' --led-delay -1';
    else if (t.delay !== 0) s += ` --led-delay ${t.delay | 0}`;
    if (t.alwaysBlink) s += ' --led-always-blink';
    return s;
  },
};
