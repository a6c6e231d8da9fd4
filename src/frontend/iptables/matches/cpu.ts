// -m cpu: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/cpu.ts, options and save order from libxt_cpu.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const cpuMatch: MatchExtension = notImplemented('cpu');
