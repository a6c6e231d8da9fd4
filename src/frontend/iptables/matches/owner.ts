// -m owner (libxt_owner revision 1): [!] --socket-exists, [!] --uid-owner ID[-ID],
// [!] --gid-owner ID[-ID], --suppl-groups.

import type { Negated } from '../../../ir/common.js';
import type { IdRange, OwnerMatch } from '../../../ir/matches/owner.js';
import { bang, type MatchExtension, type OptionUse, type ParseContext } from '../extension.js';
import { xtStrtoul } from '../numbers.js';
import { checkDirectHook, hookProblem } from '../xtables-options.js';

/** Debian base-passwd's fixed users and groups (getpwnam / getgrnam without the local additions). */
const USERS: Record<string, number> = {
  root: 0,
  daemon: 1,
  bin: 2,
  sys: 3,
  sync: 4,
  games: 5,
  man: 6,
  lp: 7,
  mail: 8,
  news: 9,
  uucp: 10,
  proxy: 13,
  'www-data': 33,
  backup: 34,
  list: 38,
  irc: 39,
  nobody: 65534,
};
const GROUPS: Record<string, number> = {
  root: 0,
  daemon: 1,
  bin: 2,
  sys: 3,
  adm: 4,
  tty: 5,
  disk: 6,
  lp: 7,
  mail: 8,
  news: 9,
  uucp: 10,
  man: 12,
  proxy: 13,
  kmem: 15,
  dialout: 20,
  fax: 21,
  voice: 22,
  cdrom: 24,
  floppy: 25,
  tape: 26,
  sudo: 27,
  audio: 29,
  dip: 30,
  'www-data': 33,
  backup: 34,
  operator: 37,
  list: 38,
  irc: 39,
  src: 40,
  shadow: 42,
  utmp: 43,
  video: 44,
  sasl: 45,
  plugdev: 46,
  staff: 50,
  games: 60,
  users: 100,
  nogroup: 65534,
};

const ID_MAX = 0xfffffffen; // (uid_t)-1 is reserved

function parseIds(use: OptionUse, ctx: ParseContext, names: Record<string, number>): Negated<IdRange> {
  const arg = use.value!;
  const bad = (): never =>
    ctx.error(
      use.valueAt,
      `owner: Bad value for "--${use.name}" option: "${arg}" (expected a known name, an id or an id range FROM-TO)`,
    );
  let range: IdRange;
  if (Object.hasOwn(names, arg)) range = { from: names[arg]!, to: names[arg]! };
  else {
    const a = xtStrtoul(arg, 0n, ID_MAX) ?? bad();
    let to = a.value;
    let rest = a.rest;
    if (rest[0] === '-' || rest[0] === ':') {
      const b = xtStrtoul(rest.slice(1), 0n, ID_MAX) ?? bad();
      to = b.value;
      rest = b.rest;
    }
    if (rest !== '') bad();
    range = { from: Number(a.value), to: Number(to) };
  }
  if (range.from > range.to)
    ctx.error(
      use.valueAt,
      `owner: range ${range.from}-${range.to} of "--${use.name}" is reversed (the kernel refuses it)`,
    );
  return { value: range, invert: use.invert };
}

function formatIds(r: IdRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
}

export const ownerMatch: MatchExtension<OwnerMatch> = {
  name: 'owner',
  kinds: ['owner'],
  options: [
    { name: 'uid-owner', arg: 'required', invert: true },
    { name: 'gid-owner', arg: 'required', invert: true },
    { name: 'socket-exists', arg: 'none', invert: true },
    { name: 'suppl-groups', arg: 'none' },
  ],
  build(uses, ctx, at) {
    const m: { -readonly [K in keyof OwnerMatch]: OwnerMatch[K] } = { kind: 'owner' };
    for (const use of uses) {
      if (use.name === 'uid-owner') m.uid = parseIds(use, ctx, USERS);
      else if (use.name === 'gid-owner') m.gid = parseIds(use, ctx, GROUPS);
      else if (use.name === 'socket-exists') m.socketExists = { value: true, invert: use.invert };
      else if (use.name === 'suppl-groups') {
        if (!m.gid)
          ctx.error(
            use.at,
            'owner: Bad value for "--suppl-groups" option: "you need to use --gid-owner first"',
          );
        m.supplementaryGroups = true;
      }
    }
    if (uses.length === 0)
      ctx.error(at, 'owner: At least one of --uid-owner, --gid-owner or --socket-exists is required');
    checkDirectHook(ctx, at, ['OUTPUT', 'POSTROUTING'], 'the owner match');
    return m;
  },
  kernelCheck: (_m, env) => hookProblem(env.hooks, ['OUTPUT', 'POSTROUTING'], 'the owner match'),
  save(m) {
    const parts: string[] = [];
    if (m.socketExists) parts.push(`${bang(m.socketExists.invert)}--socket-exists`);
    if (m.uid) parts.push(`${bang(m.uid.invert)}--uid-owner ${formatIds(m.uid.value)}`);
    if (m.gid) parts.push(`${bang(m.gid.invert)}--gid-owner ${formatIds(m.gid.value)}`);
    if (m.supplementaryGroups) parts.push('--suppl-groups');
    return parts.join(' ');
  },
};
