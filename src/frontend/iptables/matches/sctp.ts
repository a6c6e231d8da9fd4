// -m sctp: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/sctp.ts, options and save order from libxt_sctp.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const sctpMatch: MatchExtension = notImplemented('sctp');
