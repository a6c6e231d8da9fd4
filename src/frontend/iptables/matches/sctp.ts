// -m sctp (libxt_sctp): [!] --sport/--source-port, [!] --dport/--destination-port,
// [!] --chunk-types {any|all|only} CHUNK[:FLAGS][,CHUNK[:FLAGS]...] | ALL | NONE.

import type { Negated, PortRange } from '../../../ir/common.js';
import type { SctpChunkFlagsTest, SctpChunkTest, SctpMatch } from '../../../ir/matches/sctp.js';
import { bang, type MatchExtension, type OptionUse, optional, type ParseContext } from '../extension.js';
import { formatPortRange } from '../ports.js';
import { portOption } from './tcp.js';

/** sctp_chunk_names as in iptables 1.8.9: name, chunk type, flag letters for bits 7..0. */
const CHUNKS: readonly (readonly [string, number, string])[] = [
  ['DATA', 0, '----IUBE'],
  ['INIT', 1, '--------'],
  ['INIT_ACK', 2, '--------'],
  ['SACK', 3, '--------'],
  ['HEARTBEAT', 4, '--------'],
  ['HEARTBEAT_ACK', 5, '--------'],
  ['ABORT', 6, '-------T'],
  ['SHUTDOWN', 7, '--------'],
  ['SHUTDOWN_ACK', 8, '--------'],
  ['ERROR', 9, '--------'],
  ['COOKIE_ECHO', 10, '--------'],
  ['COOKIE_ACK', 11, '--------'],
  ['ECN_ECNE', 12, '--------'],
  ['ECN_CWR', 13, '--------'],
  ['SHUTDOWN_COMPLETE', 14, '-------T'],
  ['I_DATA', 64, '----IUBE'],
  ['RE_CONFIG', 130, '--------'],
  ['PAD', 132, '--------'],
  ['ASCONF', 193, '--------'],
  ['ASCONF_ACK', 128, '--------'],
  ['FORWARD_TSN', 192, '--------'],
  ['I_FORWARD_TSN', 194, '--------'],
];

/** XT_NUM_SCTP_FLAGS: chunk types one rule can test flags of. */
const MAX_FLAG_TESTS = 4;

const MODES: Record<string, SctpChunkTest['mode']> = { any: 'any', all: 'all', only: 'only' };

function sctpPorts(use: OptionUse | undefined, ctx: ParseContext): Negated<PortRange> | undefined {
  if (!use) return undefined;
  // libxt_sctp keeps the test even for 0:65535 and prints it back.
  return portOption(use, ctx, 'sctp') ?? { value: { from: 0, to: 0xffff }, invert: false };
}

function parseChunks(use: OptionUse, ctx: ParseContext): SctpChunkTest {
  const mode = MODES[use.value!.toLowerCase()];
  if (!mode) ctx.error(use.valueAt, 'Match type has to be one of "ALL", "ANY" or "ONLY"');
  const listAt = use.extra[0]!;
  const list = listAt.text;
  if (list.toUpperCase() === 'ALL') {
    return { mode: mode!, types: Array.from({ length: 256 }, (_, i) => i), flags: [] };
  }
  if (list.toUpperCase() === 'NONE') return { mode: mode!, types: [], flags: [] };
  const types = new Set<number>();
  const flags: { chunkType: number; value: number; mask: number }[] = [];
  for (const item of list.split(',')) {
    if (item === '') continue;
    const colon = item.indexOf(':');
    const name = colon < 0 ? item : item.slice(0, colon);
    const index = CHUNKS.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    if (index < 0) {
      ctx.error(
        listAt,
        `Unknown sctp chunk \`${name}' (expected ${CHUNKS.map(([n]) => n).join(', ')}, ALL or NONE)`,
      );
    }
    const [, type, letters] = CHUNKS[index]!;
    types.add(type);
    if (colon < 0) continue;
    for (const ch of item.slice(colon + 1)) {
      const pos = letters.indexOf(ch.toUpperCase());
      if (pos < 0) ctx.error(listAt, `Invalid flags for chunk type ${index} (${name} takes ${letters})`);
      const bit = 1 << (7 - pos);
      // libxt_sctp records the flag test under the chunk's index in its name table, which is
      // what the kernel then compares with the chunk type.
      let test = flags.find((f) => f.chunkType === index);
      if (!test) {
        if (flags.length === MAX_FLAG_TESTS) {
          ctx.error(listAt, `Number of chunk types with flags exceeds the limit of ${MAX_FLAG_TESTS}`);
        }
        test = { chunkType: index, value: 0, mask: 0 };
        flags.push(test);
      }
      test.mask |= bit;
      if (ch >= 'A' && ch <= 'Z') test.value |= bit; // isupper: a capital letter means set
    }
  }
  const out: SctpChunkFlagsTest[] = flags;
  return { mode: mode!, types: [...types].sort((a, b) => a - b), flags: out };
}

function saveChunks(c: SctpChunkTest): string {
  if (c.types.length === 0) return `${c.mode} NONE`;
  if (c.types.length === 256) return `${c.mode} ALL`;
  const items = c.types.map((type) => {
    let s = CHUNKS.filter(([, t]) => t === type)
      .map(([n]) => n)
      .join('');
    for (const f of c.flags) {
      if (f.chunkType !== type || f.mask === 0) continue;
      // print_chunk_flags indexes the name table by chunk type (the same for types 0-14).
      const letters = CHUNKS[type]?.[2] ?? '--------';
      s += ':';
      for (let bit = 7; bit >= 0; bit--) {
        if (!(f.mask & (1 << bit))) continue;
        const letter = letters[7 - bit]!;
        s += f.value & (1 << bit) ? letter : letter.toLowerCase();
      }
    }
    return s;
  });
  return `${c.mode} ${items.join(',')}`;
}

export const sctpMatch: MatchExtension<SctpMatch> = {
  name: 'sctp',
  kinds: ['sctp'],
  kernelProtocol: 132,
  options: [
    { name: 'sport', aliases: ['source-port'], arg: 'required', invert: true },
    { name: 'dport', aliases: ['destination-port'], arg: 'required', invert: true },
    { name: 'chunk-types', arg: 'required', invert: true, extraArgs: 1 },
  ],
  build(uses, ctx) {
    const get = (n: string) => uses.find((u) => u.name === n);
    const chunks = get('chunk-types');
    return {
      kind: 'sctp',
      ...optional('sport', sctpPorts(get('sport'), ctx)),
      ...optional('dport', sctpPorts(get('dport'), ctx)),
      ...optional('chunks', chunks ? { value: parseChunks(chunks, ctx), invert: chunks.invert } : undefined),
    };
  },
  save(m) {
    const parts: string[] = [];
    if (m.sport) parts.push(`${bang(m.sport.invert)}--sport ${formatPortRange(m.sport.value)}`);
    if (m.dport) parts.push(`${bang(m.dport.invert)}--dport ${formatPortRange(m.dport.value)}`);
    if (m.chunks) parts.push(`${bang(m.chunks.invert)}--chunk-types ${saveChunks(m.chunks.value)}`);
    return parts.join(' ');
  },
};
