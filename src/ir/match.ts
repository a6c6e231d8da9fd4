// The union of all match kinds. Each module match declares itself in its own file under
// matches/ by augmenting MatchKinds, so adding a match touches only that file:
//
//   declare module '../match.js' { interface MatchKinds { tcp: TcpMatch } }

import type { BaseMatch } from './base-matches.js';

// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging
export interface MatchKinds {}

export type Match = BaseMatch | MatchKinds[keyof MatchKinds];
