// A loaded table: the buffer, a typed view of each section, and the decoded strings. Produced
// only by load() (compile() loads what it wrote), so every offset in it has been checked.

import type { Family } from '../ir/address.js';
import type { SectionId } from './format.js';

export interface CompiledTable {
  /** The whole table, as written to a file. */
  readonly buffer: ArrayBuffer;
  readonly family: Family;
  readonly version: number;
  readonly strings: readonly string[];
  /** Each section's words (STRINGS included, undecoded). */
  readonly sections: Readonly<Record<SectionId, Uint32Array>>;
  /** Record counts from the section directory. */
  readonly counts: Readonly<Record<SectionId, number>>;
  /** Interface name → string id, for the engines' packet interface ids. */
  readonly stringIds: ReadonlyMap<string, number>;
}
