// The union of all target kinds; each extension target augments TargetKinds in its own file
// under targets/ (see match.ts).

import type { StandardTarget } from './standard-targets.js';

// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging
export interface TargetKinds {}

export type Target = StandardTarget | TargetKinds[keyof TargetKinds];
