// -m recent (libxt_recent revision 1): [!] --set|--rcheck|--update|--remove, --seconds, --reap,
// --hitcount, --rttl, --name, --rsource/--rdest, --mask.

import { formatAddress, wordCount } from '../../../ir/address.js';
import type { RecentCommand, RecentMatch } from '../../../ir/matches/recent.js';
import { numericHost } from '../addresses.js';
import { bang, type MatchExtension, optional, single } from '../extension.js';
import { truncateBytes, uintOption } from '../xtables-options.js';

const COMMANDS: readonly (readonly [string, RecentCommand])[] = [
  ['set', 'set'],
  ['rcheck', 'check'],
  ['update', 'update'],
  ['remove', 'remove'],
];

const NAME_SIZE = 200; // XT_RECENT_NAME_LEN, including the terminating NUL
const MAX_HITCOUNT = 65535; // the kernel refuses hit_count >= XT_RECENT_MAX_NSTAMPS (65536)

export const recentMatch: MatchExtension<RecentMatch> = {
  name: 'recent',
  kinds: ['recent'],
  options: [
    { name: 'set', arg: 'none', invert: true },
    { name: 'rcheck', arg: 'none', invert: true },
    { name: 'update', arg: 'none', invert: true },
    { name: 'remove', arg: 'none', invert: true },
    { name: 'seconds', arg: 'required' },
    { name: 'reap', arg: 'none' },
    { name: 'hitcount', arg: 'required' },
    { name: 'rttl', arg: 'none' },
    { name: 'name', arg: 'required' },
    { name: 'rsource', arg: 'none' },
    { name: 'rdest', arg: 'none' },
    { name: 'mask', arg: 'required' },
  ],
  build(uses, ctx, at) {
    const cmds = uses.filter((u) => COMMANDS.some(([n]) => n === u.name));
    if (cmds.length === 0) {
      ctx.error(at, "recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
    }
    if (cmds.length > 1) {
      ctx.error(
        cmds[1]!.at,
        `recent: option "--${cmds[0]!.name}" cannot be used together with "--${cmds[1]!.name}"`,
      );
    }
    const cmd = cmds[0]!;
    const command = COMMANDS.find(([n]) => n === cmd.name)![1];
    const rttl = single(uses, 'rttl');
    if (rttl && (command === 'set' || command === 'remove')) {
      ctx.error(rttl.at, `recent: option "--rttl" cannot be used together with "--${cmd.name}"`);
    }
    const reap = single(uses, 'reap');
    const secondsUse = single(uses, 'seconds');
    if (reap && !secondsUse) ctx.error(reap.at, 'recent: option "--reap" also requires "--seconds"');
    const seconds = secondsUse ? uintOption(secondsUse, ctx, 'recent', 1, 0xffffffff, 'quoted') : undefined;
    const hitUse = single(uses, 'hitcount');
    const hits = hitUse ? uintOption(hitUse, ctx, 'recent', 0, 0xffffffff, 'quoted') : 0;
    const nameUse = single(uses, 'name');
    const name = nameUse ? truncateBytes(nameUse.value!, NAME_SIZE) : 'DEFAULT';
    let side: RecentMatch['side'] = 'source';
    for (const u of uses) {
      if (u.name === 'rsource') side = 'source';
      if (u.name === 'rdest') side = 'destination';
    }
    const maskUse = single(uses, 'mask');
    let mask: number[] = new Array(wordCount(ctx.family)).fill(0xffffffff);
    if (maskUse) {
      // XTTYPE_HOST for a mask: one numeric address of the family.
      const m = numericHost(ctx.family, maskUse.value!);
      if (!m) {
        ctx.error(
          maskUse.valueAt,
          `recent: bad mask "${maskUse.value}" (expected a numeric ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address such as ${ctx.family === 'ipv4' ? '255.255.255.0' : 'ffff:ffff::'})`,
        );
      }
      mask = m!;
    }
    return {
      kind: 'recent',
      command,
      invert: cmds.some((c) => c.invert),
      ...optional('seconds', seconds),
      reap: reap !== undefined,
      ...optional('hitCount', hits === 0 ? undefined : hits),
      ttl: rttl !== undefined,
      name,
      side,
      mask,
    };
  },
  save(m, family) {
    const flag = COMMANDS.find(([, c]) => c === m.command)![0];
    const parts = [`${bang(m.invert)}--${flag}`];
    if (m.seconds !== undefined) parts.push(`--seconds ${m.seconds}`);
    if (m.reap) parts.push('--reap');
    if (m.hitCount !== undefined) parts.push(`--hitcount ${m.hitCount}`);
    if (m.ttl) parts.push('--rttl');
    parts.push(`--name ${m.name}`, `--mask ${formatAddress(family, m.mask)}`);
    parts.push(m.side === 'source' ? '--rsource' : '--rdest');
    return parts.join(' ');
  },
  kernelCheck(m) {
    if (
      (m.command === 'set' || m.command === 'remove') &&
      (m.seconds !== undefined || m.hitCount !== undefined || m.ttl || m.reap)
    ) {
      return `recent: --seconds, --hitcount, --rttl and --reap only work with --rcheck or --update, not --${m.command === 'set' ? 'set' : 'remove'}`;
    }
    if ((m.hitCount ?? 0) > MAX_HITCOUNT) {
      return `recent: --hitcount ${m.hitCount} is too large (the kernel remembers at most ${MAX_HITCOUNT} packets per address)`;
    }
    if (m.name === '' || m.name.includes('/') || m.name === '.' || m.name === '..') {
      return `recent: "${m.name}" cannot be a list name (it names a file in /proc/net/xt_recent: not empty, no '/', not . or ..)`;
    }
    return undefined;
  },
};
