// -j SET (libxt_SET revision 3): --add-set NAME DIRS, --del-set NAME DIRS, --map-set NAME DIRS,
// --exist, --timeout N (with --add-set), --map-mark, --map-prio, --map-queue (with --map-set).
// DIRS is a comma list of src/dst, one per set dimension. iptables also asks the kernel for the
// set by name and refuses one that does not exist; nfwasm has no ipset definitions yet, so (like
// -m set) it refuses every set reference.

import type { SetRef, SetTarget } from '../../../ir/targets/SET.js';
import { type OptionUse, optional, type ParseContext, type TargetExtension } from '../extension.js';
import { parseUintInRange } from '../numbers.js';

const SET_NAME_MAX = 31; // IPSET_MAXNAMELEN - 1
const DIM_MAX = 6; // IPSET_DIM_MAX
/** The ipsets nfwasm knows of: none until ipset definitions can be read. */
const KNOWN_SETS: ReadonlySet<string> = new Set();

function parseSetRef(use: OptionUse, ctx: ParseContext): SetRef {
  const dirsTok = use.extra[0];
  if (!dirsTok || (!dirsTok.quoted && (dirsTok.text.startsWith('-') || dirsTok.text.startsWith('!')))) {
    ctx.error(use.at, `--${use.name} requires two args (a set name and src/dst flags)`);
  }
  const name = use.value!;
  if (Buffer.byteLength(name) > SET_NAME_MAX) {
    ctx.error(use.valueAt, `setname \`${name}' too long, max ${SET_NAME_MAX} characters.`);
  }
  // get_set_byname asks the kernel for the set before the directions are read.
  if (!KNOWN_SETS.has(name))
    ctx.error(use.valueAt, `Set ${name} doesn't exist. (nfwasm knows no ipsets yet)`);
  const parts = dirsTok!.text.split(',');
  if (parts.length > DIM_MAX) ctx.error(dirsTok, `Can't be more src/dst options than ${DIM_MAX}.`);
  const directions = parts.map((p) => {
    // parse_dirs compares only the first three characters.
    if (p.startsWith('src')) return 'src' as const;
    if (p.startsWith('dst')) return 'dst' as const;
    return ctx.error(dirsTok, "You must specify (the comma separated list of) 'src' or 'dst'.");
  });
  return { name, directions };
}

const FLAG_ONLY: readonly (readonly [string, string])[] = [
  ['exist', 'add-set'],
  ['timeout', 'add-set'],
  ['map-mark', 'map-set'],
  ['map-prio', 'map-set'],
  ['map-queue', 'map-set'],
];

export const setTarget: TargetExtension<SetTarget> = {
  name: 'SET',
  kinds: ['SET'],
  options: [
    { name: 'add-set', arg: 'required', extraArgs: 1 },
    { name: 'del-set', arg: 'required', extraArgs: 1 },
    { name: 'map-set', arg: 'required', extraArgs: 1 },
    { name: 'exist', arg: 'none', multi: true },
    { name: 'timeout', arg: 'required', multi: true },
    { name: 'map-mark', arg: 'none', multi: true },
    { name: 'map-prio', arg: 'none', multi: true },
    { name: 'map-queue', arg: 'none', multi: true },
  ],
  build(uses, ctx, at) {
    let add: SetRef | undefined;
    let del: SetRef | undefined;
    let map: SetRef | undefined;
    let timeout: number | undefined;
    for (const use of uses) {
      if (use.name === 'add-set') add = parseSetRef(use, ctx);
      else if (use.name === 'del-set') del = parseSetRef(use, ctx);
      else if (use.name === 'map-set') map = parseSetRef(use, ctx);
      else if (use.name === 'timeout') {
        const n = parseUintInRange(use.value!, 0, 0xfffffffe);
        if (n === undefined) {
          ctx.error(use.valueAt, `Invalid value for option --timeout or out of range 0-${0xfffffffe}`);
        }
        timeout = n;
      }
    }
    const has = (n: string) => uses.some((u) => u.name === n);
    if (!add && !del && !map) {
      ctx.error(at, "You must specify either `--add-set' or `--del-set' or `--map-set'");
    }
    for (const [flag, needs] of FLAG_ONLY) {
      const use = uses.find((u) => u.name === flag);
      if (use && !has(needs)) ctx.error(use.at, `\`--${flag}' can be used with \`--${needs}' only`);
    }
    if (map && !has('map-mark') && !has('map-prio') && !has('map-queue')) {
      ctx.error(at, "You must specify flags `--map-mark' or `--map-prio' or `--map-queue'");
    }
    return {
      kind: 'SET',
      ...optional('add', add),
      ...optional('del', del),
      ...optional('map', map),
      exist: has('exist'),
      ...optional('timeout', timeout),
      mapMark: has('map-mark'),
      mapPrio: has('map-prio'),
      mapQueue: has('map-queue'),
    };
  },
  save(t) {
    const parts: string[] = [];
    const ref = (opt: string, r: SetRef | undefined) => {
      if (r) parts.push(`--${opt} ${r.name} ${r.directions.join(',')}`);
    };
    ref('add-set', t.add);
    if (t.exist) parts.push('--exist');
    if (t.timeout !== undefined) parts.push(`--timeout ${t.timeout}`);
    ref('del-set', t.del);
    ref('map-set', t.map);
    if (t.mapMark) parts.push('--map-mark');
    if (t.mapPrio) parts.push('--map-prio');
    if (t.mapQueue) parts.push('--map-queue');
    return parts.join(' ');
  },
};
