// -m nfacct: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/nfacct.ts, options and save order from libxt_nfacct.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const nfacctMatch: MatchExtension = notImplemented('nfacct');
