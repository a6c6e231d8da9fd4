// set: membership of packet fields in an ipset (kernel xt_set match revision 4).

/** Which address/port of the packet each dimension of the set is looked up with. */
export type SetDirection = 'src' | 'dst';

/** A counter test: eq/ne/lt/gt against value (absent: none). */
export interface SetCounterTest {
  readonly op: 'eq' | 'ne' | 'lt' | 'gt';
  readonly value: bigint;
}

export interface SetMatch {
  readonly kind: 'set';
  /** Name of the ipset (at most 31 bytes). */
  readonly setName: string;
  /** One entry per dimension of the set, in order. */
  readonly directions: readonly SetDirection[];
  /** The test is negated (the packet is not in the set). */
  readonly invert: boolean;
  /** An element flagged nomatch makes the lookup succeed as a non-match. */
  readonly returnNomatch: boolean;
  /** Do not update the matched element's packet/byte counters. */
  readonly skipCounterUpdate: boolean;
  /** Do not update the counters of elements of a list:set's member sets. */
  readonly skipSubcounterUpdate: boolean;
  readonly packets?: SetCounterTest;
  readonly bytes?: SetCounterTest;
}

declare module '../match.js' {
  interface MatchKinds {
    set: SetMatch;
  }
}
