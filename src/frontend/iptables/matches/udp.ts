// -m udp: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/udp.ts, options and save order from libxt_udp.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const udpMatch: MatchExtension = notImplemented('udp');
