// SET: add the packet's addresses/ports to, or delete them from, ipsets, or take
// mark/priority/queue from a set entry (xt_set target revision 3).

export interface SetRef {
  /** The ipset's name. */
  readonly name: string;
  /** For each dimension of the set, whether it takes the packet's source or destination. */
  readonly directions: readonly ('src' | 'dst')[];
}

export interface SetTarget {
  readonly kind: 'SET';
  readonly add?: SetRef;
  readonly del?: SetRef;
  /** Look the packet up in this set and apply the entry's skb extensions. */
  readonly map?: SetRef;
  /** On add, refresh the timeout of an entry that exists already (IPSET_FLAG_EXIST). */
  readonly exist: boolean;
  /** Timeout in seconds for entries added; absent: the set's default. */
  readonly timeout?: number;
  /** With map: copy the entry's skbmark / skbprio / skbqueue to the packet. */
  readonly mapMark: boolean;
  readonly mapPrio: boolean;
  readonly mapQueue: boolean;
}

declare module '../target.js' {
  interface TargetKinds {
    SET: SetTarget;
  }
}
