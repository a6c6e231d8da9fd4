// Loading a table from bytes (a file written by `nfwasm compile -o`, or compile()'s own output):
// every header field, section bound, record count and cross-reference is checked here, so the
// interpreter and the engines can trust offsets without re-checking them per packet.

import type { CompiledTable } from './compiled-table.js';
import {
  ACTION_KINDS,
  BOX_WORDS,
  CHAIN,
  FORMAT_VERSION,
  HEADER,
  HEADER_FLAG_IPV6,
  HEADER_WORDS,
  INDEX,
  IndexKind,
  MAGIC,
  MAX_TREES,
  NONE,
  RECORD_WORDS,
  RULE,
  SECTION_ENTRY_WORDS,
  SECTION_NAMES,
  Section,
  type SectionId,
  SLOT_WORDS,
  TREE,
  TREE_DIMS,
  TREE_LEAF,
  TREE_NODE_WORDS,
  UNSUPPORTED_ACTION,
  Verdict,
} from './format.js';
import { decodeStrings } from './string-table.js';

export class TableFormatError extends Error {
  override readonly name = 'TableFormatError';
}

/** A rule's op slots at most (the kernel's rules are far smaller: a u16 next_offset). */
const MAX_RULE_OP_SLOTS = 0xffffff;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const FIXED: Partial<Record<SectionId, number>> = {
  [Section.SOURCES]: RECORD_WORDS.SOURCE,
  [Section.TABLES]: RECORD_WORDS.TABLE,
  [Section.CHAINS]: RECORD_WORDS.CHAIN,
  [Section.HOOKS]: RECORD_WORDS.HOOK,
  [Section.RULES]: RECORD_WORDS.RULE,
  [Section.OPS]: SLOT_WORDS,
  [Section.ACTIONS]: RECORD_WORDS.ACTION,
  [Section.NAT_RANGES]: RECORD_WORDS.NAT_RANGE,
  [Section.STATE_SLOTS]: RECORD_WORDS.STATE_SLOT,
};

function fail(what: string): never {
  throw new TableFormatError(`not a valid nfwasm table: ${what}`);
}

function check(ok: boolean, what: () => string): void {
  if (!ok) fail(what());
}

function words(bytes: ArrayBuffer | Uint8Array): Uint32Array {
  if (bytes instanceof Uint8Array) {
    // A file's bytes may start anywhere in a pooled buffer: copy to an aligned one.
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return words(copy.buffer);
  }
  check(bytes.byteLength >= HEADER_WORDS * 4, () => `${bytes.byteLength} bytes is shorter than the header`);
  check(bytes.byteLength % 4 === 0, () => `length ${bytes.byteLength} is not a whole number of words`);
  return new Uint32Array(bytes);
}

export function loadTable(bytes: ArrayBuffer | Uint8Array): CompiledTable {
  if (!LITTLE_ENDIAN) throw new TableFormatError('tables are little-endian and this host is not');
  const all = words(bytes);
  check(
    all[HEADER.MAGIC] === MAGIC,
    () => `bad magic 0x${all[HEADER.MAGIC]!.toString(16)} (expected "NFWC")`,
  );
  const version = all[HEADER.VERSION]!;
  check(
    version === FORMAT_VERSION,
    () => `format version ${version}, this nfwasm reads version ${FORMAT_VERSION}`,
  );
  check(
    all[HEADER.BYTE_LENGTH] === all.byteLength,
    () => `truncated: the header says ${all[HEADER.BYTE_LENGTH]} bytes, there are ${all.byteLength}`,
  );
  const n = all[HEADER.SECTION_COUNT]!;
  check(
    HEADER_WORDS + n * SECTION_ENTRY_WORDS <= all.length,
    () => `section directory of ${n} entries is truncated`,
  );
  const sections = {} as Record<SectionId, Uint32Array>;
  const counts = {} as Record<SectionId, number>;
  for (let i = 0; i < n; i++) {
    const e = HEADER_WORDS + i * SECTION_ENTRY_WORDS;
    const id = all[e]! as SectionId;
    const off = all[e + 1]!;
    const len = all[e + 2]!;
    const name = SECTION_NAMES[id] ?? `#${id}`;
    check(SECTION_NAMES[id] !== undefined, () => `unknown section id ${id}`);
    check(sections[id] === undefined, () => `section ${name} appears twice`);
    check(off % 4 === 0 && len % 4 === 0, () => `section ${name} is not word-aligned`);
    check(off + len <= all.byteLength, () => `section ${name} runs past the end (truncated?)`);
    sections[id] = all.subarray(off / 4, (off + len) / 4);
    counts[id] = all[e + 3]!;
    const rec = FIXED[id];
    if (rec !== undefined)
      check(
        counts[id] * rec === sections[id].length,
        () => `section ${name}: ${counts[id]} records do not fill it`,
      );
  }
  for (const id of Object.values(Section))
    check(sections[id] !== undefined, () => `section ${SECTION_NAMES[id]} is missing`);
  const s = sections[Section.STRINGS];
  const sc = s[0] ?? 0;
  check(s.length >= sc + 2, () => 'STRINGS offsets are truncated');
  for (let i = 0; i <= sc; i++)
    check(
      (i === 0 || s[1 + i]! >= s[i]!) && s[1 + i]! <= (s.length - sc - 2) * 4,
      () => `STRINGS offset ${i} out of order or past the end`,
    );
  const strings = decodeStrings(s);
  let ids: Map<string, number> | null = null;
  const table: CompiledTable = {
    buffer: all.buffer as ArrayBuffer,
    family: all[HEADER.FLAGS]! & HEADER_FLAG_IPV6 ? 'ipv6' : 'ipv4',
    version,
    strings,
    sections,
    counts,
    // Built on first use: only engines mapping interface names need it.
    get stringIds() {
      if (!ids) {
        ids = new Map();
        for (let i = strings.length - 1; i >= 0; i--) ids.set(strings[i]!, i);
      }
      return ids;
    },
  };
  checkReferences(table);
  return table;
}

function checkReferences(t: CompiledTable): void {
  const c = t.counts;
  const str = (id: number, where: string) =>
    check(id < t.strings.length, () => `${where}: string ${id} out of range`);
  const rules = t.sections[Section.RULES];
  const chains = t.sections[Section.CHAINS];
  const ops = t.sections[Section.OPS];
  const src = t.sections[Section.SOURCES];
  // Once per source and chain of large tables: no message (string, closure) is made unless a
  // check fails.
  const nStrings = t.strings.length;
  for (let i = 0; i < c[Section.SOURCES]; i++) {
    if (src[i * 3]! >= nStrings) str(src[i * 3]!, `source ${i}`);
    if (src[i * 3 + 2]! >= nStrings) str(src[i * 3 + 2]!, `source ${i}`);
  }
  for (let i = 0; i < c[Section.CHAINS]; i++) {
    const w = i * RECORD_WORDS.CHAIN;
    if (chains[w + CHAIN.NAME]! >= nStrings) str(chains[w + CHAIN.NAME]!, `chain ${i}`);
    if (chains[w + CHAIN.TABLE]! >= c[Section.TABLES]) fail(`chain ${i}: table out of range`);
    if (chains[w + CHAIN.FIRST_RULE]! + chains[w + CHAIN.RULE_COUNT]! > c[Section.RULES])
      fail(`chain ${i}: rules out of range`);
    const sIdx = chains[w + CHAIN.SOURCE]!;
    if (sIdx !== NONE && sIdx >= c[Section.SOURCES]) fail(`chain ${i}: source out of range`);
  }
  const hooks = t.sections[Section.HOOKS];
  for (let i = 0; i < c[Section.HOOKS]; i++)
    check(hooks[i * 4 + 3]! < c[Section.CHAINS], () => `hook entry ${i}: chain out of range`);
  // Constants copied to locals: this loop runs once per rule and per op of large tables.
  const slots = c[Section.OPS];
  const ruleWords = RECORD_WORDS.RULE;
  const slotWords = SLOT_WORDS;
  const [JUMP, GOTO, ACTION] = [Verdict.JUMP, Verdict.GOTO, Verdict.ACTION];
  const [nChains, nActions, nSources] = [c[Section.CHAINS], c[Section.ACTIONS], c[Section.SOURCES]];
  const [OP_START, OP_SLOTS, VERDICT, ARG, SOURCE, CHAIN_OF] = [
    RULE.OP_START,
    RULE.OP_SLOTS,
    RULE.VERDICT,
    RULE.VERDICT_ARG,
    RULE.SOURCE,
    RULE.CHAIN,
  ];
  for (let i = 0; i < c[Section.RULES]; i++) {
    const w = i * ruleWords;
    const start = rules[w + OP_START]!;
    const end = start + rules[w + OP_SLOTS]!;
    if (end > slots) fail(`rule ${i}: ops out of range`);
    // The WebAssembly walk packs a rule's op slot count into 24 bits (assembly/table.ts).
    if (rules[w + OP_SLOTS]! > MAX_RULE_OP_SLOTS) fail(`rule ${i}: more than ${MAX_RULE_OP_SLOTS} op slots`);
    for (let s = start; s < end; ) {
      const size = ops[s * slotWords]! >>> 24;
      if (size === 0 || s + size > end) fail(`rule ${i}: op at slot ${s} overruns its rule`);
      s += size;
    }
    const v = rules[w + VERDICT]!;
    const arg = rules[w + ARG]!;
    if (v > ACTION) fail(`rule ${i}: unknown verdict ${v}`);
    if ((v === JUMP || v === GOTO) && arg >= nChains) fail(`rule ${i}: jump to chain ${arg} out of range`);
    if (v === ACTION && arg >= nActions) fail(`rule ${i}: action ${arg} out of range`);
    if (rules[w + SOURCE]! >= nSources) fail(`rule ${i}: source out of range`);
    if (rules[w + CHAIN_OF]! >= nChains) fail(`rule ${i}: chain out of range`);
  }
  const actions = t.sections[Section.ACTIONS];
  const params = t.sections[Section.PARAMS].length;
  for (let i = 0; i < c[Section.ACTIONS]; i++) {
    const kind = actions[i * 4]!;
    const off = actions[i * 4 + 1]!;
    const len = actions[i * 4 + 2]!;
    const nat = actions[i * 4 + 3]!;
    if (kind === UNSUPPORTED_ACTION) str(off, `action ${i}`);
    else {
      if (kind >= ACTION_KINDS.length) fail(`action ${i}: unknown kind ${kind}`);
      if (off + len > params) fail(`action ${i}: parameters out of range`);
      if (nat !== NONE && nat >= c[Section.NAT_RANGES]) fail(`action ${i}: NAT range out of range`);
    }
  }
  const idx = t.sections[Section.INDEXES];
  check(idx.length >= 1 + (idx[0] ?? 0) * RECORD_WORDS.INDEX, () => 'INDEXES records are truncated');
  for (let i = 0; i < (idx[0] ?? 0); i++) {
    const r = 1 + i * RECORD_WORDS.INDEX;
    check(
      idx[r + INDEX.RUN_START]! <= idx[r + INDEX.RUN_END]! && idx[r + INDEX.RUN_END]! <= c[Section.RULES],
      () => `index ${i}: run out of range`,
    );
    const kind = idx[r + INDEX.KIND]!;
    check(kind === IndexKind.EXACT || kind === IndexKind.TREE, () => `index ${i}: unknown kind ${kind}`);
    if (kind === IndexKind.TREE) {
      checkTree(idx, r, i);
      const boxesEnd =
        idx[r + TREE.BOXES]! + (idx[r + INDEX.RUN_END]! - idx[r + INDEX.RUN_START]!) * BOX_WORDS;
      check(boxesEnd <= idx.length, () => `index ${i}: rule boxes out of range`);
    } else
      check(
        idx[r + INDEX.SLOTS]! < idx.length && idx[r + INDEX.DESCRIPTORS]! < idx.length,
        () => `index ${i}: out of range`,
      );
  }
}

/** A TREE record's roots and nodes lie in the section, children after their parent, leaf lists too. */
function checkTree(idx: Uint32Array, r: number, i: number): void {
  const roots = idx[r + TREE.ROOTS]!;
  const trees = idx[r + TREE.TREES]!;
  check(
    trees >= 1 && trees <= MAX_TREES && roots + trees <= idx.length,
    () => `index ${i}: tree roots out of range`,
  );
  // Nodes are laid out tree after tree, each preorder; descents only move forward.
  for (let k = 0; k < trees; k++) {
    const seen = new Set<number>([idx[roots + k]!]);
    const stack = [idx[roots + k]!];
    while (stack.length > 0) {
      const n = stack.pop()!;
      check(n + TREE_NODE_WORDS <= idx.length, () => `index ${i}: tree node out of range`);
      if (idx[n] === TREE_LEAF) {
        check(idx[n + 1]! + idx[n + 2]! <= idx.length, () => `index ${i}: tree leaf list out of range`);
        continue;
      }
      check(
        idx[n]! < TREE_DIMS.length && idx[n + 2]! > n && idx[n + 3]! > n,
        () => `index ${i}: bad tree node at word ${n}`,
      );
      for (const c of [idx[n + 2]!, idx[n + 3]!])
        if (!seen.has(c)) {
          seen.add(c);
          stack.push(c);
        }
    }
  }
}
