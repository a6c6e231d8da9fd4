// -m policy: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/policy.ts, options and save order from libxt_policy.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const policyMatch: MatchExtension = notImplemented('policy');
