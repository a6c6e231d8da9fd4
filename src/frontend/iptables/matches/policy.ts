// -m policy (libxt_policy): --dir in|out, --pol none|ipsec, --strict, and per policy element
// [!] --reqid, [!] --spi, [!] --proto, [!] --mode, [!] --tunnel-src, [!] --tunnel-dst, with
// --next starting the next element.

import type { Negated } from '../../../ir/common.js';
import type { PolicyElement, PolicyMatch } from '../../../ir/matches/policy.js';
import { formatHostMask, parseHostMask } from '../addresses.js';
import { bang, type MatchExtension, type OptionUse, type ParseContext } from '../extension.js';
import { protocolName } from '../protocols.js';
import { checkDirectHook, hookProblem, protocolOption, uintOption } from '../xtables-options.js';

const MAX_ELEMENTS = 4; // XT_POLICY_MAX_ELEM

type MutableElement = { -readonly [K in keyof PolicyElement]: PolicyElement[K] };

function proto(use: OptionUse, ctx: ParseContext): number {
  const p = protocolOption(use, ctx);
  if (p !== 50 && p !== 51 && p !== 108)
    ctx.error(use.valueAt, 'policy match: protocol must be ah/esp/ipcomp');
  return p;
}

const FIELD_OF: Record<string, keyof PolicyElement> = {
  reqid: 'reqid',
  spi: 'spi',
  proto: 'protocol',
  mode: 'mode',
  'tunnel-src': 'tunnelSrc',
  'tunnel-dst': 'tunnelDst',
};

export const policyMatch: MatchExtension<PolicyMatch> = {
  name: 'policy',
  kinds: ['policy'],
  options: [
    { name: 'dir', arg: 'required' },
    { name: 'pol', arg: 'required' },
    { name: 'strict', arg: 'none' },
    { name: 'reqid', arg: 'required', invert: true, multi: true },
    { name: 'spi', arg: 'required', invert: true, multi: true },
    { name: 'tunnel-src', arg: 'required', invert: true, multi: true },
    { name: 'tunnel-dst', arg: 'required', invert: true, multi: true },
    { name: 'proto', arg: 'required', invert: true, multi: true },
    { name: 'mode', arg: 'required', invert: true, multi: true },
    { name: 'next', arg: 'none', multi: true },
  ],
  build(uses, ctx, at) {
    let direction: 'in' | 'out' | undefined;
    let policy: 'none' | 'ipsec' = 'ipsec';
    let strict = false;
    const elements: MutableElement[] = [{}];
    for (const use of uses) {
      const e = elements[elements.length - 1]!;
      const v = use.value!;
      switch (use.name) {
        case 'dir':
          if (v !== 'in' && v !== 'out')
            ctx.error(use.valueAt, `policy_match: invalid dir "${v}" (expected in or out)`);
          direction = v as 'in' | 'out';
          break;
        case 'pol':
          if (v !== 'none' && v !== 'ipsec')
            ctx.error(use.valueAt, `policy match: invalid policy "${v}" (expected none or ipsec)`);
          policy = v as 'none' | 'ipsec';
          break;
        case 'strict':
          strict = true;
          break;
        case 'next':
          if (elements.length === MAX_ELEMENTS)
            ctx.error(use.at, 'policy match: maximum policy depth reached');
          elements.push({});
          break;
        default: {
          const field = FIELD_OF[use.name]!;
          if (e[field] !== undefined) ctx.error(use.at, `policy match: double --${use.name} option`);
          let value: unknown;
          if (use.name === 'reqid' || use.name === 'spi')
            value = uintOption(use, ctx, 'policy', 0, 0xffffffff);
          else if (use.name === 'proto') value = proto(use, ctx);
          else if (use.name === 'mode') {
            if (v !== 'transport' && v !== 'tunnel')
              ctx.error(use.valueAt, `policy match: invalid mode "${v}" (expected transport or tunnel)`);
            value = v;
          } else value = parseHostMask(use, ctx, 'policy');
          (e as Record<string, Negated<unknown>>)[field] = { value, invert: use.invert };
        }
      }
    }
    const next = uses.find((u) => u.name === 'next');
    if (next && !strict) ctx.error(next.at, 'policy: option "--next" also requires "--strict".');
    if (!direction) ctx.error(at, 'policy match: neither --dir in nor --dir out specified');
    if (policy === 'none') {
      if (strict) ctx.error(at, 'policy match: policy none but --strict given');
      if (elements.length > 1) ctx.error(at, 'policy match: policy none but policy given');
    }
    const kept = policy === 'none' ? [] : elements;
    kept.forEach((e, i) => {
      if (strict && Object.keys(e).length === 0)
        ctx.error(
          at,
          `policy match: empty policy element ${i}. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.`,
        );
      // Without --mode the element's mode field is 0, which is transport.
      const tunnel = e.mode ? (e.mode.value === 'tunnel') !== e.mode.invert : false;
      if ((e.tunnelSrc || e.tunnelDst) && !tunnel)
        ctx.error(
          at,
          'policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode (add --mode tunnel)',
        );
    });
    if (direction === 'in') checkDirectHook(ctx, at, ['PREROUTING', 'INPUT', 'FORWARD'], 'policy --dir in');
    else checkDirectHook(ctx, at, ['FORWARD', 'OUTPUT', 'POSTROUTING'], 'policy --dir out');
    return { kind: 'policy', direction: direction!, policy, strict, elements: kept };
  },
  kernelCheck: (m, env) =>
    m.direction === 'in'
      ? hookProblem(env.hooks, ['PREROUTING', 'INPUT', 'FORWARD'], 'policy --dir in')
      : hookProblem(env.hooks, ['FORWARD', 'OUTPUT', 'POSTROUTING'], 'policy --dir out'),
  save(m, family) {
    const parts = [`--dir ${m.direction}`, `--pol ${m.policy}`];
    if (m.strict) parts.push('--strict');
    m.elements.forEach((e, i) => {
      if (e.reqid) parts.push(`${bang(e.reqid.invert)}--reqid ${e.reqid.value}`);
      if (e.spi) parts.push(`${bang(e.spi.invert)}--spi 0x${e.spi.value.toString(16)}`);
      if (e.protocol)
        parts.push(`${bang(e.protocol.invert)}--proto ${protocolName(e.protocol.value) ?? e.protocol.value}`);
      if (e.mode) parts.push(`${bang(e.mode.invert)}--mode ${e.mode.value}`);
      if (e.tunnelDst)
        parts.push(`${bang(e.tunnelDst.invert)}--tunnel-dst ${formatHostMask(e.tunnelDst.value, family)}`);
      if (e.tunnelSrc)
        parts.push(`${bang(e.tunnelSrc.invert)}--tunnel-src ${formatHostMask(e.tunnelSrc.value, family)}`);
      if (i + 1 < m.elements.length) parts.push('--next');
    });
    return parts.join(' ');
  },
};
