// sctp: ports and chunk types of an SCTP packet (kernel xt_sctp, struct xt_sctp_info).

import type { Negated, PortRange } from '../common.js';

/** Flags of one chunk type tested as (flags & mask) === value. */
export interface SctpChunkFlagsTest {
  /** Chunk type the test applies to (0-255). */
  readonly chunkType: number;
  readonly value: number;
  readonly mask: number;
}

export interface SctpChunkTest {
  /** any: one of the chunks is present; all: every one is present; only: no other chunk type is present. */
  readonly mode: 'any' | 'all' | 'only';
  /** Chunk types (0-255), ascending; all 256 when every type was asked for. */
  readonly types: readonly number[];
  /** Per-chunk-type flag tests (at most 4). */
  readonly flags: readonly SctpChunkFlagsTest[];
}

export interface SctpMatch {
  readonly kind: 'sctp';
  /** Present whenever the rule gave it, even as 0:65535 (the kernel tests it either way). */
  readonly sport?: Negated<PortRange>;
  readonly dport?: Negated<PortRange>;
  readonly chunks?: Negated<SctpChunkTest>;
}

declare module '../match.js' {
  interface MatchKinds {
    sctp: SctpMatch;
  }
}
