// The compiled table as the WebAssembly module holds it: every section as written, except that
// STRINGS keeps the bytes of only the strings the module reads, the names that wildcard
// interface tests (`-i veth+`) compare a packet's interface against. Comments and rule source
// text stay on the host, which explains with them: they were 25.7 of the 40.7 MB of a kube-proxy
// table with 10k services, copied into every engine's memory (each worker's included). String
// ids do not change, so every op still names the same string.

import { assembleTable } from '../../compiler/assemble.js';
import type { CompiledTable } from '../../compiler/compiled-table.js';
import {
  OP_FLAG_WILDCARD,
  Op,
  RECORD_WORDS,
  RULE,
  Section,
  type SectionId,
  SLOT_WORDS,
} from '../../compiler/format.js';

/** String ids whose bytes the module compares: the names of wildcard IFACE ops. */
export function stringsReadInWasm(table: CompiledTable): Set<number> {
  const ids = new Set<number>();
  const rules = table.sections[Section.RULES];
  const ops = table.sections[Section.OPS];
  for (let r = 0; r < table.counts[Section.RULES]; r++) {
    const w = r * RECORD_WORDS.RULE;
    // Every op of a rule, those inside a BLOCK included, starts a slot run of its own.
    let at = rules[w + RULE.OP_START]! * SLOT_WORDS;
    const end = at + rules[w + RULE.OP_SLOTS]! * SLOT_WORDS;
    while (at < end) {
      const h = ops[at]!;
      if ((h & 0xff) === Op.IFACE && ((h >>> 8) & OP_FLAG_WILDCARD) !== 0) ids.add(ops[at + 2]!);
      at += Math.max(1, h >>> 24) * SLOT_WORDS;
    }
  }
  return ids;
}

/** STRINGS with the same count and ids, holding the bytes of `keep` only (the others empty). */
function trimmedStrings(words: Uint32Array, keep: ReadonlySet<number>): Uint32Array {
  const count = words[0]!;
  const blob = new Uint8Array(words.buffer, words.byteOffset + (count + 2) * 4, words[count + 1]!);
  let bytes = 0;
  for (const id of keep) bytes += words[2 + id]! - words[1 + id]!;
  const out = new Uint32Array(count + 2 + Math.ceil(bytes / 4));
  const outBlob = new Uint8Array(out.buffer, (count + 2) * 4);
  out[0] = count;
  let off = 0;
  for (let i = 0; i < count; i++) {
    out[1 + i] = off;
    if (!keep.has(i)) continue;
    const from = words[1 + i]!;
    const to = words[2 + i]!;
    outBlob.set(blob.subarray(from, to), off);
    off += to - from;
  }
  out[count + 1] = off;
  return out;
}

/** The bytes to copy into the module's memory for `table` (loadTable reads them there). */
export function wasmTableImage(table: CompiledTable): Uint8Array {
  const words = new Map<SectionId, Uint32Array>();
  const counts = new Map<SectionId, number>();
  for (const [key, w] of Object.entries(table.sections)) {
    const id = Number(key) as SectionId;
    words.set(id, id === Section.STRINGS ? trimmedStrings(w, stringsReadInWasm(table)) : w);
    counts.set(id, table.counts[id]);
  }
  return new Uint8Array(assembleTable(table.family, { words, counts }));
}
