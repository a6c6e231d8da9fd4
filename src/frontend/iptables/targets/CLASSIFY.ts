// -j CLASSIFY --set-class MAJOR:MINOR (libxt_CLASSIFY): both hexadecimal, read with
// sscanf("%x:%x") (so trailing text after the minor number is ignored); printed as %.4x:%.4x.

import type { ClassifyTarget } from '../../../ir/targets/CLASSIFY.js';
import type { TargetExtension } from '../extension.js';

/** One scanf %x conversion at `text[pos]`: the unsigned 32-bit value and where it stopped. */
function scanHex(text: string, pos: number): { value: number; end: number } | undefined {
  const m = /^\s*([+-]?)(?:0[xX])?([0-9a-fA-F]+)/.exec(text.slice(pos));
  if (!m) return undefined;
  let v = BigInt(`0x${m[2]}`);
  if (v > 0xffffffffffffffffn) v = 0xffffffffffffffffn; // strtoul saturates
  if (m[1] === '-') v = -v;
  return { value: Number(BigInt.asUintN(32, v)), end: pos + m[0].length };
}

export const classifyTarget: TargetExtension<ClassifyTarget> = {
  name: 'CLASSIFY',
  kinds: ['CLASSIFY'],
  // xt_CLASSIFY: .table = "mangle", LOCAL_OUT | FORWARD | POST_ROUTING.
  tables: ['mangle'],
  hooks: ['OUTPUT', 'FORWARD', 'POSTROUTING'],
  options: [{ name: 'set-class', arg: 'required' }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'set-class');
    if (!use) ctx.error(at, 'CLASSIFY: option "--set-class" must be specified');
    const text = use!.value!;
    const major = scanHex(text, 0);
    const minor = major && text[major.end] === ':' ? scanHex(text, major.end + 1) : undefined;
    if (!major || !minor) ctx.error(use!.valueAt, `Bad class value "${text}" (expected MAJOR:MINOR in hex)`);
    // TC_H_MAKE(major << 16, minor): both cut to 16 bits.
    return { kind: 'CLASSIFY', major: major!.value & 0xffff, minor: minor!.value & 0xffff };
  },
  save: (t) =>
    `--set-class ${t.major.toString(16).padStart(4, '0')}:${t.minor.toString(16).padStart(4, '0')}`,
};
