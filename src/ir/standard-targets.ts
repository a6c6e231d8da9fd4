// Targets every table understands: verdicts and control flow between chains.

export interface VerdictTarget {
  readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' | 'QUEUE';
}

/** `-j CHAIN` pushes a return point; `-g CHAIN` (goto) does not. */
export interface ChainTarget {
  readonly kind: 'jump' | 'goto';
  readonly chain: string;
}

export type StandardTarget = VerdictTarget | ChainTarget;
