// -j NFLOG (libxt_NFLOG): --nflog-group, --nflog-prefix, --nflog-range (stored, never used by
// the kernel), --nflog-size, --nflog-threshold. iptables-save prints prefix, group (unless 0),
// size or range, threshold (unless 0).

import type { NflogTarget } from '../../../ir/targets/NFLOG.js';
import { optional, type TargetExtension } from '../extension.js';
import { U32_MAX } from '../numbers.js';
import { saveString } from '../printer.js';
import { exclusive, uintOption } from '../xtables-options.js';
import { parsePrefix } from './LOG.js';

const DEFAULT_THRESHOLD = 0; // XT_NFLOG_DEFAULT_THRESHOLD in the kernel header iptables 1.8.9 uses
const PREFIX_SIZE = 64; // char prefix[64] in struct xt_nflog_info

export const nflogTarget: TargetExtension<NflogTarget> = {
  name: 'NFLOG',
  kinds: ['NFLOG'],
  options: [
    { name: 'nflog-group', arg: 'required' },
    { name: 'nflog-prefix', arg: 'required' },
    { name: 'nflog-range', arg: 'required' },
    { name: 'nflog-size', arg: 'required' },
    { name: 'nflog-threshold', arg: 'required' },
  ],
  build(uses, ctx) {
    let group = 0;
    let prefix: string | undefined;
    let len = 0;
    let threshold = DEFAULT_THRESHOLD;
    for (const use of uses) {
      switch (use.name) {
        case 'nflog-group':
          group = uintOption(use, ctx, 'NFLOG', 0, 0xffff, 'bare');
          break;
        case 'nflog-prefix':
          prefix = parsePrefix(use, ctx, PREFIX_SIZE);
          break;
        case 'nflog-range':
        case 'nflog-size':
          len = uintOption(use, ctx, 'NFLOG', 0, U32_MAX, 'bare');
          break;
        case 'nflog-threshold':
          threshold = uintOption(use, ctx, 'NFLOG', 0, 0xffff, 'bare');
          break;
      }
    }
    exclusive(uses, ['nflog-range', 'nflog-size'], ctx, 'NFLOG');
    const sized = uses.some((u) => u.name === 'nflog-size');
    const copy = sized
      ? { kind: 'size' as const, bytes: len }
      : len !== 0
        ? { kind: 'range' as const, bytes: len }
        : undefined;
    return { kind: 'NFLOG', group, ...optional('prefix', prefix), ...optional('copy', copy), threshold };
  },
  save(t) {
    const parts: string[] = [];
    if (t.prefix) parts.push(`--nflog-prefix ${saveString(t.prefix)}`);
    if (t.group !== 0) parts.push(`--nflog-group ${t.group}`);
    if (t.copy) parts.push(`--nflog-${t.copy.kind} ${t.copy.bytes}`);
    if (t.threshold !== DEFAULT_THRESHOLD) parts.push(`--nflog-threshold ${t.threshold}`);
    return parts.join(' ');
  },
};
