// Sections into one table buffer: header, section directory (ascending ids), then each
// section's words in that order (docs/table-format.md).

import type { Family } from '../ir/address.js';
import {
  FORMAT_VERSION,
  HEADER,
  HEADER_FLAG_IPV6,
  HEADER_WORDS,
  MAGIC,
  SECTION_ENTRY_WORDS,
  type SectionId,
} from './format.js';

export interface TableSections {
  readonly words: ReadonlyMap<SectionId, Uint32Array>;
  readonly counts: ReadonlyMap<SectionId, number>;
}

export function assembleTable(family: Family, s: TableSections): ArrayBuffer {
  const ids = [...s.words.keys()].sort((a, b) => a - b);
  const dirWords = ids.length * SECTION_ENTRY_WORDS;
  let offset = HEADER_WORDS + dirWords;
  const placed = ids.map((id) => {
    const at = offset;
    offset += s.words.get(id)!.length;
    return at;
  });
  const out = new Uint32Array(offset);
  out[HEADER.MAGIC] = MAGIC;
  out[HEADER.VERSION] = FORMAT_VERSION;
  out[HEADER.FLAGS] = family === 'ipv6' ? HEADER_FLAG_IPV6 : 0;
  out[HEADER.BYTE_LENGTH] = offset * 4;
  out[HEADER.SECTION_COUNT] = ids.length;
  ids.forEach((id, i) => {
    const e = HEADER_WORDS + i * SECTION_ENTRY_WORDS;
    const w = s.words.get(id)!;
    out[e] = id;
    out[e + 1] = placed[i]! * 4;
    out[e + 2] = w.length * 4;
    out[e + 3] = s.counts.get(id) ?? 0;
    out.set(w, placed[i]!);
  });
  return out.buffer;
}
