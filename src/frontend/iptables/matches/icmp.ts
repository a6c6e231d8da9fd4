// -m icmp: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/icmp.ts, options and save order from libxt_icmp.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const icmpMatch: MatchExtension = notImplemented('icmp');
