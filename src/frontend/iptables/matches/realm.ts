// -m realm: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/realm.ts, options and save order from libxt_realm.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const realmMatch: MatchExtension = notImplemented('realm');
