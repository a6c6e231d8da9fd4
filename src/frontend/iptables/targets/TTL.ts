// -j TTL --ttl-set N | --ttl-dec N | --ttl-inc N (libipt_TTL.c, IPv4 only). HL.ts reuses the
// builder for ip6tables' --hl-set/--hl-dec/--hl-inc.

import type { Family } from '../../../ir/address.js';
import type { HlTarget } from '../../../ir/targets/HL.js';
import type { HopCountMode, TtlTarget } from '../../../ir/targets/TTL.js';
import type { TargetExtension } from '../extension.js';
import { parseUintInRange } from '../numbers.js';

const MODES: readonly HopCountMode[] = ['set', 'dec', 'inc'];

/** TTL (prefix 'ttl') or HL (prefix 'hl'): one of three mutually exclusive options. */
export function hopCountTarget<K extends 'TTL' | 'HL'>(
  name: K,
  prefix: string,
  family: Family,
): TargetExtension<K extends 'TTL' ? TtlTarget : HlTarget> {
  type T = K extends 'TTL' ? TtlTarget : HlTarget;
  return {
    name,
    kinds: [name] as unknown as readonly T['kind'][],
    families: [family],
    tables: ['mangle'],
    options: MODES.map((m) => ({ name: `${prefix}-${m}`, arg: 'required' as const })),
    build(uses, ctx, at) {
      const given = MODES.filter((m) => uses.some((u) => u.name === `${prefix}-${m}`));
      if (given.length === 0) {
        ctx.error(
          at,
          `${name}: You must specify an action (--${prefix}-set, --${prefix}-dec or --${prefix}-inc)`,
        );
      }
      if (given.length > 1) {
        const later = uses.find((u) => u.name === `${prefix}-${given[1]}`)!;
        ctx.error(
          later.at,
          `${name}: option "--${prefix}-${given[0]}" cannot be used together with "--${prefix}-${given[1]}".`,
        );
      }
      const mode = given[0]!;
      const use = uses.find((u) => u.name === `${prefix}-${mode}`)!;
      const min = mode === 'set' ? 0 : 1;
      const value = parseUintInRange(use.value!, min, 255);
      if (value === undefined) {
        ctx.error(
          use.valueAt,
          `${name}: bad value for option "--${use.name}", or out of range (${min}-255).`,
        );
      }
      return { kind: name, mode, value: value! } as T;
    },
    save(t) {
      return `--${prefix}-${t.mode} ${t.value}`;
    },
  };
}

export const ttlTarget: TargetExtension<TtlTarget> = hopCountTarget('TTL', 'ttl', 'ipv4');
